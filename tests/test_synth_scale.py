"""The synthetic large content set: deterministic, valid, cross-referenced, renders grouped pages."""
from __future__ import annotations

from kb import synth
from kb.content import load_content
from kb.render import render_site


def test_generation_is_deterministic():
    assert synth.generate(scripts=50, products=10, cases=5, seed=3) == synth.generate(scripts=50, products=10, cases=5, seed=3)
    assert synth.generate(scripts=50, products=10, cases=5, seed=3) != synth.generate(scripts=50, products=10, cases=5, seed=4)


def test_synthetic_content_is_valid_and_renders_few_pages(tmp_path):
    count = synth.write(tmp_path / "content", synth.generate(scripts=300, products=60, cases=40))
    content = load_content(tmp_path)                      # raises ContentError if anything is wrong
    assert len(content.items) == count == 300 + 60 + 40 + 12 + 4 + 12
    pages = render_site(content)
    script_pages = [p for p in pages if p.startswith("book/kb/scripts/") and not p.endswith("index.md")]
    assert len(script_pages) == 6                          # one page per stage, scripts as anchored sections
    assert all(f"(kb-script-{n:04d})=" in "".join(pages[p] for p in script_pages) for n in range(300))


def test_big_groups_continue_on_further_pages_and_links_follow(tmp_path):
    from kb.render import PAGE_SIZE, anchor, page_of
    synth.write(tmp_path / "content", synth.generate(scripts=6 * (2 * PAGE_SIZE + 1), products=10, cases=5))
    content = load_content(tmp_path)
    pages = render_site(content)
    objection = sorted(p for p in pages if p.startswith("book/kb/scripts/objection"))
    assert objection == ["book/kb/scripts/objection-2.md", "book/kb/scripts/objection-3.md", "book/kb/scripts/objection.md"]
    assert pages["book/kb/scripts/objection-2.md"].count("\n## ") == PAGE_SIZE
    assert "# 异议处理话术（2\\/3）" in pages["book/kb/scripts/objection-2.md"]
    for item in content.of_kind("script"):
        assert f"({anchor(item.id)})=" in pages[page_of(item, content) + ".md"]
    assert "book/kb/scripts/objection-3" in pages["_toc.yml"]
