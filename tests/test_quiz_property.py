"""Property: any valid bank item survives YAML -> bank reader unchanged, and once shown with
shuffled options, the right answer (as a learner may type it) grades right and a wrong one wrong."""
from __future__ import annotations

import random

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from quizcheck import typed_right, wrong

from kb.model import Content, Item
from kb.quiz.bank import number_text, read_bank_file
from kb.quiz.blueprint import present
from kb.quiz.model import LETTERS, text_key
from kb.quiz.runtime import answer_hash, grade_item, normalize

CONTENT = Content({"sales": Item("role", "sales", {"id": "sales", "name": "销售"}, "content/roles/sales.yml"),
                   "sop-x": Item("sop", "sop-x", {"id": "sop-x", "title": "流程"}, "content/sops/sop-x.yml")})


class QuotingDumper(yaml.SafeDumper):
    """Quotes every text, as a careful trainer would (YAML 1.2 reads an unquoted 0e0 as a number)."""


QuotingDumper.add_representer(str, lambda dumper, text: dumper.represent_scalar("tag:yaml.org,2002:str", text, style='"'))
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=40)
OPTION = TEXT.filter(lambda text: text_key(text) != "")


def options(min_size=2):
    return st.lists(OPTION, min_size=min_size, max_size=8, unique_by=text_key)


@st.composite
def bank_items(draw):
    kind = draw(st.sampled_from(["single", "multiple", "true_false", "ordering", "matching", "numeric"]))
    item = {"id": draw(st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,3}", fullmatch=True).filter(lambda i: not i.startswith("auto-"))),
            "type": kind, "stem": draw(TEXT), "explanation": draw(TEXT), "topic": "sops", "content_id": "sop-x",
            "roles": ["sales"], "difficulty": draw(st.sampled_from([1, 2, 3]))}
    if kind in ("single", "multiple"):
        item["options"] = draw(options())
        count = len(item["options"])
        if kind == "single":
            item["answer"] = LETTERS[draw(st.integers(0, count - 1))]
        else:
            chosen = draw(st.sets(st.integers(0, count - 1), min_size=1))
            item["answer"] = "".join(LETTERS[i] for i in sorted(chosen))
    elif kind == "ordering":
        item["options"] = draw(options())
    elif kind == "matching":
        lefts = draw(options())
        rights = draw(st.lists(OPTION, min_size=len(lefts), max_size=len(lefts), unique_by=text_key))
        item["pairs"] = [{"left": left, "right": right} for left, right in zip(lefts, rights)]
    elif kind == "true_false":
        item["answer"] = draw(st.booleans())
    else:
        places = draw(st.integers(0, 6))   # the bank accepts up to 6 decimals (bank.typable_number)
        item["answer"] = draw(st.one_of(st.integers(-10**9, 10**9), st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: round(x, places))))
        item["unit"] = draw(st.sampled_from(["小时", "元", "%"]))
    return item


@settings(max_examples=300, deadline=None)
@given(data=bank_items(), seed=st.integers(0, 2**32))
def test_any_valid_bank_item_round_trips_and_grades_correctly(data, seed):
    text = yaml.dump({"schema_version": 1, "items": [data]}, Dumper=QuotingDumper, allow_unicode=True, sort_keys=False)
    items, problems = read_bank_file(text.encode("utf-8"), "quizzes/bank/property.yml", CONTENT)
    assert problems == []
    [item] = items
    assert (item.id, item.type, item.stem, item.explanation, item.topic, item.content_id, item.roles, item.difficulty) == (
        data["id"], data["type"], data["stem"], data["explanation"], "sops", "sop-x", ("sales",), data["difficulty"])
    if item.type in ("single", "multiple"):
        assert item.options == tuple(data["options"])
        assert "".join(LETTERS[i] for i in item.correct) == data["answer"]
    if item.type == "ordering":
        assert item.options == tuple(data["options"])
    if item.type == "matching":
        assert list(zip(item.lefts, item.options)) == [(p["left"], p["right"]) for p in data["pairs"]]
    if item.type == "true_false":
        assert item.truth is data["answer"]
    if item.type == "numeric":
        assert item.number == number_text(data["answer"]) and item.unit == data["unit"]

    question = present(item, random.Random(seed))
    assert normalize(item.type, question.key) == question.key
    salt = f"{seed:x}"
    quiz = {"mode": "practice", "salt": salt}
    entry = {"id": item.id, "type": item.type, "topic": item.topic, "content_id": item.content_id,
             "hashes": [answer_hash(salt, item.id, question.key)]}
    assert grade_item(quiz, entry, typed_right(question)) == {
        "item_id": item.id, "topic": "sops", "content_id": "sop-x", "response": question.key, "correct": True}
    assert grade_item(quiz, entry, wrong(question))["correct"] is False
    assert grade_item(quiz, entry, "")["correct"] is False
    if item.type in ("single", "multiple", "ordering", "matching"):
        # what the learner sees: the right option texts under the letters of the key
        shown = dict(zip(LETTERS, question.options))
        if item.type in ("single", "multiple"):
            assert sorted(shown[letter] for letter in question.key) == sorted(item.options[i] for i in item.correct)
        elif item.type == "ordering":
            assert [shown[letter] for letter in question.key] == list(item.options)
        else:
            assert [shown[letter] for letter in question.key] == [dict(zip(item.lefts, item.options))[left] for left in question.lefts]
