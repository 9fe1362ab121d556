"""Result records -> a columnar table: one row per attempt and one row per answer, as numpy
arrays with small vocabularies, so every statistic is a vectorised pass (100,000 attempts
must be analysed in well under two seconds)."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

import numpy as np

TOPICS = ("products", "scripts", "cases", "rules", "sops", "roles")
BLANK = ""


def learner_key(name: str) -> str:
    """Names are typed by hand: ignore width variants and extra spaces."""
    return " ".join(unicodedata.normalize("NFKC", name).split())


def wall_clock(text: str) -> np.datetime64:
    """The time as the learner's clock showed it (weeks are counted in the team's own time)."""
    return np.datetime64(datetime.fromisoformat(text).replace(tzinfo=None), "s")


class _Codes(dict):
    """Assigns 0, 1, 2, … to values in order of first appearance."""

    def code(self, value) -> int:
        found = self.get(value)
        if found is None:
            found = self[value] = len(self)
        return found

    def values_list(self) -> list:
        return list(self)


@dataclass
class Table:
    # vocabularies
    learners: list[str]            # normalised names, first spelling kept for display
    roles: list[str]
    quizzes: list[str]             # quiz_id
    forms: list[tuple[str, str]]   # (quiz_id, quiz_version)
    items: list[tuple[str, str]]   # (quiz_id, item_id): an item is analysed within its quiz
    item_topic: np.ndarray         # index into TOPICS
    item_content: list[str]        # content id each item tests
    responses: list[str]           # sorted, so ties between wrong options resolve alphabetically
    blank: int                     # code of the empty response
    # one row per attempt
    attempt_ids: list[str]
    a_learner: np.ndarray
    a_role: np.ndarray
    a_quiz: np.ndarray
    a_form: np.ndarray
    a_time: np.ndarray             # datetime64[s]
    a_score: np.ndarray            # NaN until graded
    a_passed: np.ndarray           # 1.0 / 0.0, NaN until graded
    a_pass_mark: np.ndarray        # NaN if the record has none
    # one row per answer
    r_attempt: np.ndarray
    r_item: np.ndarray
    r_response: np.ndarray
    r_correct: np.ndarray          # 1.0 / 0.0, NaN until graded

    @property
    def n_attempts(self) -> int:
        return len(self.attempt_ids)

    @property
    def graded(self) -> np.ndarray:
        return ~np.isnan(self.a_score)

    def r_topic(self) -> np.ndarray:
        return self.item_topic[self.r_item]


def build_table(records: list[dict]) -> Table:
    learners, roles, quizzes, forms, items, responses = _Codes(), _Codes(), _Codes(), _Codes(), _Codes(), _Codes()
    names: dict[str, str] = {}
    item_topic, item_content = [], []
    topic_code = {topic: index for index, topic in enumerate(TOPICS)}
    n = len(records)
    a_learner, a_role, a_quiz, a_form = (np.empty(n, np.int64) for _ in range(4))
    a_score, a_passed, a_pass_mark = (np.full(n, np.nan) for _ in range(3))
    times, attempt_ids = [], []
    r_attempt, r_item, r_response, r_correct = [], [], [], []
    for row, record in enumerate(records):
        key = learner_key(record["learner"])
        names.setdefault(key, record["learner"].strip())
        a_learner[row] = learners.code(key)
        a_role[row] = roles.code(record["role"])
        quiz = record["quiz_id"]
        a_quiz[row] = quizzes.code(quiz)
        a_form[row] = forms.code((quiz, record["quiz_version"]))
        if "score" in record:
            a_score[row] = record["score"]
            a_passed[row] = float(record.get("passed", False))
        a_pass_mark[row] = record.get("pass_mark", np.nan)
        times.append(wall_clock(record["submitted_at"]))
        attempt_ids.append(record["attempt_id"])
        for answer in record["items"]:
            item = items.code((quiz, answer["item_id"]))
            if item == len(item_topic):
                item_topic.append(topic_code[answer["topic"]])
                item_content.append(answer["content_id"])
            r_attempt.append(row)
            r_item.append(item)
            r_response.append(responses.code(answer["response"]))
            correct = answer.get("correct")
            r_correct.append(np.nan if correct is None else float(correct))
    responses.code(BLANK)
    # recode responses so codes follow sorted text
    order = sorted(responses, key=lambda text: text)
    recode = np.empty(len(order), np.int64)
    for new, text in enumerate(order):
        recode[responses[text]] = new
    return Table(
        learners=[names[key] for key in learners], roles=roles.values_list(), quizzes=quizzes.values_list(),
        forms=forms.values_list(), items=items.values_list(), item_topic=np.array(item_topic, np.int64),
        item_content=item_content, responses=order, blank=order.index(BLANK),
        attempt_ids=attempt_ids, a_learner=a_learner, a_role=a_role, a_quiz=a_quiz, a_form=a_form,
        a_time=np.array(times, dtype="datetime64[s]"), a_score=a_score, a_passed=a_passed, a_pass_mark=a_pass_mark,
        r_attempt=np.array(r_attempt, np.int64), r_item=np.array(r_item, np.int64),
        r_response=recode[np.array(r_response, np.int64)] if r_response else np.zeros(0, np.int64),
        r_correct=np.array(r_correct, float))
