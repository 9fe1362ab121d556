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


def test_every_page_has_the_navigation_furo_makes_page_by_page(built_sample_site, tmp_path):
    """The sample built again with Furo's per-page navigation gives the same files, byte for byte."""
    root = make_project(tmp_path / "project")
    result = subprocess.run([sys.executable, str(root / "scripts" / "kb.py"), "build"], cwd=root, capture_output=True,
                            text=True, env={**os.environ, "KB_NAVIGATION_PER_PAGE": "1"})
    assert result.returncode == 0, result.stdout + result.stderr
    ours, furos = (Path(r) / "_build" / "html" for r in (built_sample_site, root))
    pages = sorted(p.relative_to(furos) for p in furos.rglob("*.html"))
    assert len(pages) > 40
    assert pages == sorted(p.relative_to(ours) for p in ours.rglob("*.html"))
    different = [str(page) for page in pages if (ours / page).read_bytes() != (furos / page).read_bytes()]
    assert different == []
    shutil.rmtree(root / "_build")


def test_a_page_left_out_of_the_menu_marks_its_parents_branch():
    marked = NavigationTemplate(PLAIN).for_page("opening__set.html", parent_href="index.html")
    assert '<li class="toctree-l1 current has-children"><a class="reference internal" href="index.html">' in marked
    assert "current-page" not in marked and 'href="#"' not in marked and 'checked=""' in marked
    assert NavigationTemplate(PLAIN).for_page("elsewhere.html", parent_href="nowhere.html") == PLAIN
