"""Golden files for rendered pages: the mini fixture content must render exactly as stored in
tests/golden/mini/. After a deliberate template change regenerate them with
`.venv/bin/python -m pytest tests/test_render_golden.py --update-golden` and review the diff."""
from __future__ import annotations

import shutil
from pathlib import Path

from conftest import FIXTURES
from kb.content import load_content
from kb.render import group_slug
from kb.pipeline import site_files

GOLDEN = Path(__file__).parent / "golden" / "mini"


def _rendered(tmp_path) -> dict[str, str]:
    shutil.copytree(FIXTURES / "mini", tmp_path / "content")
    return site_files(load_content(tmp_path))


def test_rendered_pages_match_golden_files(tmp_path, request):
    # book/kb/_static/practice/ holds copies of the drill pages' script files and a library (not
    # golden) and the drill sets' data rendered from content (golden)
    pages = {rel: text for rel, text in _rendered(tmp_path).items()
             if not rel.startswith("book/kb/_static/practice/") or rel.startswith("book/kb/_static/practice/data/")}
    if request.config.getoption("--update-golden"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for rel, text in pages.items():
            (GOLDEN / rel).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / rel).write_text(text, encoding="utf-8")
    stored = {str(p.relative_to(GOLDEN)): p.read_text(encoding="utf-8") for p in GOLDEN.rglob("*") if p.is_file()}
    assert sorted(pages) == sorted(stored)
    for rel, text in pages.items():
        assert text == stored[rel], f"{rel} differs from its golden file"


def test_rendering_is_deterministic(tmp_path):
    assert _rendered(tmp_path / "a") == _rendered(tmp_path / "b")


def test_stage_page_has_customer_words_and_copyable_response(tmp_path):
    page = _rendered(tmp_path)["book/kb/scripts/objection.md"]
    assert "(kb-ask-price)=\n## 客户说太贵了\n" in page
    assert "- “太贵了”" in page
    # the reply, then its data for the 复制 button (reply.js): JSON, HTML-escaped in an attribute
    assert ("```text\n您好，这是 ask-price 的推荐回应。\n```\n\n```{raw} html\n<div class=\"kb-reply-data\" hidden "
            "data-reply=\"{&#34;id&#34;:&#34;ask-price&#34;,") in page


def test_links_go_both_ways_between_product_script_and_case(tmp_path):
    pages = _rendered(tmp_path)
    product = pages[f"book/kb/products/{group_slug('product', '护肤')}.md"]
    case = pages[f"book/kb/cases/{group_slug('case', '微商团队')}.md"]
    # cream lists ask-price itself; open-hello links to cream only from the script side
    assert "[客户说你好在吗](#kb-open-hello)" in product and "[客户说太贵了](#kb-ask-price)" in product
    assert "[面霜限时活动](#kb-cream-case)" in product          # the case names the product
    assert "[测试面霜](#kb-cream)" in case and "[客户说太贵了](#kb-ask-price)" in case
