"""The synthetic large content set: deterministic, valid, cross-referenced, renders grouped pages."""
from __future__ import annotations

from kb import synth
from kb.content import load_content
from kb.pipeline import site_files


def test_generation_is_deterministic():
    assert synth.generate(scripts=50, products=10, cases=5, seed=3) == synth.generate(scripts=50, products=10, cases=5, seed=3)
    assert synth.generate(scripts=50, products=10, cases=5, seed=3) != synth.generate(scripts=50, products=10, cases=5, seed=4)


def test_synthetic_content_is_valid_and_renders_few_pages(tmp_path):
    count = synth.write(tmp_path / "content", synth.generate(scripts=300, products=60, cases=40))
    content = load_content(tmp_path)                      # raises ContentError if anything is wrong
    assert len(content.items) == count == 300 + 60 + 40 + 12 + 4 + 12
    pages = site_files(content)
    script_pages = [p for p in pages if p.startswith("book/kb/scripts/") and not p.endswith("index.md")]
    assert len(script_pages) == 6                          # one page per stage, scripts as anchored sections
    assert all(f"(kb-script-{n:04d})=" in "".join(pages[p] for p in script_pages) for n in range(300))


def test_big_groups_continue_on_further_pages_and_links_follow(tmp_path):
    from kb.render import PAGE_SIZE, anchor, page_of
    synth.write(tmp_path / "content", synth.generate(scripts=6 * (2 * PAGE_SIZE + 1), products=10, cases=5))
    content = load_content(tmp_path)
    pages = site_files(content)
    objection = sorted(p for p in pages if p.startswith("book/kb/scripts/objection"))
    assert objection == ["book/kb/scripts/objection-2.md", "book/kb/scripts/objection-3.md", "book/kb/scripts/objection.md"]
    assert pages["book/kb/scripts/objection-2.md"].count("\n## ") == PAGE_SIZE
    assert "# 异议处理话术（2\\/3）" in pages["book/kb/scripts/objection-2.md"]
    for item in content.of_kind("script"):
        assert f"({anchor(item.id)})=" in pages[page_of(item, content) + ".md"]
    assert "book/kb/scripts/objection-3" in pages["_toc.yml"]


def test_a_large_scripts_index_lists_stage_pages_instead_of_every_script(tmp_path):
    from kb.render import PAGE_SIZE, SCRIPTS_LISTED_UP_TO
    scripts = 6 * (2 * PAGE_SIZE + 1)
    assert scripts > SCRIPTS_LISTED_UP_TO
    synth.write(tmp_path / "content", synth.generate(scripts=scripts, products=10, cases=5))
    pages = site_files(load_content(tmp_path))
    index = pages["book/kb/scripts/index.md"]
    assert "#kb-script-" not in index
    assert "- [异议处理话术（2\\/3）](#kb-stage-objection-2)：50 条\n" in index
    assert "## 异议处理（101 条）" in index
    # every stage page is listed, and every listed page has the label the link names
    for name, page in pages.items():
        if name.startswith("book/kb/scripts/") and name != "book/kb/scripts/index.md":
            key = name.rsplit("/", 1)[1].removesuffix(".md")
            assert f"(#kb-stage-{key})" in index
            assert f"(kb-stage-{key})=" in page


def test_a_small_scripts_index_lists_every_script(tmp_path):
    synth.write(tmp_path / "content", synth.generate(scripts=60, products=10, cases=5))
    index = site_files(load_content(tmp_path))["book/kb/scripts/index.md"]
    assert all(f"(#kb-script-{n:04d})" in index for n in range(60))
    assert "#kb-stage-" not in index


def test_every_mix_has_the_asked_size_and_validates(tmp_path):
    for mix in synth.MIXES:
        counts = synth.mix_counts(mix, 300)
        assert sum(counts.values()) == 300 and min(counts.values()) >= 1, (mix, counts)
        folder = tmp_path / mix
        written = synth.write(folder / "content", synth.generate_mix(mix, 300))
        content = load_content(folder)                     # raises ContentError if anything is wrong
        assert len(content.items) == written == 300 + 12


def test_mixes_differ_in_what_they_are_heavy_in():
    scripts_first = synth.mix_counts("script-heavy", 2800)
    procedures_first = synth.mix_counts("procedure-heavy", 2800)
    assert scripts_first["scripts"] > 0.85 * 2800
    assert procedures_first["rules"] + procedures_first["sops"] > 0.75 * 2800


def test_one_role_mix_names_a_single_role_everywhere():
    data = synth.generate_mix("one-role", 300)
    named = {role for kind, items in data.items() if kind != "roles" for item in items for role in item.get("roles", [])}
    named |= {item["owner_role"] for item in data["sops"]} | {step["who"] for item in data["sops"] for step in item["steps"]}
    assert named == {"role-00"}


def test_the_default_large_set_is_unchanged_by_the_mixes():
    # benchmarks before and after the mixes were added measure the same content
    import hashlib
    import json
    digest = hashlib.sha256(json.dumps(synth.generate(scripts=200, products=50, cases=30), ensure_ascii=False,
                                       sort_keys=True).encode()).hexdigest()
    assert digest == _DEFAULT_SET_DIGEST, digest


# sha256 of generate(scripts=200, products=50, cases=30) before the mixes were added; change it
# only together with a note in BENCHMARKS.md that the large set changed
_DEFAULT_SET_DIGEST = "83d982bf999a95568608cd2ea0c1c5b92f4d08b8ec93cc927202e1a59635a8d7"


# ---- scale behaviour (issue 16): grouped procedures, caches keyed by their inputs ----

def _mix_project(tmp_path, mix: str, total: int):
    synth.write(tmp_path / "content", synth.generate_mix(mix, total))
    return tmp_path


def test_procedure_heavy_content_stays_a_few_pages(tmp_path):
    from kb.render import PAGE_SIZE, anchor, page_of
    content = load_content(_mix_project(tmp_path, "procedure-heavy", 600))
    pages = site_files(content)
    rule_pages = [p for p in pages if p.startswith("book/kb/rules/") and not p.endswith("index.md")]
    sop_pages = [p for p in pages if p.startswith("book/kb/sops/") and not p.endswith("index.md")]
    rules, sops = content.of_kind("rule"), content.of_kind("sop")
    assert len(rules) == len(sops) == 240
    assert len(rule_pages) == -(-len(rules) // PAGE_SIZE)          # one group, pages of PAGE_SIZE
    owners = {sop.data["owner_role"] for sop in sops}
    assert len(owners) <= len(sop_pages) <= len(owners) + len(sops) // PAGE_SIZE
    for item in rules + sops:                                        # every link lands on the item's anchor
        assert f"({anchor(item.id)})=" in pages[page_of(item, content) + ".md"]
    owner = content.items[sops[0].data["owner_role"]]
    assert f"# 流程 · {owner.title}" in pages[page_of(sops[0], content) + ".md"]


def test_a_warm_render_cache_gives_the_same_pages_without_rendering_again(tmp_path):
    from kb.render import RenderCache
    content = load_content(_mix_project(tmp_path, "proportional", 400))
    cold = RenderCache()
    pages = site_files(content, cache=cold)
    assert pages == site_files(content)                             # the cache changes nothing shown
    warm = RenderCache(cold.used)
    assert site_files(content, cache=warm) == pages
    assert warm.used == cold.used and not warm.changed           # kept whole for the next run
    assert warm.misses == 0 and warm.hits > 0


def test_an_edited_item_renders_only_its_own_section_and_page(tmp_path):
    from dataclasses import replace
    from kb.model import Content
    from kb.render import RenderCache, page_of
    content = load_content(_mix_project(tmp_path, "proportional", 400))
    cold = RenderCache()
    before = site_files(content, cache=cold)
    script = content.of_kind("script")[0]
    edited_data = {**script.data, "response": {**script.data["response"], "text": "改过的回复。"}}
    edited = Content({**content.items, script.id: replace(script, data=edited_data)})
    warm = RenderCache(cold.used)
    after = site_files(edited, cache=warm)
    assert after == site_files(edited)                              # same as rendering from nothing
    changed = {rel for rel in after if after[rel] != before[rel]}
    made_from_all = {rel for rel in changed if "/quizzes/" in rel or "/practice/" in rel or rel.endswith("finder-index.js")}
    assert changed == {page_of(script, edited) + ".md"} | made_from_all
    # misses: the script's page, and the overview, self-check, finder and practice pages and the
    # table of contents (made from all content), and the finder's search terms of the script
    assert warm.misses == 7
    terms = [key for key in warm.used if key.startswith("memo:finder-terms:")]
    assert len(terms) == len(edited.items)          # every item's terms kept for the next edit


def test_edited_synonyms_make_a_new_finder_index_from_a_warm_cache(tmp_path):
    from kb.finder import INDEX_FILE
    from kb.model import Content
    from kb.render import RenderCache
    content = load_content(_mix_project(tmp_path, "proportional", 300))
    cold = RenderCache()
    before = site_files(content, cache=cold)
    synonyms = content.synonyms + [["面霜", "霜霜"]]
    after = site_files(Content(content.items, synonyms=synonyms), cache=RenderCache(cold.used))
    assert after[INDEX_FILE] == site_files(Content(content.items, synonyms=synonyms))[INDEX_FILE]
    assert "霜霜" in after[INDEX_FILE] and "霜霜" not in before[INDEX_FILE]


def test_a_title_change_renders_the_links_to_it_again(tmp_path):
    from dataclasses import replace
    from kb.model import Content
    from kb.render import RenderCache, anchor
    content = load_content(_mix_project(tmp_path, "proportional", 300))
    cold = RenderCache()
    site_files(content, cache=cold)
    product = content.of_kind("product")[0]
    renamed = Content({**content.items, product.id: replace(product, data={**product.data, "name": "新名字的产品"})})
    after = site_files(renamed, cache=RenderCache(cold.used))
    assert after == site_files(renamed)
    linking = [rel for rel, text in after.items() if f"(#{anchor(product.id)})" in text and "/products/" not in rel]
    assert linking and all("[新名字的产品]" in after[rel] for rel in linking)


def test_the_read_cache_skips_clean_files_and_still_reports_problems_where_they_are(tmp_path):
    import pytest
    from kb.content import ReadCache
    from kb.problems import ContentError
    root = _mix_project(tmp_path, "proportional", 200)
    cold = ReadCache()
    first = load_content(root, cache=cold)
    assert len(cold.used) == len(first.items)                        # every synthetic file reads cleanly
    warm = ReadCache(cold.used)
    second = load_content(root, cache=warm)
    assert {i: item.data for i, item in second.items.items()} == {i: item.data for i, item in first.items.items()}
    assert not warm.changed
    # a cached file that now names a removed item: the problem still has its line and column
    case = first.of_kind("case")[0]
    product_id = case.data["related_products"][0]
    (root / "content" / "products" / f"{product_id}.yml").unlink()
    with pytest.raises(ContentError) as raised:
        load_content(root, cache=ReadCache(cold.used))
    uncached = [p for p in _problems(root) if p.file == case.file]
    cached = [p for p in raised.value.problems if p.file == case.file]
    assert cached == uncached and cached[0].line > 1
    # an edited file is read again, and its own problem is reported
    script = root / "content" / "scripts" / "script-0000.yml"
    script.write_text(script.read_text(encoding="utf-8").replace("stage: ", "stage: nowhere-", 1), encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        load_content(root, cache=ReadCache(cold.used))
    assert any(p.file.endswith("script-0000.yml") and p.field == "stage" for p in raised.value.problems)


def _problems(root):
    from kb.problems import ContentError
    try:
        load_content(root)
    except ContentError as error:
        return error.problems
    return []


def test_the_build_keeps_its_caches_and_a_no_op_render_renders_nothing(tmp_path):
    from kb import pipeline
    from kb.render import RenderCache
    from kb.writers import read_cache
    root = _mix_project(tmp_path, "procedure-heavy", 150)
    lines = []
    progress = pipeline.Progress(lines.append)
    content = pipeline.check(root, progress)
    pipeline.generate(root, content, progress)
    stored = read_cache(root, pipeline.RENDER_CACHE)
    assert stored and read_cache(root, pipeline.READ_CACHE)
    warm = RenderCache(stored)
    from kb.finder import read_book_pages
    from kb.quiz.bank import read_bank
    site_files(pipeline.check(root, progress), bank=read_bank(root), book_pages=read_book_pages(root), cache=warm)
    assert warm.misses == 0 and warm.used == stored


def test_a_broken_cache_file_is_ignored(tmp_path):
    from kb import pipeline
    from kb.writers import CACHE_DIR
    root = _mix_project(tmp_path, "one-role", 120)
    (root / CACHE_DIR).mkdir(parents=True)
    (root / CACHE_DIR / pipeline.READ_CACHE).write_text("[1, 2", encoding="utf-8")
    (root / CACHE_DIR / pipeline.RENDER_CACHE).write_text('{"x": ', encoding="utf-8")
    progress = pipeline.Progress(lambda line: None)
    content = pipeline.check(root, progress)
    pipeline.generate(root, content, progress)
    assert (root / "book" / "kb" / "_toc.yml").exists() or (root / "_toc.yml").exists()


def test_a_no_op_build_does_not_number_figures(built_mini_site):
    # with numfig on, Sphinx loads every page's doctree on every build, even a no-op
    import pickle
    environment = built_mini_site / "_build" / "work" / "_build" / ".doctrees" / "environment.pickle"
    with environment.open("rb") as handle:
        env = pickle.load(handle)
    assert env.config.numfig is False
    assert env.toc_fignumbers == {}


def test_the_render_cache_key_covers_the_browser_assets_copied_into_the_site():
    """drill.js and drill.css are copied into every build by the drill pages' producer: an edit
    of them alone must render those pages anew (it did not: the key had only code and templates)."""
    from kb.render import _code_files
    names = {path.as_posix().split("scripts/kb/", 1)[1] for path in _code_files()}
    assert {"practice/assets/drill.js", "practice/assets/drill.css", "templates/stage.md.j2", "render.py"} <= names
    assert not [name for name in names if "node_modules" in name]
