"""A full Jupyter Book build of the mini fixture content, read back with an HTML parser."""
from __future__ import annotations

import os
from pathlib import Path

from conftest import run_kb
from kb.render import group_slug
from sitecheck import broken_internal_links, parse, tree_checksum

PRODUCTS_PAGE = f"book/kb/products/{group_slug('product', '护肤')}.html"   # the mini cream's category
CASES_PAGE = f"book/kb/cases/{group_slug('case', '微商团队')}.html"
RULES_PAGE = f"book/kb/rules/{group_slug('rule', 'all')}.html"          # every rule set: one group
SOPS_PAGE = f"book/kb/sops/{group_slug('sop', 'rep')}.html"             # SOPs by their owner role


def site(root: Path) -> Path:
    return root / "_build" / "html"


def test_build_produces_every_page(built_mini_site):
    html = site(built_mini_site)
    expected = ["index.html", "book/onboarding.html", "book/trainer-guide.html", "book/kb/tags.html",
                "book/kb/roles/rep.html", PRODUCTS_PAGE, CASES_PAGE,
                RULES_PAGE, SOPS_PAGE,
                "book/kb/scripts/index.html", "book/kb/scripts/objection.html", "book/kb/scripts/after_sales.html"]
    missing = [page for page in expected if not (html / page).exists()]
    assert not missing


def test_pages_are_chinese_and_titled(built_mini_site):
    html = site(built_mini_site)
    product = parse(html / PRODUCTS_PAGE)
    assert product.title.startswith("产品 · 护肤")
    assert "kb-cream" in product.ids and "测试面霜" in "".join(product.text)
    assert 'lang="zh-CN"' in (html / PRODUCTS_PAGE).read_text(encoding="utf-8")


def test_script_has_anchor_and_copyable_block(built_mini_site):
    page = parse(site(built_mini_site) / "book/kb/scripts/objection.html")
    assert "kb-ask-price" in page.ids
    assert "highlight-text" in page.classes
    assert any("copybutton" in src for src in page.scripts)
    assert "您好，这是 ask-price 的推荐回应。" in "".join(page.text)


def test_role_page_has_kpis_levels_and_learning_path_links(built_mini_site):
    page = parse(site(built_mini_site) / "book/kb/roles/rep.html")
    text = "".join(page.text)
    assert "月销售额" in text and "50000" in text and "初级销售 → 中级销售" in text
    assert f"../products/{group_slug('product', '护肤')}.html#kb-cream" in page.links
    assert "../scripts/objection.html#kb-ask-price" in page.links


def test_no_broken_internal_links(built_mini_site):
    assert broken_internal_links(site(built_mini_site)) == []


def test_search_page_is_the_reply_finder(built_mini_site):
    """search.html?q=… stays the entry point but is the finder: its own index of Chinese
    character pairs, no Sphinx search index or searchtools.js."""
    html = site(built_mini_site)
    page = (html / "search.html").read_text(encoding="utf-8")
    assert 'id="kb-finder"' in page and "_static/finder.js" in page and "searchtools.js" not in page
    assert not (html / "searchindex.js").exists()
    index = (html / "_static" / "finder-index.js").read_text(encoding="utf-8")
    assert '"太贵"' in index and '"kb-ask-price"' not in index and "objection.html#kb-ask-price" in index


def test_rebuild_without_changes_rewrites_no_generated_file(built_mini_site):
    generated = sorted((built_mini_site / "book" / "kb").rglob("*.md"))
    before = {p: os.stat(p).st_mtime_ns for p in generated}
    result = run_kb(built_mini_site, "build", "--force")
    assert result.returncode == 0, result.stderr
    assert "0 written" in result.stdout
    assert {p: os.stat(p).st_mtime_ns for p in generated} == before


def test_broken_yaml_leaves_previous_site_untouched(built_mini_site):
    html = site(built_mini_site)
    before = tree_checksum(html)
    generated_before = tree_checksum(built_mini_site / "book" / "kb")
    script = built_mini_site / "content" / "scripts" / "ask-price.yml"
    good = script.read_text(encoding="utf-8")
    try:
        script.write_text(good.replace("stage: objection", "stage: objections"), encoding="utf-8")
        result = run_kb(built_mini_site, "build")
    finally:
        script.write_text(good, encoding="utf-8")
    assert result.returncode == 1
    assert "content/scripts/ask-price.yml:4:8: stage: expected one of" in result.stderr
    assert "Traceback" not in result.stderr
    assert tree_checksum(html) == before
    assert tree_checksum(built_mini_site / "book" / "kb") == generated_before


def test_a_build_with_nothing_changed_keeps_the_live_site(mini_project):
    """Same content, code and day as the live site: nothing is built again, the site stays;
    another day, a changed file or changed code builds again."""
    import datetime
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    for catalog in (mini_project / "scripts").rglob("*.mo"):     # as on a fresh clone: compiled on first use
        catalog.unlink()
    first = run_kb(mini_project, "build")
    assert first.returncode == 0, first.stderr
    live = (mini_project / "_build" / "html").resolve()
    again = run_kb(mini_project, "build")
    assert again.returncode == 0, again.stderr
    assert "nothing to build" in again.stdout and "validate" not in again.stdout
    assert (mini_project / "_build" / "html").resolve() == live

    next_day = run_kb(mini_project, "build", "--today", tomorrow)      # review dates are measured against the day
    assert next_day.returncode == 0, next_day.stderr
    assert "nothing to build" not in next_day.stdout and "validate" in next_day.stdout

    script = mini_project / "content" / "scripts" / "ask-price.yml"
    good = script.read_text(encoding="utf-8")
    script.write_text(good.replace("stage: objection", "stage: objections"), encoding="utf-8")
    assert run_kb(mini_project, "build", "--today", tomorrow).returncode == 1
    script.write_text(good, encoding="utf-8")
    back = run_kb(mini_project, "build", "--today", tomorrow)       # the live site is still tomorrow's build
    assert "nothing to build" in back.stdout

    template = mini_project / "scripts" / "kb" / "templates" / "script.md.j2"
    template.write_text(template.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    code_changed = run_kb(mini_project, "build", "--today", tomorrow)
    assert code_changed.returncode == 0, code_changed.stderr
    assert "nothing to build" not in code_changed.stdout and "validate" in code_changed.stdout


def test_an_edited_stylesheet_reaches_the_site_alone_or_with_a_page(mini_project):
    """Sphinx copies static files only when it writes some page: kb_sphinx makes it write the
    home page when a static file alone changed."""
    assert run_kb(mini_project, "build").returncode == 0
    stylesheet = mini_project / "book" / "_static" / "kb.css"
    stylesheet.write_text(stylesheet.read_text(encoding="utf-8") + "\n/* first */\n", encoding="utf-8")
    alone = run_kb(mini_project, "build")
    assert alone.returncode == 0, alone.stderr
    assert "/* first */" in (mini_project / "_build" / "html" / "_static" / "kb.css").read_text(encoding="utf-8")
    stylesheet.write_text(stylesheet.read_text(encoding="utf-8") + "\n/* second */\n", encoding="utf-8")
    script = mini_project / "content" / "scripts" / "ask-price.yml"
    script.write_text(script.read_text(encoding="utf-8").replace("text: ", "text: 改过。", 1), encoding="utf-8")
    both = run_kb(mini_project, "build")
    assert both.returncode == 0, both.stderr
    assert "/* second */" in (mini_project / "_build" / "html" / "_static" / "kb.css").read_text(encoding="utf-8")
    assert "改过。" in (mini_project / "_build" / "html" / "book" / "kb" / "scripts" / "objection.html").read_text(encoding="utf-8")
