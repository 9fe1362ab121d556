"""The published build shows only approved, unexpired items; hiding items from a site that
was already built removes their pages and every link to them (no stale page stays online)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import FIXTURES, make_project, run_kb
from sitecheck import broken_internal_links, parse

TODAY = "2026-06-01"


def set_review(root: Path, rel: str, old: str, new: str) -> None:
    path = root / "content" / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture(scope="module")
def reviewed_site(tmp_path_factory):
    """The mini book built with everything approved, then rebuilt after review changes:
    cream → draft, ask-skin → in_review, open-hello expired, want-return due today."""
    root = make_project(tmp_path_factory.mktemp("published") / "project", FIXTURES / "mini")
    first = run_kb(root, "build", "--today", TODAY)
    assert first.returncode == 0, first.stderr
    assert (root / "_build/html").resolve().joinpath("book/kb/scripts/opening.html").exists()
    set_review(root, "products/cream.yml", "status: approved", "status: draft")
    set_review(root, "scripts/ask-skin.yml", "status: approved", "status: in_review")
    set_review(root, "scripts/open-hello.yml", "review_by: 2027-12-31", "review_by: 2026-05-31")
    set_review(root, "scripts/want-return.yml", "review_by: 2027-12-31", "review_by: 2026-06-01")
    second = run_kb(root, "build", "--today", TODAY)
    assert second.returncode == 0, second.stderr
    return root, second.stdout


def site_files(root: Path) -> dict[str, str]:
    site = (root / "_build" / "html").resolve()
    return {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8", errors="replace")
            for p in site.rglob("*") if p.is_file() and p.suffix in (".html", ".js")}


def test_select_stage_reports_what_is_published(reviewed_site):
    _, stdout = reviewed_site
    assert re.search(r"^select +6 of 9 items published \(approved, not expired\)", stdout, re.M)


def test_hidden_items_are_nowhere_in_the_site(reviewed_site):
    root, _ = reviewed_site
    files = site_files(root)
    for hidden in ("测试面霜", "ask-skin 的推荐回应", "open-hello 的推荐回应", "kb-cream(?!-)", "kb-ask-skin", "kb-open-hello"):
        assert [name for name, text in files.items() if re.search(hidden, text)] == [], hidden
    # a stage whose only script is hidden keeps its page (hand-written pages link to it)
    assert "这个阶段暂时没有审核通过的话术。" in files["book/kb/scripts/opening.html"]


def test_item_due_today_is_still_published(reviewed_site):
    root, _ = reviewed_site
    page = (root / "_build/html/book/kb/scripts/after_sales.html").read_text(encoding="utf-8")
    assert "want-return 的推荐回应" in page and "请勿对客户使用" not in page


def test_no_page_links_to_a_hidden_item(reviewed_site):
    root, _ = reviewed_site
    assert broken_internal_links((root / "_build" / "html").resolve()) == []


def test_learning_path_keeps_only_published_items(reviewed_site):
    root, _ = reviewed_site
    role = parse(root / "_build/html/book/kb/roles/rep.html")
    path_links = [link for link in role.links if "#kb-" in link]
    assert any(link.endswith("#kb-ask-price") for link in path_links)
    assert not any("cream" == link.rsplit("#kb-", 1)[1] for link in path_links)


def test_preview_never_touches_the_published_site(reviewed_site):
    from sitecheck import tree_checksum
    root, _ = reviewed_site
    link = root / "_build" / "html"
    before, target = tree_checksum(link), link.resolve()
    result = run_kb(root, "build", "--preview", "--today", TODAY)
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip().endswith(f"ok: preview built in {root / '_build' / 'preview' / 'index.html'} (not published)")
    assert tree_checksum(link) == before and link.resolve() == target
    preview = (root / "_build" / "preview").resolve()
    assert preview.name.startswith("preview-") and preview.parent == root / "_build"
    texts = {p.name: p.read_text(encoding="utf-8") for p in preview.rglob("*.html")}
    assert "草稿：本条内容尚未审核通过，请勿对客户使用。" in "".join(texts.values())
    assert "待审核：本条内容尚未审核通过，请勿对客户使用。" in texts["discovery.html"]
    assert "已过期：本条内容已超过复审日期 2026-05-31，需要重新审核，请勿对客户使用。" in texts["opening.html"]
    assert "请勿对客户使用" not in texts["after_sales.html"]
    assert broken_internal_links(preview) == []
    # and the next published build still hides the drafts (the preview changed book/kb/)
    again = run_kb(root, "build", "--today", TODAY)
    assert again.returncode == 0, again.stderr
    assert "open-hello 的推荐回应" not in site_files(root)["book/kb/scripts/opening.html"]
    assert broken_internal_links(link.resolve()) == []
