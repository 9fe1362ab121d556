"""Benchmark section `practice` for scripts/bench.py: drills and Anki decks for every role
(target: both together ≤ 2 s on the large synthetic set), timed on content already loaded."""
from __future__ import annotations

from pathlib import Path

from ..quiz.bench import _median_time as _median


def section_practice(root: Path, runs: int) -> list[tuple[str, float, str]]:
    from ..content import load_content
    from ..render import _environment, _Helpers
    from ..review import published, today
    from .deck import write_decks
    from .drills import all_drills, drills_by_role
    from .generate import drill_notebook_files
    from .page import render_practice_pages
    loaded = published(load_content(root), today())

    def fresh():
        # a new content object each run: all_drills caches its result on the content
        return type(loaded)(dict(loaded.items), loaded.warnings)

    def drills():
        content = fresh()
        return drills_by_role(content, all_drills(content))

    def pages():
        content = fresh()
        return render_practice_pages(content, _environment(), _Helpers(content).context())

    def decks():
        return write_decks(root, content=fresh())

    def together():
        # issue 16: one content object, so the quizzes share one derived question pool and the
        # drills are derived once
        from ..quiz.bank import read_bank
        from ..quiz.blueprint import item_pool
        from ..quiz.generate import build_all
        content = fresh()
        build_all(content, item_pool(content, read_bank(root)), 0, "practice")
        drills_by_role(content, all_drills(content))
        write_decks(root, content=content)

    per_role = drills()
    count = sum(len(v) for v in per_role.values())
    written = decks()
    notes = sum(written.values())
    drill_time, page_time, deck_time = _median(drills, runs), _median(pages, runs), _median(decks, runs)
    notebook_time = _median(lambda: drill_notebook_files(fresh(), None), runs)
    return [("drills for every role", drill_time, f"{len(all_drills(fresh()))} drills, {count} role-drill pairs, {len(per_role)} roles"),
            ("drill pages for every role", page_time, f"{len(pages())} files (render only)"),
            ("Anki decks for every role", deck_time, f"{len(written)} decks, {notes} notes, written to decks/"),
            ("drills + decks together", drill_time + deck_time, "target ≤ 2 s"),
            ("quizzes, drills and decks for every role", _median(together, runs),
             "one content object: select every role's quiz from one derived pool, drills, write the decks; target ≤ 1 s at 2,800 items"),
            ("drill notebooks for every role", notebook_time, "render only")]


SECTIONS = {"practice": section_practice}
