"""Blueprint selection: a role's quiz from its topics, weights, question count and pass mark.

Pure and deterministic: the same content, bank and seed give the same quiz; another seed
(a variant for a retake) gives other items and option orders with the same topic counts.
"""
from __future__ import annotations

import hashlib
import json
import random
import re
from collections import OrderedDict
from dataclasses import replace

from ..model import Content, Item
from ..problems import Problem
from .model import AUTO_PREFIX, LETTERS, Question, Quiz, QuizItem
from .runtime import answer_hash
from ..i18n import _

MAX_SHUFFLES = 20


def quiz_id_for(role_id: str, seed: int, mode: str) -> str:
    base = role_id if mode == "practice" else f"{role_id}-certify"
    return base if seed == 0 else f"{base}-v{seed}"


def allocate(total: int, topics: list[tuple[str, float]]) -> dict[str, int]:
    """Questions per topic by largest remainder; ties go to the topic listed first."""
    weight_sum = sum(weight for _, weight in topics)
    exact = [(topic, total * weight / weight_sum) for topic, weight in topics]
    counts = {topic: int(share) for topic, share in exact}
    by_remainder = sorted(range(len(exact)), key=lambda i: (-(exact[i][1] - int(exact[i][1])), i))
    for i in by_remainder[:total - sum(counts.values())]:
        counts[exact[i][0]] += 1
    return counts


def fit_to_pool(counts: dict[str, int], capacity: dict[str, int]) -> dict[str, int]:
    """Move questions a topic cannot fill to the topics with items to spare, in blueprint order."""
    fitted = {topic: min(count, capacity.get(topic, 0)) for topic, count in counts.items()}
    missing = sum(counts.values()) - sum(fitted.values())
    while missing:
        spare = [topic for topic in counts if fitted[topic] < capacity.get(topic, 0)]
        if not spare:
            break
        for topic in spare[:missing]:
            fitted[topic] += 1
            missing -= 1
    return fitted


def item_pool(content: Content, bank: list[QuizItem], mode: str = "practice") -> list[QuizItem]:
    """What a quiz of `mode` may ask about published content: hand-written items whose content
    is published and the questions derived from it, split by the fact they ask: certification
    gets its own facts, never shown on the site or in a practice notebook (any seed)."""
    from .derive import derive_items
    everything = [item for item in bank if item.content_id in content.items] + derive_items(content)
    return [item for item in everything if for_certification(item) == (mode == "certify")]


# Derived questions that ask the same fact in another form share a fact key (by id suffix).
_SAME_FACT = ((re.compile(r"^(?:true|section|members)-(\d+)$"), "section-{}"),
              (re.compile(r"^(?:result|driver)-(\d+)$"), "result-{}"),
              (re.compile(r"^(?:response|avoid-\d+)$"), "response"))


def fact_of(item: QuizItem) -> str:
    """What an item asks, as a key: derived forms of one fact (a rule as true/false and as
    "which section", a case result and its driver, a reply and the reply to avoid) share it."""
    if item.origin == "bank":
        return f"bank:{item.id}"
    suffix = item.id[len(f"{AUTO_PREFIX}{item.content_id}-"):]
    for pattern, fact in _SAME_FACT:
        match = pattern.match(suffix)
        if match:
            return f"{item.content_id}:" + fact.format(*match.groups())
    return f"{item.content_id}:{suffix}"


def for_certification(item: QuizItem) -> bool:
    """A fixed half of the facts, by a hash of the fact: adding content never moves a fact
    that was public into certification."""
    return int(hashlib.sha256(("kb-fact|" + fact_of(item)).encode("utf-8")).hexdigest(), 16) % 2 == 1


def role_pool(items: list[QuizItem], role_id: str) -> dict[str, list[QuizItem]]:
    pool: dict[str, list[QuizItem]] = {}
    for item in items:
        if role_id in item.roles:
            pool.setdefault(item.topic, []).append(item)
    return pool


def select(candidates: list[QuizItem], count: int, rng: random.Random) -> list[QuizItem]:
    """`count` items of one topic: hand-written ones fill up to half (trainers wrote them on
    purpose), derived ones the rest; both spread over as many content items as possible."""
    bank = [item for item in candidates if item.origin == "bank"]
    derived = [item for item in candidates if item.origin != "bank"]
    # at most one hand-written item per content item at first, so no page is asked twice early
    chosen = spread(bank, min(len({item.content_id for item in bank}), (count + 1) // 2), rng)
    chosen += spread(derived, count - len(chosen), rng, asked={item.content_id for item in chosen})
    if len(chosen) < count:      # few derived questions: more hand-written ones
        chosen += spread([item for item in bank if item not in chosen], count - len(chosen), rng)
    return chosen


def spread(candidates: list[QuizItem], count: int, rng: random.Random, asked: set[str] = frozenset()) -> list[QuizItem]:
    """`count` items picked round-robin over their content items, in a seeded random order;
    content already `asked` about comes last."""
    shuffled = sorted(candidates, key=lambda item: item.id)
    rng.shuffle(shuffled)
    groups: OrderedDict[str, list[QuizItem]] = OrderedDict()
    for item in sorted(shuffled, key=lambda item: item.content_id in asked):   # stable sort
        groups.setdefault(item.content_id, []).append(item)
    chosen: list[QuizItem] = []
    depth = 0
    while len(chosen) < count and any(len(group) > depth for group in groups.values()):
        for group in groups.values():
            if len(group) > depth and len(chosen) < count:
                chosen.append(group[depth])
        depth += 1
    return chosen


def present(item: QuizItem, rng: random.Random) -> Question:
    """Shuffle the options and work out the normalised key the learner must type."""
    if item.type in ("single", "multiple"):
        order = rng.sample(range(len(item.options)), len(item.options))
        key = "".join(sorted(LETTERS[order.index(i)] for i in item.correct))
        return Question(item, tuple(item.options[i] for i in order), (), key)
    if item.type == "ordering":
        order = _not_identity(rng, len(item.options))
        return Question(item, tuple(item.options[i] for i in order), (), "".join(LETTERS[order.index(i)] for i in range(len(order))))
    if item.type == "matching":
        lefts = rng.sample(range(len(item.lefts)), len(item.lefts))
        rights = _not_identity(rng, len(item.options), avoid=lefts)
        key = "".join(LETTERS[rights.index(i)] for i in lefts)
        return Question(item, tuple(item.options[i] for i in rights), tuple(item.lefts[i] for i in lefts), key)
    if item.type == "true_false":
        return Question(item, (), (), "T" if item.truth else "F")
    return Question(item, (), (), item.number)


def _not_identity(rng: random.Random, n: int, avoid: list[int] | None = None) -> list[int]:
    """A shuffle that does not show the answer as A, B, C … in order (when n > 1)."""
    avoid = avoid or list(range(n))
    order = rng.sample(range(n), n)
    for _attempt in range(MAX_SHUFFLES):
        if n < 2 or order != avoid:
            break
        order = rng.sample(range(n), n)
    return order


def build_quiz(content: Content, items: list[QuizItem], role: Item, seed: int = 0, mode: str = "practice") -> tuple[Quiz | None, list[Problem]]:
    """The role's quiz for one seed, or None and the problem that prevents it."""
    blueprint = role.data["quiz"]
    quiz_id = quiz_id_for(role.id, seed, mode)
    pool = role_pool(items, role.id)
    topics = [(entry["topic"], entry["weight"]) for entry in blueprint["topics"]]
    wanted = allocate(blueprint["questions"], topics)
    capacity = {topic: len(pool.get(topic, [])) for topic in wanted}
    counts = fit_to_pool(wanted, capacity)
    problems = [_short_topic(role, topic, capacity[topic], wanted[topic]) for topic in wanted if capacity[topic] < wanted[topic]]
    available = sum(counts.values())
    if available < blueprint["questions"]:
        # Certification asks what it asks or nothing. A practice quiz is shorter rather than
        # missing: half of the facts are kept for certification, so a small content set (or
        # items hidden for review) can leave fewer practice items than the blueprint wants.
        shorter = mode == "practice" and available > 0
        problems = [Problem(role.file, *role.position(("quiz", "questions")), "quiz.questions",
                            _("expected at most {available} questions (all the items available for this role's topics), received {questions}").format(available=available, questions=blueprint['questions']),
                            _("lower quiz.questions, add topics to the blueprint, or add items for this role to quizzes/bank/")
                            + (_("; the practice quiz has {available} questions until then").format(available=available) if shorter else ""),
                            severity="warning" if shorter else "error")]
        if not shorter:
            return None, problems
    rng = random.Random(f"{quiz_id}|{mode}|{seed}")
    chosen = [item for topic, _ in topics for item in select(pool.get(topic, []), counts[topic], rng)]
    salt = hashlib.sha256(("kb-quiz|" + quiz_id + "|" + "|".join(item.id for item in chosen)).encode("utf-8")).hexdigest()[:16]
    questions = tuple(present(item, random.Random(f"{salt}|{item.id}")) for item in chosen)
    quiz = Quiz(quiz_id=quiz_id, role_id=role.id, role_name=role.data["name"], seed=seed, mode=mode,
                pass_mark=blueprint["pass_mark"], salt=salt, version="", questions=questions)
    return versioned(quiz), problems


def _short_topic(role: Item, topic: str, available: int, wanted: int) -> Problem:
    return Problem(role.file, *role.position(("quiz", "topics")), "quiz.topics",
                   _("topic '{topic}' has {available} question(s) available for this role, the blueprint asks for {wanted}; other topics fill in").format(topic=topic, available=available, wanted=wanted),
                   _("add items with topic {topic} for this role to quizzes/bank/, or lower its weight").format(topic=topic), severity="warning")


def public_questions(quiz: Quiz) -> list[dict]:
    """What a learner's file may show of each question (no key)."""
    return [{"id": q.item.id, "type": q.item.type, "topic": q.item.topic, "content_id": q.item.content_id,
             "stem": q.item.stem, "options": list(q.options), "lefts": list(q.lefts), "unit": q.item.unit} for q in quiz.questions]


def versioned(quiz: Quiz, key_mac: str = "") -> Quiz:
    """The version names exactly what learners answer and the key: in practice mode the hashed
    key, in certification mode `key_mac`, a keyed digest of the answers (quiz.keys.key_mac),
    so a changed answer makes a new version whose key is kept beside the old one."""
    data = {"quiz_id": quiz.quiz_id, "seed": quiz.seed, "mode": quiz.mode, "pass_mark": quiz.pass_mark,
            "questions": public_questions(quiz)}
    if quiz.mode == "practice":
        data["hashes"] = [answer_hash(quiz.salt, q.item.id, q.key) for q in quiz.questions]
    elif key_mac:
        data["key_mac"] = key_mac
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return replace(quiz, version=hashlib.sha256(text.encode("utf-8")).hexdigest()[:16])
