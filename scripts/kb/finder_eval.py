"""Quality of the reply finder on an evaluation set: top-1, top-3 and mean reciprocal rank.

The set (tests/data/finder_eval.yml) holds customer messages with the script ids each should
land on; even positions are the tuning half, odd positions the held-out half."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from .finder import rank

EVAL_SET = Path(__file__).resolve().parents[2] / "tests" / "data" / "finder_eval.yml"


@dataclass(frozen=True)
class Case:
    query: str
    ids: tuple[str, ...]
    held_out: bool


@dataclass
class Score:
    cases: int = 0
    top1: int = 0
    top3: int = 0
    reciprocal: float = 0.0
    misses: list = None

    def line(self) -> str:
        if not self.cases:
            return "no cases"
        return (f"top-1 {self.top1}/{self.cases} ({100 * self.top1 / self.cases:.1f} %), "
                f"top-3 {self.top3}/{self.cases} ({100 * self.top3 / self.cases:.1f} %), MRR {self.reciprocal / self.cases:.3f}")

    @property
    def top1_rate(self) -> float:
        return self.top1 / self.cases

    @property
    def top3_rate(self) -> float:
        return self.top3 / self.cases


def load_cases(path: Path = EVAL_SET) -> list[Case]:
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Case(str(e["q"]), tuple(e["ids"]), n % 2 == 1) for n, e in enumerate(entries)]


def score_rankings(ranked_by_query: dict[str, list[str]], cases: list[Case]) -> Score:
    """Score ranked script ids (best first, per query) against the expected ids of each case."""
    score = Score(misses=[])
    for case in cases:
        ranked = ranked_by_query[case.query]
        position = next((i for i, doc_id in enumerate(ranked) if doc_id in case.ids), None)
        score.cases += 1
        if position is not None:
            score.reciprocal += 1 / (position + 1)
            score.top1 += position == 0
            score.top3 += position < 3
        if position is None or position > 0:
            score.misses.append((case.query, case.ids, ranked[:3]))
    return score


def ranked_ids(index: dict, query: str, limit: int = 10) -> list[str]:
    return [index["docs"][n]["id"] for n, _ in rank(index, query)[:limit]]


def evaluate(index: dict, cases: list[Case]) -> Score:
    return score_rankings({case.query: ranked_ids(index, case.query) for case in cases}, cases)
