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


def section_report(root: Path, runs: int) -> list[tuple[str, float, str]]:
    from bench import median_time, run_kb
    from ..content import load_content
    from ..writers import atomic_write
    from .analysis import analyse, page_index
    from .store import STORE, read_records, record_line
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
            ("records -> table -> statistics", median_time(lambda: analyse(build_table(records), pages, roles), runs), "target ≤ 2 s")]
    rows.append(("kb.py report --demo", median_time(lambda: run_kb(root, "report", "--demo"), runs),
                 "simulate demo, execute notebook, write page; target ≤ 20 s"))
    atomic_write(root / STORE, "".join(record_line(r) + "\n" for r in records).encode("utf-8"))
    size_mb = (root / STORE).stat().st_size / 1e6
    rows.append(("read 100,000-record store", median_time(lambda: read_records(root / STORE, str(STORE)), runs), f"{size_mb:.0f} MB of JSON Lines"))
    seconds = median_time(lambda: run_kb(root, "report"), runs)
    page_mb = (root / "reports" / "coaching.html").stat().st_size / 1e6
    rows.append(("kb.py report over 100,000 attempts", seconds, f"read store, execute notebook, write page ({page_mb:.1f} MB); target ≤ 20 s"))
    return rows


SECTIONS = {"report": section_report}
