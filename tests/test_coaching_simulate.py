"""The demo simulator: deterministic, valid records, and item analysis catches its planted flaw."""
from __future__ import annotations

import numpy as np
import pytest

from conftest import FIXTURES, ROOT
from kb.coaching import simulate
from kb.coaching.analysis import analyse
from kb.coaching.store import record_problem
from kb.coaching.table import build_table
from kb.content import load_content


@pytest.fixture(scope="module")
def sample_content():
    return load_content(ROOT, ROOT / "content")


@pytest.fixture(scope="module")
def mini_content():
    return load_content(ROOT, FIXTURES / "mini")


def flagged(records) -> list[tuple[str, str, tuple]]:
    analysis = analyse(build_table(records), {}, {})
    return [(row.quiz, row.item_id, tuple(row.flags)) for row in analysis.flagged]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_planted_flawed_item_is_flagged_and_good_items_are_not(mini_content, seed):
    plans = simulate.demo_plans(mini_content, np.random.default_rng(seed), questions=20, team=400)
    assert simulate.planted_items(plans) == [("rep", "demo-rep-03")]
    assert flagged(simulate.simulate(plans, seed)) == [("rep", "demo-rep-03", ("负区分度",))]


def test_the_demo_shows_exactly_the_planted_flaw(sample_content):
    records, plans = simulate.demo_records(sample_content)
    assert simulate.planted_items(plans) == [("sales", "demo-sales-03")]
    assert flagged(records) == [("sales", "demo-sales-03", ("负区分度",))]


def test_the_demo_is_deterministic(mini_content):
    first, _ = simulate.demo_records(mini_content)
    second, _ = simulate.demo_records(mini_content)
    assert first == second
    assert len(first) > 40


def test_simulated_records_are_valid_records(sample_content):
    records, _ = simulate.demo_records(sample_content)
    assert [problem for r in records if (problem := record_problem(r, "demo", 1))] == []
    assert {r["role"] for r in records} == {role.id for role in sample_content.of_kind("role")}
    assert len({r["attempt_id"] for r in records}) == len(records)
