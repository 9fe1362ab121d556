"""The sidebar's navigation, made once per folder (scripts/kb/sidebar.py), must be exactly the
one Furo makes page by page."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import make_project
from kb.sidebar import NavigationTemplate

# Shaped like Furo's output for a page outside the tree (BeautifulSoup: attributes sorted).
PLAIN = (
    '<p aria-level="2" class="caption" role="heading"><span class="caption-text">话术</span></p>\n'
    '<ul>\n'
    '<li class="toctree-l1 has-children"><a class="reference internal" href="index.html">话术库</a>'
    '<input aria-label="展开或收起：话术库" class="toctree-checkbox" id="toctree-checkbox-1" name="toctree-checkbox-1" role="switch" type="checkbox"/>'
    '<label for="toctree-checkbox-1"><span class="icon"><svg><use href="#svg-arrow-right"></use></svg></span></label><ul>\n'
    '<li class="toctree-l2"><a class="reference internal" href="opening.html">开场白</a></li>\n'
    '<li class="toctree-l2"><a class="reference internal" href="closing.html">促成</a></li>\n'
    '</ul>\n</li>\n</ul>\n'
    '<p aria-level="2" class="caption" role="heading"><span class="caption-text">产品</span></p>\n'
    '<ul>\n<li class="toctree-l1"><a class="reference internal" href="../products/index.html">产品</a></li>\n</ul>\n')


def test_a_page_deep_in_the_tree_marks_its_branch_and_opens_its_switch():
    marked = NavigationTemplate(PLAIN).for_page("closing.html")
    assert marked == PLAIN.replace(
        '<ul>\n<li class="toctree-l1 has-children">', '<ul class="current">\n<li class="toctree-l1 current has-children">').replace(
        'aria-label="展开或收起：话术库" class=', 'aria-label="展开或收起：话术库" checked="" class=').replace(
        'label><ul>', 'label><ul class="current">').replace(
        '<li class="toctree-l2"><a class="reference internal" href="closing.html">',
        '<li class="toctree-l2 current current-page"><a class="current reference internal" href="#">')


def test_a_page_with_children_is_current_page_and_open():
    marked = NavigationTemplate(PLAIN).for_page("index.html")
    assert '<li class="toctree-l1 current has-children current-page"><a class="current reference internal" href="#">话术库</a>' in marked
    assert 'checked=""' in marked
    assert marked.count("current") == 4      # its list, its item (2), its link; its child list stays closed
    assert 'href="opening.html"' in marked


def test_a_page_outside_the_tree_gets_the_tree_unmarked():
    assert NavigationTemplate(PLAIN).for_page("trainer-guide.html") == PLAIN
    assert NavigationTemplate("").for_page("index.html") == ""


def _build(root: Path, per_page: bool) -> None:
    env = {**os.environ, **({"KB_NAVIGATION_PER_PAGE": "1"} if per_page else {})}
    result = subprocess.run([sys.executable, str(root / "scripts" / "kb.py"), "build"], cwd=root, capture_output=True,
                            text=True, env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def _different_pages(ours: Path, furos: Path) -> list[str]:
    ours, furos = (root / "_build" / "html" for root in (ours, furos))
    pages = sorted(p.relative_to(furos) for p in furos.rglob("*.html"))
    assert len(pages) > 40
    assert pages == sorted(p.relative_to(ours) for p in ours.rglob("*.html"))
    return [str(page) for page in pages if (ours / page).read_bytes() != (furos / page).read_bytes()]


def test_every_page_has_the_navigation_furo_makes_page_by_page(tmp_path):
    """The sample built with Furo's per-page navigation gives the same files, byte for byte; and
    again after an edit, when the pages Sphinx writes again take their folders' menus from the
    ones the first build stored (sidebar.StoredTemplates) instead of making them."""
    ours, furos = make_project(tmp_path / "ours"), make_project(tmp_path / "furos")
    _build(ours, per_page=False)
    _build(furos, per_page=True)
    assert _different_pages(ours, furos) == []
    store = ours / "_build" / "work" / "_build" / ".doctrees" / "kb-navigation"
    stored = {path.name: path.stat().st_mtime_ns for path in store.iterdir()}
    assert len(stored) >= 5                                      # one per folder with pages
    for root in (ours, furos):
        script = root / "content" / "scripts" / "after-sales-allergy-report.yml"
        script.write_text(script.read_text(encoding="utf-8").replace("  text: 真抱歉", "  text: 非常抱歉", 1), encoding="utf-8")
        _build(root, per_page=root == furos)
    stage_page = ours / "_build" / "html" / "book" / "kb" / "scripts" / "after_sales.html"
    assert "非常抱歉" in stage_page.read_text(encoding="utf-8")
    assert {path.name: path.stat().st_mtime_ns for path in store.iterdir()} == stored     # read, not made again
    assert _different_pages(ours, furos) == []
    shutil.rmtree(tmp_path)


def test_a_page_left_out_of_the_menu_marks_its_parents_branch():
    marked = NavigationTemplate(PLAIN).for_page("opening__set.html", parent_href="index.html")
    assert '<li class="toctree-l1 current has-children"><a class="reference internal" href="index.html">' in marked
    assert "current-page" not in marked and 'href="#"' not in marked and 'checked=""' in marked
    assert NavigationTemplate(PLAIN).for_page("elsewhere.html", parent_href="nowhere.html") == PLAIN


def test_a_stored_menu_is_used_only_for_the_structure_it_was_made_from(tmp_path):
    from kb.sidebar import StoredTemplates, structure_key
    docs = [("book/index", "首页", ["book/kb/scripts/index"]), ("book/kb/scripts/index", "话术库", [])]
    key = structure_key(b"toc", docs, [b"code"], ["7.0", "2024.1"])
    StoredTemplates(tmp_path, key).save("book/kb/scripts/\0nav", PLAIN)
    assert StoredTemplates(tmp_path, key).load("book/kb/scripts/\0nav") == PLAIN
    assert StoredTemplates(tmp_path, key).load("book/kb/products/\0nav") is None       # another folder
    retitled = [("book/index", "首页", ["book/kb/scripts/index"]), ("book/kb/scripts/index", "话术", [])]
    for other in (structure_key(b"toc", retitled, [b"code"], ["7.0", "2024.1"]),
                  structure_key(b"toc", docs[:1], [b"code"], ["7.0", "2024.1"]),           # a page fewer
                  structure_key(b"toc 2", docs, [b"code"], ["7.0", "2024.1"]),
                  structure_key(b"toc", docs, [b"code 2"], ["7.0", "2024.1"]),
                  structure_key(b"toc", docs, [b"code"], ["7.1", "2024.1"])):
        assert other != key
        assert StoredTemplates(tmp_path, other).load("book/kb/scripts/\0nav") is None
