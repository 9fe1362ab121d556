"""The built site read as HTML for issue 12: readable page names with redirects from the old
ones, the trainers' part kept out of the reps' menu and 下一页 chain, the interface in Chinese,
the web app manifest."""
from __future__ import annotations

import json
import re

from kb.render import group_slug, old_group_slug, render_redirects
from sitecheck import parse


def site(root):
    return root / "_build" / "html"


def test_group_pages_have_readable_stable_names():
    assert group_slug("product", "护肤") == "hufu"
    assert group_slug("case", "私域销售团队") == "siyuxiaoshoutuandui"
    assert group_slug("product", "Vitamin C 系列") == "vitamin-c-xilie"
    # nothing readable left, or a name that would clash with the section's index: the hash
    assert group_slug("product", "★") == old_group_slug("★")
    assert group_slug("product", "index") == old_group_slug("index")
    assert group_slug("case", "javascript:alert(1)") == old_group_slug("javascript:alert(1)")


def test_two_categories_that_read_the_same_keep_apart():
    from kb.render import _group_slugs
    same = _group_slugs("product", ["仪器", "遗弃", "护肤"])         # 仪器 and 遗弃 both read yiqi
    assert same["仪器"] != same["遗弃"] and same["仪器"].startswith("g-") and same["护肤"] == "hufu"
    # 品类 3 reads like the third page of 品类: it keeps its hashed name
    assert _group_slugs("product", ["品类", "品类 3"])["品类 3"].startswith("g-")


def test_old_addresses_redirect_to_the_new_pages(built_mini_site):
    html = site(built_mini_site)
    old = html / "book" / "kb" / "products" / f"{old_group_slug('护肤')}.html"
    text = old.read_text(encoding="utf-8")
    assert 'url=hufu.html"' in text and 'location.replace("hufu.html" + location.hash)' in text
    assert (html / "book" / "kb" / "products" / "hufu.html").exists()
    redirects = (built_mini_site / "book" / "kb" / "redirects.txt").read_text(encoding="utf-8")
    assert f"book/kb/cases/{old_group_slug('微商团队')} book/kb/cases/weishangtuandui" in redirects


def test_a_rule_set_or_sop_that_had_a_page_of_its_own_redirects_to_its_section(built_mini_site):
    html = site(built_mini_site)
    old = html / "book" / "kb" / "sops" / "after-sales-sop.html"
    text = old.read_text(encoding="utf-8")
    # its own anchor, not the one the old address was opened with
    assert 'url=rep.html#kb-after-sales-sop"' in text and 'location.replace("rep.html#kb-after-sales-sop")' in text
    assert 'id="kb-after-sales-sop"' in (html / "book" / "kb" / "sops" / "rep.html").read_text(encoding="utf-8")
    assert 'url=all.html#kb-group-rules"' in (html / "book" / "kb" / "rules" / "group-rules.html").read_text(encoding="utf-8")


def test_an_old_address_that_is_a_page_again_is_left_to_that_page():
    from kb.model import Content, Item
    items = {rid: Item("rule", rid, {"id": rid, "title": f"群规{rid}", "sections": []}, f"content/rules/{rid}.yml")
             for rid in ("all", "index", "team-rules")}
    text = render_redirects(Content(items=items))
    assert "book/kb/rules/team-rules book/kb/rules/all#kb-team-rules\n" in text
    assert "book/kb/rules/all " not in text and "book/kb/rules/index " not in text


def test_continuation_pages_redirect_too():
    from kb.model import Content, Item
    items = {f"p{n}": Item("product", f"p{n}", {"id": f"p{n}", "name": f"产品{n}", "category": "护肤"},
                           f"content/products/p{n}.yml") for n in range(60)}
    text = render_redirects(Content(items=items))
    old = f"book/kb/products/{old_group_slug('护肤')}"
    assert f"{old} book/kb/products/hufu\n" in text and f"{old}-2 book/kb/products/hufu-2\n" in text


def test_trainer_pages_are_outside_the_reps_menu_and_page_chain(built_sample_site):
    html = site(built_sample_site)
    pages = [p for p in html.rglob("*.html") if "_static" not in p.parts]
    assert (html / "book" / "trainer-guide.html").exists()
    for page in pages:
        text = page.read_text(encoding="utf-8")
        menu = text.split('<div class="sidebar-tree">', 1)[-1].split("</aside>", 1)[0]
        assert "trainer-guide.html" not in menu, f"{page}: the menu links to the trainer guide"
        related = re.search(r'<nav class="related-pages".*?</nav>', text, re.S)
        if related and page.name != "trainer-guide.html":
            assert "trainer-guide.html" not in related.group(0), f"{page}: 下一页/上一页 leads to the trainer guide"
    quiz_index = "".join(parse(html / "book" / "kb" / "quizzes" / "index.html").text)
    assert "Jupyter" not in quiz_index and "笔记本" not in quiz_index
    assert "Jupyter" in "".join(parse(html / "book" / "trainer-guide.html").text)


ENGLISH_CHROME = ["Toggle", "Link to this", "Copyright", "Made with", "Furo", "Sphinx", "Back to top",
                  "Skip to content", "On this page", "Last updated", "Next", "Previous", "Color mode", "Search"]


def test_no_english_theme_strings_in_any_page(built_sample_site):
    html = site(built_sample_site)
    for page in [p for p in html.rglob("*.html") if "_static" not in p.parts]:
        text = page.read_text(encoding="utf-8")
        text = re.sub(r"<script.*?</script>|<!--.*?-->|<symbol.*?</symbol>", "", text, flags=re.S)
        visible_and_labels = " ".join(re.findall(r">([^<]+)<", text) + re.findall(r'(?:title|aria-label|placeholder|alt)="([^"]*)"', text))
        found = [word for word in ENGLISH_CHROME if word in visible_and_labels]
        assert not found, f"{page.relative_to(html)}: {found}"
    assert not (html / "_sources").exists(), "the site offers the Markdown sources"


def test_home_page_title_is_not_doubled(built_sample_site):
    title = parse(site(built_sample_site) / "book" / "index.html").title
    assert title == "青禾生活 · 销售训练手册"


def test_manifest_lets_a_rep_install_the_site(built_sample_site):
    html = site(built_sample_site)
    manifest = json.loads((html / "manifest.webmanifest").read_text(encoding="utf-8"))
    assert manifest["lang"] == "zh-CN" and manifest["display"] == "standalone"
    assert (html / manifest["start_url"]).exists()
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert (html / icon["src"]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert 'rel="manifest"' in (html / "book" / "index.html").read_text(encoding="utf-8")
