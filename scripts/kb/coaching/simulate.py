"""Deterministic demo results: a Rasch model of learners and items, one planted flawed item.

Each learner has an ability θ, each item a difficulty b; a learner answers right with
probability 1 / (1 + e^-(θ - b)). Wrong answers fall mostly on one attractive distractor
(a misconception). The planted flawed item works the other way round — its key is out of
date, so the stronger the learner the likelier they pick the option that is really right
and get marked wrong — which item analysis must catch as negative discrimination.
Learners who fail retake the quiz a week or so later, a little stronger, so trends show.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import numpy as np

from ..quiz.records import record_digest

DEMO_SEED = 20260905         # chosen so the demo shows exactly the planted flaw (tests use larger teams)
START = datetime(2026, 9, 7, tzinfo=timezone(timedelta(hours=8)))     # a Monday, team time
OPTIONS = "ABCD"
TEAM_SIZES = {"sales": 120, "senior-sales": 40, "group-lead": 9, "customer-service": 8, "content-creator": 6, "team-lead": 3}
DEFAULT_TEAM = 40
MAX_QUESTIONS = 20
PLANTED_POSITION = 2          # the third question of the biggest team's quiz
TOPIC_KINDS = {"products": "product", "scripts": "script", "cases": "case", "rules": "rule", "sops": "sop", "roles": "role"}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞建国欣怡子涵浩然思雨晨阳佳琪宇轩"


@dataclass(frozen=True)
class SimItem:
    item_id: str
    topic: str
    content_id: str
    difficulty: float
    key: str
    lure: str                 # the distractor most wrong answers fall on
    flawed: bool = False


@dataclass(frozen=True)
class QuizPlan:
    role: str
    quiz_id: str
    pass_mark: float
    items: tuple[SimItem, ...]
    learners: int

    @property
    def version(self) -> str:
        text = "|".join(f"{i.item_id}:{i.key}" for i in self.items)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _allocate(total: int, weights: dict[str, float]) -> dict[str, int]:
    """Split `total` questions by weight (largest remainder), like a quiz blueprint."""
    if not weights:
        return {}
    whole = sum(weights.values())
    shares = {t: total * w / whole for t, w in weights.items()}
    counts = {t: int(s) for t, s in shares.items()}
    for topic in sorted(shares, key=lambda t: (counts[t] - shares[t], t))[:total - sum(counts.values())]:
        counts[topic] += 1
    return counts


def demo_plans(content, rng: np.random.Generator, questions: int | None = None, team: int | None = None) -> list[QuizPlan]:
    """One quiz per role with a blueprint, items on that role's content; the planted flawed
    item goes into the quiz of the biggest team. `questions` and `team` override the
    blueprint's count and the team sizes (benchmarks use 20 questions and big teams)."""
    plans = []
    for role in content.of_kind("role"):
        blueprint = role.data.get("quiz")
        if not blueprint:
            continue
        path = role.data.get("learning_path") or []
        weights = {t["topic"]: t["weight"] for t in blueprint["topics"] if content.of_kind(TOPIC_KINDS[t["topic"]])}
        counts = _allocate(questions or min(blueprint["questions"], MAX_QUESTIONS), weights)
        items = []
        for topic, count in counts.items():
            kind = TOPIC_KINDS[topic]
            ids = [i for i in path if content.items.get(i) and content.items[i].kind == kind]
            ids += [i.id for i in content.of_kind(kind) if i.id not in ids]
            for n in range(count):
                options = list(rng.permutation(list(OPTIONS)))
                items.append(SimItem(f"demo-{role.id}-{len(items) + 1:02d}", topic, ids[n % len(ids)],
                                     float(rng.uniform(-1.6, 0.6)), options[0], options[1]))
        if items:
            plans.append(QuizPlan(role.id, role.id, float(blueprint["pass_mark"]), tuple(items), team or TEAM_SIZES.get(role.id, DEFAULT_TEAM)))
    if plans:
        biggest = max(range(len(plans)), key=lambda p: (plans[p].learners, -p))
        plan = plans[biggest]
        position = min(PLANTED_POSITION, len(plan.items) - 1)
        items = list(plan.items)
        items[position] = SimItem(items[position].item_id, items[position].topic, items[position].content_id, 0.0,
                                  items[position].key, items[position].lure, flawed=True)
        plans[biggest] = QuizPlan(plan.role, plan.quiz_id, plan.pass_mark, tuple(items), plan.learners)
    return plans


def planted_items(plans: list[QuizPlan]) -> list[tuple[str, str]]:
    return [(plan.quiz_id, item.item_id) for plan in plans for item in plan.items if item.flawed]


def _names(count: int, rng: np.random.Generator) -> list[str]:
    names: list[str] = []
    seen = set()
    while len(names) < count:
        given = "".join(rng.choice(list(GIVEN), size=int(rng.integers(1, 3))))
        name = str(rng.choice(list(SURNAMES))) + given
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def _answer(plan: QuizPlan, theta: float, rng: np.random.Generator) -> tuple[list[str], np.ndarray]:
    """Responses and right/wrong for one attempt (vectorised over the quiz's items)."""
    b = np.array([i.difficulty for i in plan.items])
    flawed = np.array([i.flawed for i in plan.items])
    logit = np.where(flawed, -1.4 * theta + 1.1, theta - b)
    right = rng.random(len(b)) < 1 / (1 + np.exp(-logit))
    draw = rng.random(len(b))
    other = rng.integers(0, 2, len(b))
    responses = []
    for index, item in enumerate(plan.items):
        if right[index]:
            responses.append(item.key)
        elif draw[index] < 0.04:
            responses.append("")
        elif draw[index] < 0.64 or item.flawed:
            responses.append(item.lure)
        else:
            responses.append([o for o in OPTIONS if o not in (item.key, item.lure)][other[index]])
    return responses, right


def _record(plan: QuizPlan, learner: str, theta: float, when: datetime, seed: int, rng: np.random.Generator) -> dict:
    responses, right = _answer(plan, theta, rng)
    score = round(100 * float(right.mean()), 1)
    record = {
        "record_version": 1, "attempt_id": str(_uuid(rng)), "learner": learner, "role": plan.role,
        "quiz_id": plan.quiz_id, "quiz_version": plan.version, "seed": seed, "mode": "practice",
        "source": "notebook" if rng.random() < 0.6 else "web", "submitted_at": when.isoformat(timespec="seconds"),
        "score": score, "passed": score >= plan.pass_mark, "pass_mark": plan.pass_mark,
        "items": [{"item_id": i.item_id, "topic": i.topic, "content_id": i.content_id, "response": r, "correct": bool(c)}
                  for i, r, c in zip(plan.items, responses, right)],
    }
    record["digest"] = record_digest(record)
    return record


def _uuid(rng: np.random.Generator) -> str:
    import uuid
    return str(uuid.UUID(bytes=rng.bytes(16), version=4))


def simulate(plans: list[QuizPlan], seed: int = DEMO_SEED, max_attempts: int = 3) -> list[dict]:
    """Valid result records (digests included) for every learner of every plan, time-ordered."""
    rng = np.random.default_rng(seed)
    records = []
    names = _names(sum(plan.learners for plan in plans), rng)
    for plan in plans:
        team, names = names[:plan.learners], names[plan.learners:]
        for learner in team:
            theta = float(rng.normal(0.8, 1.5))
            when = START + timedelta(days=int(rng.integers(0, 18)), hours=int(rng.integers(9, 22)), minutes=int(rng.integers(0, 60)))
            for attempt in range(max_attempts):
                record = _record(plan, learner, theta, when, attempt + 1, rng)
                records.append(record)
                retake = 0.85 if not record["passed"] else 0.15
                if rng.random() >= retake:
                    break
                theta += 0.6 if not record["passed"] else 0.2       # read the reading list, came back stronger
                when += timedelta(days=int(rng.integers(5, 13)), hours=int(rng.integers(-3, 4)))
    return sorted(records, key=lambda r: (r["submitted_at"], r["attempt_id"]))


def demo_records(content, seed: int = DEMO_SEED) -> tuple[list[dict], list[QuizPlan]]:
    plans = demo_plans(content, np.random.default_rng(seed))
    return simulate(plans, seed), plans
