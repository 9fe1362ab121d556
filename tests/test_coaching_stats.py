"""Item statistics against values worked out by hand on a tiny data set.

Five learners, one fixed form of three items (1 = right):

    learner  item-a  item-b  item-c   total
    甲        1       1       1        3
    乙        1       1       0        2
    丙        1       0       0        1
    丁        0       1       0        1
    戊        0       0       0        0

facility: a = b = 3/5, c = 1/5.
item-rest correlation, e.g. item a: x = 1,1,1,0,0, rest = 2,1,0,1,0 (means 0.6, 0.8):
Σ(x-x̄)(r-r̄) = 0.48+0.08-0.32-0.12+0.48 = 0.6, Σ(x-x̄)² = 1.2, Σ(r-r̄)² = 2.8,
r = 0.6/√3.36 = √21/14.  Item b the same; item c: 0.8/√(0.8·2.8) = √(2/7).
KR-20: totals 3,2,1,1,0 have population variance 1.04; Σpq = .24+.24+.16 = .64;
3/2 · (1 - .64/1.04) = 15/26.
戊 retakes later and gets everything right: item statistics must not change (first attempts only).
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from kb.coaching import present, stats
from kb.coaching.analysis import analyse
from kb.coaching.table import build_table
from kb.quiz.records import record_digest

KEY = {"item-a": "A", "item-b": "B", "item-c": "C"}
ANSWERS = {   # learner -> responses to a, b, c
    "甲": ("A", "B", "C"),
    "乙": ("A", "B", "B"),
    "丙": ("A", "D", "B"),
    "丁": ("C", "B", "A"),
    "戊": ("D", "A", ""),
}


def make_record(learner: str, responses, when: str, attempt: int, quiz: str = "sales") -> dict:
    items = [{"item_id": item, "topic": topic, "content_id": content, "response": response, "correct": response == KEY[item]}
             for (item, topic, content), response in zip((("item-a", "products", "cream"), ("item-b", "scripts", "ask-price"),
                                                          ("item-c", "rules", "group-rules")), responses)]
    right = sum(i["correct"] for i in items)
    record = {"record_version": 1, "attempt_id": f"{attempt:08x}-0000-4000-8000-000000000000", "learner": learner,
              "role": "rep", "quiz_id": quiz, "quiz_version": "v1", "seed": 1, "mode": "practice", "source": "notebook",
              "submitted_at": when, "score": round(100 * right / 3, 1), "passed": right >= 2, "pass_mark": 60, "items": items}
    record["digest"] = record_digest(record)
    return record


@pytest.fixture(scope="module")
def tiny_records() -> list[dict]:
    records = [make_record(name, answers, f"2026-09-{7 + n:02d}T10:00:00+08:00", n) for n, (name, answers) in enumerate(ANSWERS.items())]
    records.append(make_record("戊", ("A", "B", "C"), "2026-09-20T10:00:00+08:00", 99))   # retake: not in item statistics
    return records


@pytest.fixture(scope="module")
def tiny_analysis(tiny_records):
    return analyse(build_table(tiny_records), {}, {"rep": "销售"})


def long_format():
    matrix = np.array([[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 1, 0], [0, 0, 0]], float)
    attempt, item = np.nonzero(np.ones_like(matrix))
    return matrix, attempt, item, matrix[attempt, item]


def test_facility_by_hand():
    _, attempt, item, correct = long_format()
    facility, n = stats.facility(item, correct, 3)
    assert facility.tolist() == [0.6, 0.6, 0.2]
    assert n.tolist() == [5, 5, 5]


def test_item_rest_discrimination_by_hand():
    _, attempt, item, correct = long_format()
    r, n = stats.discrimination(attempt, item, correct, 5, 3)
    assert r == pytest.approx([math.sqrt(21) / 14, math.sqrt(21) / 14, math.sqrt(2 / 7)], abs=1e-12)
    assert n.tolist() == [5, 5, 5]


def test_kr20_by_hand():
    matrix, attempt, item, correct = long_format()
    assert stats.kr20(matrix) == pytest.approx(15 / 26, abs=1e-12)
    assert np.array_equal(stats.complete_matrix(attempt, item, correct), matrix)


def test_kr20_is_undefined_without_spread():
    assert math.isnan(stats.kr20(np.ones((4, 3))))
    assert math.isnan(stats.kr20(np.ones((4, 1))))


def test_discrimination_undefined_when_everyone_is_right():
    r, n = stats.discrimination(np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1]), np.array([1.0, 1.0, 1.0, 0.0]), 2, 2)
    assert math.isnan(r[0]) and n.tolist() == [2, 2]


def test_most_chosen_wrong_option_ignores_blanks_and_breaks_ties_alphabetically():
    # responses coded A=1, B=2, C=3, D=4, blank=0; item 0: wrong C, D (tie) ; item 1: wrong B, B, A, blank
    item = np.array([0, 0, 0, 1, 1, 1, 1, 1])
    response = np.array([1, 4, 3, 2, 2, 1, 0, 3])
    correct = np.array([1, 0, 0, 0, 0, 0, 0, 1], float)
    codes, counts, wrong = stats.most_chosen_wrong(item, response, correct, blank=0, n_items=2)
    assert codes.tolist() == [3, 2]
    assert counts.tolist() == [1, 2]
    assert wrong.tolist() == [2, 3]


def test_group_median_and_first_last():
    median, n = stats.group_median(np.array([0, 0, 0, 1, 1, 2]), np.array([5.0, 1.0, 3.0, 4.0, 2.0, 7.0]), 4)
    assert median[:3].tolist() == [3.0, 3.0, 7.0] and math.isnan(median[3])
    assert n.tolist() == [3, 2, 1, 0]
    first, last = stats.first_and_last(np.array([1, 0, 1, 0]), np.array([5, 9, 2, 1]))
    assert first.tolist() == [False, False, True, True]
    assert last.tolist() == [True, True, False, False]


def test_item_flags_follow_the_thresholds():
    good = stats.Stat(0.6, 40)
    assert stats.item_flags(good, stats.Stat(0.35, 40)) == []
    assert stats.item_flags(stats.Stat(0.3, 40), stats.Stat(0.35, 40)) == ["太难"]
    assert stats.item_flags(stats.Stat(0.96, 40), stats.Stat(0.35, 40)) == ["太容易"]
    assert stats.item_flags(good, stats.Stat(0.1, 40)) == ["区分度低"]
    assert stats.item_flags(good, stats.Stat(-0.3, 40)) == ["负区分度"]
    assert stats.item_flags(stats.Stat(0.1, 9), stats.Stat(-0.9, 9)) == []      # too few to judge


def test_analysis_uses_first_attempts_for_items(tiny_analysis):
    rows = {row.item_id: row for row in tiny_analysis.items}
    assert [rows[i].facility for i in ("item-a", "item-b", "item-c")] == [stats.Stat(0.6, 5), stats.Stat(0.6, 5), stats.Stat(0.2, 5)]
    assert rows["item-a"].discrimination.value == pytest.approx(math.sqrt(21) / 14, abs=1e-12)
    assert rows["item-c"].discrimination.value == pytest.approx(math.sqrt(2 / 7), abs=1e-12)
    # item a: wrong answers C (丁) and D (戊): a tie, C first; item c: B twice, A once, one blank
    assert (rows["item-a"].wrong_response, rows["item-a"].wrong_count, rows["item-a"].wrong_total) == ("C", 1, 2)
    assert (rows["item-c"].wrong_response, rows["item-c"].wrong_count, rows["item-c"].wrong_total) == ("B", 2, 3)
    assert tiny_analysis.reliability[0].kr20.value == pytest.approx(15 / 26, abs=1e-12)
    assert tiny_analysis.reliability[0].kr20.n == 5


def test_small_numbers_say_data_insufficient(tiny_analysis):
    assert all(not row.flags for row in tiny_analysis.items)          # n = 5 < 10: no verdicts
    html = present.fragment("items", tiny_analysis)
    assert "数据不足</span><span class=\"n\">（n=5）</span>" in html
    assert "60%" not in html
    role = tiny_analysis.roles[0]
    assert (role.attempts, role.pass_rate, role.median) == (6, stats.Stat(0.5, 6), stats.Stat(50.0, 6))
    assert "数据不足</span><span class=\"n\">（n=6）</span>" in present.fragment("roles", tiny_analysis)


def test_learner_rows_use_latest_attempt(tiny_analysis):
    rows = {row.name: row for row in tiny_analysis.learner_rows}
    assert (rows["戊"].attempts, rows["戊"].first, rows["戊"].latest, rows["戊"].best, rows["戊"].improvement, rows["戊"].passed) == (2, 0.0, 100.0, 100.0, 100.0, True)
    assert rows["丙"].weak_topics == [("话术", 0, 1), ("群规", 0, 1)]
    assert [(page.content_id, missed) for page, missed in rows["丙"].reading] == [("ask-price", 1), ("group-rules", 1)]
    assert rows["甲"].reading == [] and rows["甲"].improvement is None
    assert [row.name for row in tiny_analysis.learner_rows] == ["丙", "丁", "乙", "甲", "戊"]   # not passed first, lowest score first


def test_names_are_escaped(tiny_records):
    record = make_record("<b>Eve</b>", ("A", "B", "C"), "2026-09-08T10:00:00+08:00", 7)
    html = present.fragment("learners", analyse(build_table([record]), {}, {}))
    assert "&lt;b&gt;Eve&lt;/b&gt;" in html and "<b>Eve" not in html
