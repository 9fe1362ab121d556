"""The quiz data a learner's file carries (notebook cell or page attribute): never the answers.

Practice mode: a per-quiz salt, each item's salted answer hash, its explanation encoded and
the link to its page. Certification mode: only what is needed to record the answers.
"""
from __future__ import annotations

from ..pages import TOPIC_NAMES
from .model import Quiz
from .runtime import answer_hash, encode_text


def learner_payload(quiz: Quiz, link_of) -> dict:
    """`link_of(content_id)` -> (title, url) of the page behind an item."""
    items = []
    for question in quiz.questions:
        item = question.item
        entry = {"id": item.id, "type": item.type, "topic": item.topic, "content_id": item.content_id}
        if quiz.mode == "practice":
            title, url = link_of(item.content_id)
            entry.update(hashes=[answer_hash(quiz.salt, item.id, question.key)],
                         explain=encode_text(quiz.salt, item.id, item.explanation), title=title, url=url)
        items.append(entry)
    payload = {"quiz_id": quiz.quiz_id, "quiz_version": quiz.version, "role": quiz.role_id, "role_name": quiz.role_name,
               "seed": quiz.seed, "mode": quiz.mode, "pass_mark": quiz.pass_mark, "topic_names": TOPIC_NAMES, "items": items}
    if quiz.mode == "practice":
        payload["salt"] = quiz.salt
    return payload
