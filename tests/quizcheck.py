"""Helpers for the quiz tests: the quizzes behind generated files, typed answers, execution."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from kb.content import load_content
from kb.quiz.bank import load_bank
from kb.quiz.blueprint import item_pool
from kb.quiz.generate import build_all
from kb.quiz.model import LETTERS, Question
from kb.review import published, today


def quizzes_of(root: Path, seed: int = 0, mode: str = "practice") -> dict:
    """role id -> the Quiz that `kb.py quiz` builds for it (same content, bank and seed)."""
    everything = load_content(root)
    content = published(everything, today())
    quizzes, _ = build_all(content, item_pool(content, load_bank(root, everything)), seed, mode)
    return {quiz.role_id: quiz for quiz in quizzes}


def typed_right(question: Question) -> str:
    """The right answer the way a learner might type it (case, separators, units)."""
    kind, key = question.item.type, question.key
    if kind == "single":
        return f" {key.lower()} "
    if kind == "multiple":
        return "，".join(reversed(key.lower()))
    if kind in ("ordering", "matching"):
        return " ".join(key)
    if kind == "true_false":
        return "对" if key == "T" else "错"
    return (key + "0" if "." in key else key + ".0") + " " + question.item.unit


def wrong(question: Question) -> str:
    """A normalised answer that is not the key."""
    kind, key = question.item.type, question.key
    if kind == "single":
        return next(letter for letter in LETTERS[:len(question.options)] if letter != key)
    if kind == "multiple":
        first = LETTERS[0]
        toggled = key.replace(first, "") if first in key else first + key
        return toggled or LETTERS[1]
    if kind in ("ordering", "matching"):
        return key[1] + key[0] + key[2:]
    if kind == "true_false":
        return "F" if key == "T" else "T"
    return str(Decimal(key) + 1)


def fill(notebook, learner: str, answers: dict) -> None:
    """Write the learner's name and answers (item id -> text) into the notebook's cells."""
    for cell in notebook.cells:
        meta = cell.metadata.get("kb_quiz", {})
        if meta.get("cell") == "learner":
            cell.source = f"learner = {json.dumps(learner, ensure_ascii=False)}\n"
        elif meta.get("cell") == "answer" and meta["item"] in answers:
            name = cell.source.split(" =")[0]
            cell.source = f"{name} = {json.dumps(answers[meta['item']], ensure_ascii=False)}\n"


def execute(notebook, folder: Path):
    """Run the notebook with nbclient in `folder` (where results/ is written)."""
    NotebookClient(notebook, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(folder)}}).execute()
    return notebook


def output_text(notebook) -> str:
    outputs = notebook.cells[-1].outputs
    return "\n".join(o.get("data", {}).get("text/html", "") + o.get("text", "") for o in outputs)


def read_records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def read_notebook(path: Path):
    return nbformat.read(str(path), as_version=4)
