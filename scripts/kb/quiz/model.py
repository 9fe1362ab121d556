"""Quiz data: bank items (hand-written or derived from content), questions as shown, quizzes."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

TYPES = ("single", "multiple", "true_false", "ordering", "matching", "numeric")
TYPE_LABELS = {"single": "单选", "multiple": "多选", "true_false": "判断", "ordering": "排序",
               "matching": "连线", "numeric": "填数字"}
# How each type is answered, for the notebook's answer cells and the page's hints.
ANSWER_HINTS = {
    "single": '写一个字母，例如 "B"',
    "multiple": '写出所有正确选项的字母，例如 "ACD"',
    "true_false": '写 "对" 或 "错"',
    "ordering": '按正确顺序写出字母，例如 "CABD"',
    "matching": '按 1、2、3… 的顺序写出各自对应的字母，例如 "BCA"',
    "numeric": '写一个数字，例如 "24"',
}
TOPIC_OF_KIND = {"product": "products", "script": "scripts", "case": "cases", "rule": "rules", "sop": "sops", "role": "roles"}
KIND_OF_TOPIC = {topic: kind for kind, topic in TOPIC_OF_KIND.items()}
LETTERS = "ABCDEFGH"
AUTO_PREFIX = "auto-"     # ids of derived items; hand-written ids may not start with it


@dataclass(frozen=True)
class QuizItem:
    """One question before it is shown: options in authored order, the answer as data."""
    id: str
    type: str
    stem: str
    topic: str
    content_id: str
    explanation: str
    roles: tuple[str, ...] = ()          # derived items: roles of the content (empty = any role)
    difficulty: int = 2
    options: tuple[str, ...] = ()        # single/multiple: as written; ordering: in the right order; matching: right sides
    correct: tuple[int, ...] = ()        # single/multiple: indices of the correct options
    lefts: tuple[str, ...] = ()          # matching: left sides, pair i is (lefts[i], options[i])
    truth: bool | None = None            # true_false
    number: str = ""                     # numeric: canonical answer (runtime.canonical_number)
    unit: str = ""
    origin: str = "bank"                 # "bank" (quizzes/bank) or "derived" (from content/)
    at: tuple = field(default=(), compare=False)   # (file, line, column) of a bank item, for messages


@dataclass(frozen=True)
class Question:
    """A quiz item as one learner sees it: shuffled options and its normalised key."""
    item: QuizItem
    options: tuple[str, ...]
    lefts: tuple[str, ...]
    key: str                             # never written into a learner's file


@dataclass(frozen=True)
class Quiz:
    quiz_id: str
    role_id: str
    role_name: str
    seed: int
    mode: str                            # "practice" or "certify"
    pass_mark: int
    salt: str
    version: str
    questions: tuple[Question, ...] = field(default_factory=tuple)


_PUNCTUATION = re.compile(r"[\W_]+", re.UNICODE)


def same_text(a: str, b: str) -> bool:
    """True when two texts read the same once width, case, spaces and punctuation are ignored."""
    return text_key(a) == text_key(b)


@lru_cache(maxsize=65536)
def text_key(text: str) -> str:
    return _PUNCTUATION.sub("", unicodedata.normalize("NFKC", text)).lower()
