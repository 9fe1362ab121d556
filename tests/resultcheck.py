"""Helpers for the results tests: genuine attempt records made the way the quiz runtime makes
them (fast, without executing notebooks), and the results database read back."""
from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path

from quizcheck import quizzes_of, typed_right, wrong

from kb.quiz.generate import site_links
from kb.quiz.payload import learner_payload
from kb.quiz.runtime import grade_item, new_record


def quiz_payload(root: Path, role: str = "rep", mode: str = "practice", seed: int = 0) -> tuple[dict, object]:
    """What the learner's notebook carries for the role's quiz, and the Quiz itself."""
    from kb.content import load_content
    quiz = quizzes_of(root, seed, mode)[role]
    return learner_payload(quiz, site_links(load_content(root), None, "quizzes")), quiz


def attempt(payload: dict, quiz, learner: str, right: int, submitted_at: str | None = None) -> dict:
    """A record as the runtime saves it: the first `right` questions answered right."""
    answers = [typed_right(q) if i < right else wrong(q) for i, q in enumerate(quiz.questions)]
    entries = [grade_item(payload, item, answer) for item, answer in zip(payload["items"], answers)]
    return new_record(payload, learner, entries, "notebook", submitted_at=submitted_at)


def full_marks(record: dict) -> dict:
    """The record as a dishonest learner would edit it: every answer marked right, score 100,
    passed, and the digest recomputed (the code for it is in every notebook)."""
    from kb.quiz.records import seal_record
    return seal_record({**record, "score": 100, "passed": True, "items": [{**e, "correct": True} for e in record["items"]]})


def many_attempts(payload: dict, quiz, count: int, seed: int, prefix: str) -> list[dict]:
    rng = random.Random(seed)
    return [attempt(payload, quiz, f"{prefix}{n % 500}", rng.randrange(len(quiz.questions) + 1)) for n in range(count)]


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def db_rows(root: Path, query: str, *values) -> list[tuple]:
    connection = sqlite3.connect(root / "results" / "results.sqlite3")
    try:
        return connection.execute(query, values).fetchall()
    finally:
        connection.close()
