"""Reader of the hand-written item bank: quizzes/bank/*.yml -> validated QuizItems.

Each file holds `schema_version: 1` and a list of `items`, checked against
schemas/quiz-bank.schema.json and then against the content (ids, roles, answers).
All problems of all files are collected and raised once.
"""
from __future__ import annotations

import difflib
import os
from decimal import Decimal
from pathlib import Path

from ..model import KIND_BY_NAME, Content
from ..problems import ContentError, Problem, path_text
from ..schema import validate_data
from ..yamlread import read_yaml
from .model import AUTO_PREFIX, KIND_OF_TOPIC, LETTERS, QuizItem, same_text
from .runtime import canonical_number
from ..i18n import _

BANK_DIR = Path("quizzes") / "bank"
# Fields each type uses besides the common ones; any other is reported.
TYPE_FIELDS = {"single": {"options", "answer"}, "multiple": {"options", "answer"}, "true_false": {"answer"},
               "ordering": {"options"}, "matching": {"pairs"}, "numeric": {"answer", "unit"}}
OPTIONAL_FIELDS = {"options", "answer", "pairs", "unit"}
MAX_DECIMALS, MAX_DIGITS = 6, 12      # numeric answers a learner can type


def bank_files(root: Path) -> tuple[list[Path], list[Problem]]:
    folder = root / BANK_DIR
    if not folder.is_dir():
        return [], []
    files, problems = [], []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.suffix in (".md", ".txt"):
            continue
        if path.suffix == ".yml" and path.is_file():
            files.append(path)
        else:
            hint = _("rename it to {name}.yml").format(name=path.stem) if path.suffix == ".yaml" else _("move or remove this file")
            problems.append(Problem(os.path.relpath(path, root), 0, 0, "", _("expected only .yml files in the item bank"), hint))
    return files, problems


def read_bank_file(raw: bytes, file: str, content: Content | None = None) -> tuple[list[QuizItem], list[Problem]]:
    """Parse and check one bank file (pure: bytes in, items and problems out). With `content`,
    also check that the ids it names exist; without, only the file itself."""
    document, problems = read_yaml(raw, file)
    if document is None:
        return [], problems
    schema_problems = validate_data("quiz-bank", document.data, file, document)
    problems += schema_problems
    broken = {p.field.split("]")[0] + "]" for p in schema_problems if p.field.startswith("items[")}
    items = []
    for index, data in enumerate(document.data.get("items") or []):
        if not isinstance(data, dict) or f"items[{index}]" in broken:
            continue   # the schema already said what is wrong with it
        where = lambda *path, i=index: (file, *document.position(("items", i, *path)), path_text(("items", i, *path)))  # noqa: E731
        found = _check_item(data, where) + (_check_refs(data, content, where) if content is not None else [])
        problems += found
        if not found:
            items.append(_item(data, (file, *document.position(("items", index, "id")))))
    return items, problems


def _check_item(data: dict, where) -> list[Problem]:
    problems = []
    kind = data["type"]
    for name in sorted((OPTIONAL_FIELDS - TYPE_FIELDS[kind]) & set(data)):
        problems.append(Problem(*where(name), _("expected no '{name}' in an item of type {kind}").format(name=name, kind=kind),
                                _unused_hint(kind, name)))
    if data["id"].startswith(AUTO_PREFIX):
        problems.append(Problem(*where("id"), _("expected an id not starting with '{auto_prefix}', received '{id}'").format(auto_prefix=AUTO_PREFIX, id=data['id']),
                                _("'{auto_prefix}' marks questions derived from content; choose another id").format(auto_prefix=AUTO_PREFIX)))
    if kind in ("single", "multiple"):
        problems += _check_letters(data, where)
    if kind in ("single", "multiple", "ordering"):
        problems += _check_distinct(data["options"], where, "options")
    if kind == "numeric" and not typable_number(data["answer"]):
        problems.append(Problem(*where("answer"), _("expected a number with at most {max_decimals} decimals and at most {max_digits} digits before the point, received {answer!r}").format(max_decimals=MAX_DECIMALS, max_digits=MAX_DIGITS, answer=data['answer']),
                                _("round the answer to what a learner would type")))
    if kind == "matching":
        problems += _check_distinct([p["left"] for p in data["pairs"]], where, "pairs", "left")
        problems += _check_distinct([p["right"] for p in data["pairs"]], where, "pairs", "right")
    return problems


def _unused_hint(kind: str, name: str) -> str:
    if kind in ("ordering", "matching") and name == "answer":
        return _("write the options (or pairs) in the right order instead; the quiz shuffles them")
    return _("remove '{name}:', or change the type to one that uses it").format(name=name)


def _check_refs(data: dict, content: Content, where) -> list[Problem]:
    problems = []
    target = content.items.get(data["content_id"])
    wanted = KIND_OF_TOPIC[data["topic"]]
    if data["content_id"] in content.left_out:
        pass        # an unfinished item left out of this build: its own problems were listed
    elif target is None:
        close = difflib.get_close_matches(data["content_id"], list(content.items), n=1, cutoff=0.6)
        problems.append(Problem(*where("content_id"), _("expected the id of an existing content item, received unknown id '{content_id}'").format(content_id=data['content_id']),
                                _("did you mean '{suggestion}'?").format(suggestion=close[0]) if close else _("use the id of the product, script, case, rule set, SOP or role the question tests")))
    elif target.kind != wanted:
        problems.append(Problem(*where("content_id"),
                                _("expected the id of a {kind} for topic {topic}, received '{id}' which is a {other_kind}").format(
                                    kind=KIND_BY_NAME[wanted].label, topic=data['topic'], id=target.id, other_kind=KIND_BY_NAME[target.kind].label),
                                _("change the topic or the content_id so they match")))
    for index, role in enumerate(data["roles"]):
        if role not in content.left_out and (content.items.get(role) is None or content.items[role].kind != "role"):
            roles = [item.id for item in content.of_kind("role")]
            close = difflib.get_close_matches(role, roles, n=1, cutoff=0.6)
            problems.append(Problem(*where("roles", index), _("expected the id of an existing role, received '{role}'").format(role=role),
                                    _("did you mean '{suggestion}'?").format(suggestion=close[0]) if close else _("roles: ") + ", ".join(roles)))
    return problems


def _check_letters(data: dict, where) -> list[Problem]:
    count = len(data["options"])
    allowed = LETTERS[:count]
    answer = data["answer"].strip().upper()
    letters = [ch for ch in answer if not ch.isspace() and ch not in ",，、"]
    expected = _("one letter from A to {allowed}").format(allowed=allowed[-1]) if data["type"] == "single" else _("letters from A to {allowed} (each once)").format(allowed=allowed[-1])
    bad = (not letters or any(ch not in allowed for ch in letters) or len(set(letters)) != len(letters)
           or (data["type"] == "single" and len(letters) != 1))
    if bad:
        return [Problem(*where("answer"), _("expected {expected}, received '{answer}'").format(expected=expected, answer=data['answer']),
                        _("the options are named {allowed} in the order they are written").format(allowed=', '.join(allowed)))]
    return []


def _check_distinct(texts: list[str], where, *path) -> list[Problem]:
    for index, text in enumerate(texts):
        for other in range(index):
            if same_text(texts[other], text):
                return [Problem(*where(*path[:1], index, *path[1:]), _("expected different texts, received two that read the same: '{text}'").format(text=text),
                                _("two identical options would both be right or both be wrong; reword or remove one"))]
    return []


def _item(data: dict, at: tuple) -> QuizItem:
    kind = data["type"]
    common = dict(id=data["id"], type=kind, stem=data["stem"], topic=data["topic"], content_id=data["content_id"],
                  explanation=data["explanation"], roles=tuple(data["roles"]), difficulty=data.get("difficulty", 2), at=at)
    if kind in ("single", "multiple"):
        letters = [ch for ch in data["answer"].upper() if ch in LETTERS]
        return QuizItem(**common, options=tuple(data["options"]), correct=tuple(sorted(LETTERS.index(ch) for ch in letters)))
    if kind == "ordering":
        return QuizItem(**common, options=tuple(data["options"]))
    if kind == "matching":
        return QuizItem(**common, options=tuple(p["right"] for p in data["pairs"]), lefts=tuple(p["left"] for p in data["pairs"]))
    if kind == "true_false":
        return QuizItem(**common, truth=data["answer"])
    return QuizItem(**common, number=number_text(data["answer"]), unit=data.get("unit", ""))


def typable_number(value) -> bool:
    whole, _point, decimals = number_text(value).lstrip("-").partition(".")
    return len(decimals) <= MAX_DECIMALS and len(whole) <= MAX_DIGITS


def number_text(value) -> str:
    """A number from YAML as the canonical answer text (24 -> '24', 4.60 -> '4.6')."""
    return canonical_number(format(Decimal(repr(value)), "f"))


def read_bank(root: Path, content: Content | None = None) -> list[QuizItem]:
    """All hand-written items; raises ContentError with every problem found. Pass the full
    content to check the ids items name (kb.py check, kb.py quiz); the site build reads the
    bank already checked and keeps the items whose content is published."""
    files, problems = bank_files(root)
    items: list[QuizItem] = []
    seen: dict[str, str] = {}
    for path in files:
        rel = os.path.relpath(path, root)
        found, file_problems = read_bank_file(path.read_bytes(), rel, content)
        problems += file_problems
        for item in found:
            if item.id in seen:
                problems.append(Problem(*item.at, "id", _("duplicate item id '{id}', already used in {item}").format(id=item.id, item=seen[item.id]),
                                        _("item ids must be unique across the bank; choose another id")))
                continue
            seen[item.id] = rel
            items.append(item)
    if any(p.severity == "error" for p in problems):
        raise ContentError(problems)
    return items


def load_bank(root: Path, content: Content) -> list[QuizItem]:
    """The bank checked against the content."""
    return read_bank(root, content)
