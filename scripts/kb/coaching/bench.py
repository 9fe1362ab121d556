"""Benchmark section `report` for scripts/bench.py: the coaching report's statistics over
100,000 simulated attempts of 20 items, and whole reports (executed notebook + page)."""
from __future__ import annotations

import time
from pathlib import Path

ATTEMPTS = 100_000
QUESTIONS = 20


def big_records(content, attempts: int = ATTEMPTS, questions: int = QUESTIONS) -> list[dict]:
    """Exactly `attempts` simulated records of `questions` items each, spread over every role."""
    import numpy as np
    from .simulate import DEMO_SEED, demo_plans, simulate
    plans = demo_plans(content, np.random.default_rng(DEMO_SEED), questions=questions)
    per_role = attempts // max(len(plans), 1) + 1          # about 1.6 attempts per learner
    plans = [type(plan)(plan.role, plan.quiz_id, plan.pass_mark, plan.items, int(per_role / 1.4)) for plan in plans]
    records = simulate(plans)
    while len(records) < attempts:                         # top up with a second, later seed
        records += simulate(plans, seed=DEMO_SEED + len(records))
    return records[:attempts]


def practice_records(root: Path, count: int, seed: int = 1) -> list[dict]:
    """`count` genuine practice records of the first role's quiz, answered at random, made as
    the quiz runtime makes them (so `results import` re-grades them and accepts them)."""
    import random
    from ..content import load_content
    from ..quiz.bank import load_bank
    from ..quiz.blueprint import item_pool
    from ..quiz.generate import build_all, site_links
    from ..quiz.payload import learner_payload
    from ..quiz.runtime import grade_item, new_record
    from ..review import published, today
    everything = load_content(root)
    content = published(everything, today())
    quiz = build_all(content, item_pool(content, load_bank(root, everything)), 0, "practice")[0][0]
    payload = learner_payload(quiz, site_links(content, None, "quizzes"))
    rng = random.Random(seed)
    guesses = {"single": "ABCD", "multiple": ["AB", "AC", "BD"], "true_false": "TF", "ordering": ["ABCD", "BACD"],
               "matching": ["ABC", "BCA"], "numeric": ["24", "48"]}
    return [new_record(payload, f"学员{n % 5000}", [grade_item(payload, item, rng.choice(guesses[item["type"]])) for item in payload["items"]], "web")
            for n in range(count)]


def section_import(root: Path, runs: int) -> list[tuple[str, float, str]]:
    import json
    import shutil
    from bench import median_time, run_kb
    records = practice_records(root, 20_000)
    path = root / "bench-import.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    seconds = median_time(lambda: run_kb(root, "results", "import", str(path)), runs,
                          before=lambda: shutil.rmtree(root / "results", ignore_errors=True))
    path.unlink()
    return [("kb.py results import of 20,000 practice records", seconds, "schema, digest, re-graded from the answers, one transaction")]


def section_report(root: Path, runs: int) -> list[tuple[str, float, str]]:
    from bench import median_time, run_kb
    from ..content import load_content
    from .analysis import analyse, page_index
    from .db import DATABASE, connect, report_records
    from .report import fill_database
    from .table import build_table
    content = load_content(root)
    started = time.perf_counter()
    records = big_records(content)
    simulated = time.perf_counter() - started
    answers = sum(len(r["items"]) for r in records)
    pages = page_index(content, "../_build/html/")
    roles = {role.id: role.title for role in content.of_kind("role")}
    table = build_table(records)
    rows = [("simulate 100,000 attempts (setup, not a target)", simulated, f"{len(records):,} attempts, {answers:,} answers"),
            ("records -> table", median_time(lambda: build_table(records), runs), "columnar numpy arrays"),
            ("statistics (roles, topics, items, KR-20, learners)", median_time(lambda: analyse(table, pages, roles), runs),
             f"{len(table.learners):,} learners, {len(table.items)} items; target ≤ 2 s with the table step"),
            ("records -> table -> statistics", median_time(lambda: analyse(build_table(records), pages, roles), runs), "target ≤ 2 s"),
            ("records -> table -> statistics, CPU time", median_time(lambda: analyse(build_table(records), pages, roles), runs, clock=time.process_time),
             "time.process_time: what the target means on a machine shared with other work")]
    rows.append(("kb.py report --demo", median_time(lambda: run_kb(root, "report", "--demo"), runs),
                 "simulate demo, execute notebook, write page and one-to-one pages; target ≤ 20 s"))
    started = time.perf_counter()
    fill_database(root / DATABASE, records)
    rows.append(("write 100,000 attempts into the database (setup)", time.perf_counter() - started, "one transaction, attempts + answers + results"))
    size_mb = (root / DATABASE).stat().st_size / 1e6

    def read_database():
        connection = connect(root)
        try:
            return report_records(connection)
        finally:
            connection.close()
    rows.append(("read 100,000 attempts from the database", median_time(read_database, runs), f"{size_mb:.0f} MB SQLite file"))
    rows.append(("read 100,000 attempts from the database, CPU time", median_time(read_database, runs, clock=time.process_time), "time.process_time"))
    seconds = median_time(lambda: run_kb(root, "report"), runs)
    page_mb = (root / "reports" / "coaching.html").stat().st_size / 1e6
    rows.append(("kb.py report over 100,000 attempts", seconds, f"read database, execute notebook, write page ({page_mb:.1f} MB) and up to 2,000 one-to-one pages; target ≤ 20 s"))
    return rows


SECTIONS = {"import": section_import, "report": section_report}
