"""Script injection: trainer text that looks like HTML, JavaScript, MyST/Sphinx markup, Jinja or
Markdown comes out as inert, literal text. One site is built from content full of such text
and opened in headless Chromium: no dialog, no injected script runs (window.__pwned stays
undefined), no injected element exists, and the text is shown as written: in the page body,
the page <title>, the sidebar navigation, the search results and the quiz self-check page."""
from __future__ import annotations

import re

import pytest
import yaml

from conftest import FIXTURES, make_project, run_kb, serve

from kb.render import group_slug
from kb.yamlread import read_yaml

# Each vector sets window.__pwned, calls alert() or adds an element with class "pwned" if it is
# ever interpreted; none of them contains a compliance term, and each fits a 500-character line.
VECTORS = [
    "<script>window.__pwned=1;alert(1)</script>",
    "<img src=x onerror=\"window.__pwned=2;alert(2)\" class=pwned>",
    "<svg/onload=window.__pwned=3 class=pwned>",
    "[点我领取](javascript:window.__pwned=4;alert(4))",
    "<a href=\"javascript:window.__pwned=5\" class=pwned>链接</a>",
    "\"><script>window.__pwned=6</script><p class=pwned x=\"",
    "</div></section><iframe src=\"javascript:window.parent.__pwned=7\" class=pwned></iframe>",
    "```{raw} html\n<script>window.__pwned=8</script>\n```",
    "{raw}`html <b class=pwned>粗体</b>`",
    "```{include} /etc/passwd\n```",
    "```{eval-rst}\n.. raw:: html\n\n   <script>window.__pwned=11</script>\n```",
    ":::{raw} html\n<script>window.__pwned=12</script>\n:::",
    "{{ 7 * 7 }} {% if true %}jinja{% endif %} {# comment #}",
    "{{ self.__init__.__globals__ }}",
    "</script><script>window.__pwned=15</script>",
    "* [x](javascript:alert(16))\n\n# 标题\n\n<div class=pwned>",
    "[引用]: javascript:window.__pwned=17\n\n[引用]",
    "<style>body{display:none}</style>",
    "&lt;script&gt;window.__pwned=19&lt;/script&gt;",
    "{doc}`/etc/passwd` {ref}`kb-cream` $x$ {math}`\\href{javascript:alert(20)}{x}`",
    "<!-- --><script>window.__pwned=21</script>",
    "${window.__pwned=22}` + alert(22) + `",
    "{{< shortcode >}} %}{{ }}",
    "| a | b |\n|---|---|\n| <script>window.__pwned=24</script> | x |",
    "\\u003cscript\\u003ewindow.__pwned=25\\u003c/script\\u003e",
]
SHORT = ["<b class=pwned>b</b>", "<script>alert(1)</script>", "{{ 7*7 }}", "javascript:alert(1)", "{raw}`x`"]
# Elements or handlers the vectors would create if any of them were interpreted.
INJECTED_JS = """() => [
  ...document.querySelectorAll("img[src='x'], iframe, .pwned, a[href^='javascript'], svg[onload]"),
  ...Array.from(document.querySelectorAll("style")).filter(s => s.textContent.includes("body{display:none}")),
  ...Array.from(document.querySelectorAll("*")).filter(e => Array.from(e.attributes).some(
      a => a.name.startsWith("on") && a.value.includes("pwned"))),
].map(e => e.outerHTML.slice(0, 80))"""


class QuotingDumper(yaml.SafeDumper):
    pass


QuotingDumper.add_representer(str, lambda dumper, text: dumper.represent_scalar("tag:yaml.org,2002:str", text, style='"'))


def shown(text: str) -> str:
    """How a text reads on the page: every run of whitespace is one space."""
    return re.sub(r"\s+", " ", text).strip()


def one_line(text: str) -> str:
    """A vector as a one-line field can hold it: a line break there is refused by the schema
    (tests/fixtures/broken/line_with_trailing_newline); paragraphs keep the multi-line vectors."""
    return text.replace("\n", " ")


def _write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.dump(data, Dumper=QuotingDumper, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _load(path):
    return read_yaml(path.read_bytes(), path.name)[0].data


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("hostile") / "project", FIXTURES / "mini")
    content = root / "content"
    template = _load(content / "scripts" / "ask-price.yml")
    for number, vector in enumerate(VECTORS, 1):
        line = one_line(vector)
        script = {**template, "id": f"inj-{number}", "title": f"注入{number} {line}",
                  "customer_says": [line, f"客户说{number}"], "concern": vector,
                  "response": {"steps": [line], "text": vector}, "avoid": [{"say": line, "why": line}],
                  "tags": [SHORT[number % len(SHORT)]]}
        _write(content / "scripts" / f"inj-{number}.yml", script)
    cream = _load(content / "products" / "cream.yml")
    _write(content / "products" / "cream.yml", {**cream, "name": VECTORS[0] + "面霜", "category": SHORT[0],
                                                "summary": VECTORS[1], "faqs": [{"q": VECTORS[2], "a": VECTORS[7]}],
                                                "selling_points": [VECTORS[3], VECTORS[12]]})
    role = _load(content / "roles" / "rep.yml")
    _write(content / "roles" / "rep.yml", {**role, "name": "销售" + SHORT[1], "summary": VECTORS[5], "duties": [VECTORS[6]]})
    rule = _load(content / "rules" / "group-rules.yml")
    _write(content / "rules" / "group-rules.yml", {**rule, "title": "群规" + VECTORS[4],
                                                   "sections": [{"name": VECTORS[8], "rules": [one_line(VECTORS[9]), one_line(VECTORS[10])]}]})
    sop = _load(content / "sops" / "after-sales-sop.yml")
    _write(content / "sops" / "after-sales-sop.yml", {**sop, "title": "流程" + SHORT[2], "purpose": VECTORS[13]})
    case = _load(content / "cases" / "cream-case.yml")
    _write(content / "cases" / "cream-case.yml", {**case, "title": "案例" + VECTORS[14], "team_type": SHORT[3],
                                                  "situation": VECTORS[15], "lessons": [one_line(VECTORS[16])]})
    result = run_kb(root, "build")
    assert result.returncode == 0, result.stdout + result.stderr
    url, server = serve((root / "_build" / "html").resolve())
    yield root, url
    server.shutdown()


@pytest.fixture
def guarded(browser):
    """A page that records every dialog and console error; fails on any dialog."""
    context = browser.new_context()
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    yield page, dialogs
    context.close()


def assert_inert(page, dialogs):
    page.wait_for_timeout(300)       # give onerror/onload handlers the chance to fire
    assert dialogs == []
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.evaluate(INJECTED_JS) == []
    scripts = page.evaluate("Array.from(document.scripts).map(s => s.textContent).filter(t => t.includes('__pwned'))")
    assert scripts == []


def html_pages(root):
    site = (root / "_build" / "html").resolve()
    return sorted(p.relative_to(site).as_posix() for p in (site / "book" / "kb").rglob("*.html"))


def test_every_vector_is_in_the_content_and_the_site_built(hostile_site):
    root, _ = hostile_site
    pages = "".join((root / "_build" / "html" / rel).read_text(encoding="utf-8") for rel in html_pages(root))
    assert "window.__pwned" in pages          # the text is there, as text (checked in the browser below)
    # no element written by a trainer: every '<' of the vectors arrives as &lt;
    raw_tags = ["<script>window.__pwned", "<img src=x", "<svg/onload", "<iframe src=", "<b class=pwned>",
                '<a href="javascript', "<div class=pwned>", "<style>body", "<p class=pwned", "<!-- --><script>"]
    assert [tag for tag in raw_tags if tag in pages] == []


def test_no_generated_page_runs_injected_script(hostile_site, guarded):
    root, url = hostile_site
    page, dialogs = guarded
    for rel in html_pages(root):
        page.goto(f"{url}/{rel}")
        assert_inert(page, dialogs)


@pytest.mark.parametrize("number", range(1, len(VECTORS) + 1))
def test_each_vector_reads_literally_on_its_script_page(hostile_site, guarded, number):
    _, url = hostile_site
    page, dialogs = guarded
    page.goto(f"{url}/book/kb/scripts/objection.html#kb-inj-{number}")
    assert_inert(page, dialogs)
    section = page.locator(f"[id='kb-inj-{number}']").locator("xpath=ancestor-or-self::section[1]")
    heading = shown(section.locator("h2").first.inner_text())
    assert shown(f"注入{number} {VECTORS[number - 1]}") in heading
    body = shown(section.inner_text())
    assert body.count(shown(VECTORS[number - 1])) >= 4          # title, customer words, concern, steps, avoid …
    copy_block = section.locator("div.highlight-text pre").inner_text()
    assert copy_block.strip() == VECTORS[number - 1].strip()    # the response to copy, byte for byte


def test_page_title_navigation_and_page_toc_show_the_text(hostile_site, guarded):
    _, url = hostile_site
    page, dialogs = guarded
    # SOPs are grouped by their owner role, whose (hostile) name is in the page title
    page.goto(f"{url}/book/kb/sops/{group_slug('sop', 'rep')}.html")
    assert_inert(page, dialogs)
    assert page.title().startswith("流程 · 销售" + SHORT[1])
    assert shown(page.locator("h1").first.inner_text()).startswith(shown("流程 · 销售" + SHORT[1]))
    # rule sets share one group; each rule set's title is its section's heading
    page.goto(f"{url}/book/kb/rules/{group_slug('rule', 'all')}.html")
    assert_inert(page, dialogs)
    section = page.locator("[id='kb-group-rules']").locator("xpath=ancestor-or-self::section[1]")
    assert shown(section.locator("h2").first.inner_text()).startswith(shown("群规" + VECTORS[4]))
    # the sidebar lists the part index pages (depth 1), which list every item by its title
    link = page.locator(".sidebar-tree a", has_text="群规").first
    assert link.count() == 1
    page.goto(link.evaluate("a => a.href"))    # the sidebar is a drawer on a phone: follow its link
    assert_inert(page, dialogs)
    assert shown("群规" + VECTORS[4]) in shown(page.inner_text("article"))
    page.goto(f"{url}/book/kb/products/index.html")
    assert_inert(page, dialogs)
    assert shown(VECTORS[0] + "面霜") in shown(page.inner_text("article"))
    page.locator("article a.reference.internal").first.click()
    page.wait_for_load_state()
    assert_inert(page, dialogs)
    assert page.title().startswith("产品 · " + SHORT[0])
    assert shown(VECTORS[0] + "面霜") in shown(page.locator("article details").first.text_content())   # the (folded) page outline


def test_search_results_show_titles_as_text(hostile_site, guarded):
    _, url = hostile_site
    page, dialogs = guarded
    page.goto(f"{url}/search.html?q=pwned")
    page.wait_for_selector("#kb-finder li a.kb-result-title", timeout=15000)
    page.wait_for_timeout(500)
    assert_inert(page, dialogs)
    results = shown(page.locator("#kb-finder").inner_text())
    assert shown(f"注入5 {VECTORS[4]}") in results           # a script's title and reply, literally
    page.goto(f"{url}/search.html?q=群规")
    page.wait_for_selector("#kb-finder li a.kb-result-title", timeout=15000)
    page.wait_for_timeout(500)
    assert_inert(page, dialogs)
    titles = page.locator("#kb-finder li a.kb-result-title").all_inner_texts()
    assert "群规" + VECTORS[4] in titles, titles              # a page title: not markup, not "&lt;"


def test_quiz_self_check_page_shows_the_text(hostile_site, guarded):
    root, url = hostile_site
    page, dialogs = guarded
    quiz_pages = [rel for rel in html_pages(root) if "/quizzes/" in rel and not rel.endswith("index.html")]
    assert quiz_pages
    for rel in quiz_pages:
        page.goto(f"{url}/{rel}")
        assert_inert(page, dialogs)
        text = shown(page.inner_text("article"))
        assert shown("销售" + SHORT[1]) in text or "window.__pwned" in text or "{{" in text
