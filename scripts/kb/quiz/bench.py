"""Benchmark section `quiz` for scripts/bench.py: generating every role's quiz, and executing
one quiz notebook with nbclient (answers filled in, graded, record appended)."""
from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _generate(root: Path) -> dict:
    from .generate import write_quizzes

    class Quiet:
        def out(self, *args):
            pass

        def stage(self, *args):
            pass
    return write_quizzes(root, Quiet())


def _answered_notebook(root: Path):
    """The first role's notebook with every answer cell filled in (half of them right)."""
    import nbformat
    from ..content import load_content
    from ..review import published, today
    from .bank import load_bank
    from .blueprint import item_pool
    from .generate import build_all
    everything = load_content(root)
    content = published(everything, today())
    role = content.of_kind("role")[0]
    quizzes, _ = build_all(content, item_pool(content, load_bank(root, everything)), 0, "practice", [role.id])
    keys = {question.item.id: question.key for question in quizzes[0].questions}
    notebook = nbformat.read(root / "quizzes" / f"{role.id}.ipynb", as_version=4)
    for index, cell in enumerate(notebook.cells):
        meta = cell.metadata.get("kb_quiz", {})
        if meta.get("cell") == "learner":
            cell.source = 'learner = "基准测试"\n'
        elif meta.get("cell") == "answer":
            name = cell.source.split(" =")[0]
            cell.source = f"{name} = {json.dumps(keys[meta['item']] if index % 4 == 1 else 'Z')}\n"
    return role.id, notebook


def _median_time(action, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def section_quiz(root: Path, runs: int) -> list[tuple[str, float, str]]:
    from nbclient import NotebookClient
    written = _generate(root)
    generate = _median_time(lambda: _generate(root), runs)
    role, notebook = _answered_notebook(root)

    def execute():
        with tempfile.TemporaryDirectory() as folder:
            NotebookClient(notebook, kernel_name="python3", timeout=60, resources={"metadata": {"path": folder}}).execute()
            if not list((Path(folder) / "results").glob(f"{role}-*.jsonl")):
                raise SystemExit("the quiz notebook did not save a result record")
    execute()    # first start of a kernel loads and compiles modules: not what a learner waits for twice
    executed = _median_time(execute, runs)
    command = [sys.executable, str(root / "scripts" / "kb.py"), "quiz"]
    whole = _median_time(lambda: subprocess.run(command, cwd=root, check=True, capture_output=True), runs)
    return [("generate every role's quiz", generate, f"{len(written)} notebooks (load, derive, select, write if changed), in-process"),
            ("kb.py quiz (new process)", whole, "the whole command, Python start and imports included"),
            ("execute one quiz notebook (nbclient)", executed, f"quizzes/{role}.ipynb, kernel start included")]


SECTIONS = {"quiz": section_quiz}
