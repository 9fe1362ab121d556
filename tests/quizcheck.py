"""Helpers for the quiz tests: the quizzes behind generated files, typed answers, execution."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from kb.content import load_content
from kb.quiz.bank import load_bank
from kb.quiz.blueprint import item_pool, versioned
from kb.quiz.generate import build_all
from kb.quiz.keys import grading_secret, key_mac
from kb.quiz.model import LETTERS, Question
from kb.review import published, today


def quizzes_of(root: Path, seed: int = 0, mode: str = "practice") -> dict:
    """role id -> the Quiz that `kb.py quiz` builds for it (same content, bank and seed)."""
    everything = load_content(root)
    content = published(everything, today())
    quizzes, _ = build_all(content, item_pool(content, load_bank(root, everything), mode), seed, mode)
    if mode == "certify":       # as kb.py quiz --certify: the version carries the keyed digest of the answers
        secret = grading_secret(root)
        quizzes = [versioned(quiz, key_mac(secret, quiz)) for quiz in quizzes]
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


class Frontend:
    """One kernel for a notebook, its cells run the way a notebook frontend runs them: like
    JupyterLab and Notebook 7 (each execute request carries the cell's id as metadata.cellId) or,
    with cell_ids=False, like a frontend that sends no ids (nbclient 0.11 itself)."""

    def __init__(self, notebook, folder: Path, cell_ids: bool = True):
        self.notebook, self.cell_ids, self.current = notebook, cell_ids, None
        self.client = NotebookClient(notebook, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(folder)}})

    def __enter__(self):
        self._kernel = self.client.setup_kernel()
        self._kernel.__enter__()
        if self.cell_ids:
            session = self.client.kc.session
            plain = session.msg

            def with_cell_id(msg_type, content=None, parent=None, header=None, metadata=None):
                if msg_type == "execute_request" and self.current:
                    metadata = {**(metadata or {}), "cellId": self.current}
                return plain(msg_type, content, parent, header, metadata)
            session.msg = with_cell_id
        return self

    def __exit__(self, *exc):
        return self._kernel.__exit__(*exc)

    def run(self, *cell_ids: str):
        """Run these cells (by id), in this order, as a learner running single cells would."""
        for cell_id in cell_ids:
            index = next(i for i, cell in enumerate(self.notebook.cells) if cell.get("id") == cell_id)
            self.current = cell_id
            self.client.execute_cell(self.notebook.cells[index], index)

    def run_all(self):
        """Run → Run All Cells."""
        self.run(*[cell.id for cell in self.notebook.cells if cell.cell_type == "code"])


def execute(notebook, folder: Path, cell_ids: bool = True):
    """Run all cells of the notebook in a new kernel in `folder` (where results/ is written)."""
    with Frontend(notebook, folder, cell_ids) as frontend:
        frontend.run_all()
    return notebook


def saved_records(folder: Path) -> list[dict]:
    """Every record the notebook saved under folder/results, oldest file first."""
    return [record for path in sorted((folder / "results").glob("*.jsonl"), key=lambda p: p.stat().st_mtime_ns)
            for record in read_records(path)]


def output_text(notebook) -> str:
    outputs = notebook.cells[-1].outputs
    return "\n".join(o.get("data", {}).get("text/html", "") + o.get("text", "") for o in outputs)


def read_records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def read_notebook(path: Path):
    return nbformat.read(str(path), as_version=4)
