"""错题本: a learner's personal practice set from their quiz attempts — the items they missed
(each item's latest answer was wrong), fresh variants of them (other questions about the same
content) and the drills of the scripts behind them. Pure except `learner_attempts`, the one
function that reads the results store."""
from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass
from pathlib import Path

from ..model import Content
from ..quiz.model import Quiz, QuizItem
from .drills import Drill, all_drills, scripts_behind

VARIANTS_PER_ITEM = 2


def learner_attempts(root: Path, learner: str) -> list[dict]:
    """The learner's attempt records from the results database (written by `kb.py results
    import`), as verified there: a score nobody verified has no `correct` marks. Reading the
    results store happens here only."""
    from ..coaching.db import DATABASE, connect, report_records
    if not (root / DATABASE).exists() and not (root / "results" / "store.jsonl").exists():
        return []
    connection = connect(root)
    try:
        records = report_records(connection)
    finally:
        connection.close()
    return [r for r in records if str(r.get("learner", "")).strip() == learner.strip()]


def missed_item_ids(attempts: list[dict]) -> list[str]:
    """Items whose latest graded answer was wrong, in the order they were last answered."""
    latest: dict[str, tuple[str, bool]] = {}
    for record in sorted(attempts, key=lambda r: (r.get("submitted_at", ""), r.get("attempt_id", ""))):
        for entry in record.get("items") or []:
            if "correct" in entry:
                latest[entry["item_id"]] = (record.get("submitted_at", ""), bool(entry["correct"]))
    return [item_id for item_id, (_, right) in sorted(latest.items(), key=lambda kv: (kv[1][0], kv[0])) if not right]


@dataclass(frozen=True)
class PracticeSet:
    learner: str
    missed: tuple[QuizItem, ...]
    variants: tuple[QuizItem, ...]
    drills: tuple[Drill, ...]
    gone: tuple[str, ...]            # missed items no longer in the item pool (content changed)


def practice_set(content: Content, pool: list[QuizItem], learner: str, attempts: list[dict]) -> PracticeSet:
    by_id = {item.id: item for item in pool}
    missed_ids = missed_item_ids(attempts)
    missed = [by_id[i] for i in missed_ids if i in by_id]
    taken = {item.id for item in missed}
    rng = random.Random(f"mistakes|{learner}")
    variants = []
    for item in missed:
        others = sorted((c for c in pool if c.content_id == item.content_id and c.id not in taken), key=lambda c: c.id)
        for chosen in rng.sample(others, min(VARIANTS_PER_ITEM, len(others))):
            taken.add(chosen.id)
            variants.append(chosen)
    scripts = []
    for item in missed:
        scripts += [s for s in scripts_behind(content, item.content_id) if s not in scripts]
    drills = [d for script in scripts for d in all_drills(content) if d.script_id == script]
    return PracticeSet(learner, tuple(missed), tuple(variants), tuple(drills), tuple(i for i in missed_ids if i not in by_id))


def slug(learner: str) -> str:
    """A file name for the learner: letters (Chinese too), digits, - and _ kept."""
    cleaned = re.sub(r"[^\w-]+", "_", learner.strip()).strip("_")
    return cleaned[:40] or "learner-" + hashlib.sha1(learner.encode("utf-8")).hexdigest()[:8]


def practice_quiz(chosen: PracticeSet, role_id: str, role_name: str) -> Quiz:
    """The missed items and their variants as a self-graded practice quiz (fresh option order)."""
    from ..quiz.blueprint import present, versioned
    items = list(chosen.missed) + list(chosen.variants)
    quiz_id = f"mistakes-{slug(chosen.learner)}"
    salt = hashlib.sha256(("kb-mistakes|" + quiz_id + "|" + "|".join(i.id for i in items)).encode("utf-8")).hexdigest()[:16]
    questions = tuple(present(item, random.Random(f"{salt}|{item.id}")) for item in items)
    quiz = Quiz(quiz_id=quiz_id, role_id=role_id, role_name=f"{role_name} · {chosen.learner}的错题本", seed=0, mode="practice",
                pass_mark=100, salt=salt, version="", questions=questions)
    return versioned(quiz)
