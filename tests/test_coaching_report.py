"""`kb.py report`: an executed notebook and a page, demo data kept apart from real results,
reading lists that link to pages that exist on the built site."""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote

import nbformat
import numpy as np
import pytest

from conftest import FIXTURES, ROOT, run_kb
from kb.coaching.simulate import demo_plans, simulate
from kb.content import load_content

HREF = re.compile(r'href="([^"]+)"')


@pytest.fixture(scope="module")
def demo_report(built_mini_site) -> Path:
    result = run_kb(built_mini_site, "report", "--demo")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == f"ok: report in {built_mini_site / 'reports' / 'coaching-demo.html'} (notebook: {built_mini_site / 'reports' / 'coaching-demo.ipynb'})"
    return built_mini_site


@pytest.fixture(scope="module")
def round_of_attempts(tmp_path_factory) -> list[dict]:
    """A round of attempts as quiz notebooks and self-check pages write them (sources 'notebook' and 'web')."""
    content = load_content(ROOT, FIXTURES / "mini")
    records = simulate(demo_plans(content, np.random.default_rng(7), team=12), seed=7)
    assert {r["source"] for r in records} == {"notebook", "web"}
    return records


NOTEBOOK_LEARNERS = ("张伟", "李娜", "王芳")


@pytest.fixture(scope="module")
def notebook_attempts(built_mini_site, tmp_path_factory) -> Path:
    """Real quiz notebooks (kb.py quiz) taken by three learners: every answer "A", which the
    notebook grades and saves as results/rep-<name>-<time>.jsonl beside where it runs."""
    from nbclient import NotebookClient
    assert run_kb(built_mini_site, "quiz").returncode == 0
    quiz = nbformat.read(built_mini_site / "quizzes" / "rep.ipynb", as_version=4)
    where = tmp_path_factory.mktemp("learners")
    for learner in NOTEBOOK_LEARNERS:
        taken = nbformat.from_dict(quiz)
        for cell in taken.cells:
            if cell.cell_type == "code" and cell.source.startswith("learner = "):
                cell.source = f'learner = "{learner}"'
            elif cell.cell_type == "code" and re.match(r'q\d+ = ""', cell.source):
                cell.source = cell.source.split(" = ")[0] + ' = "A"'
        NotebookClient(taken, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(where)}}).execute()
    return sorted((where / "results").glob("rep-*.jsonl"))


@pytest.fixture(scope="module")
def real_report(built_mini_site, round_of_attempts, notebook_attempts, tmp_path_factory) -> Path:
    root = built_mini_site
    taken = run_kb(root, "results", "import", *map(str, notebook_attempts))
    assert taken.returncode == 0, taken.stderr
    assert taken.stdout.startswith("ok: imported 3 new record(s)")
    attempts = tmp_path_factory.mktemp("attempts")
    for source in ("notebook", "web"):
        (attempts / f"{source}.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in round_of_attempts if r["source"] == source),
                                                  encoding="utf-8")
    imported = run_kb(root, "results", "import", str(attempts / "notebook.jsonl"), str(attempts / "web.jsonl"))
    assert imported.returncode == 0, imported.stderr
    for args in (("report",), ("report", "--public")):
        result = run_kb(root, *args)
        assert result.returncode == 0, result.stdout + result.stderr
    return root


def page(root: Path, name: str) -> str:
    return (root / "reports" / name).read_text(encoding="utf-8")


def site_links(root: Path, html: str) -> list[str]:
    return [unquote(h) for h in HREF.findall(html) if h.startswith("../_build/html/")]


def assert_links_exist(root: Path, links: list[str]) -> None:
    for link in links:
        path, _, fragment = link.partition("#")
        target = (root / "reports" / path).resolve()
        assert target.is_file(), link
        assert f'id="{fragment}"' in target.read_text(encoding="utf-8"), link


def test_report_notebook_is_executed(demo_report):
    notebook = nbformat.read(demo_report / "reports" / "coaching-demo.ipynb", as_version=4)
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell.execution_count for cell in code)
    outputs = [output for cell in code for output in cell.outputs]
    assert [o for o in outputs if o.output_type == "error" or o.get("name") == "stderr"] == []
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 3
    assert notebook.metadata["kb"] == {"title": "辅导报告（演示数据）", "demo": True, "public": False}


def test_report_notebook_runs_again_with_nbclient(demo_report):
    from nbclient import NotebookClient
    notebook = nbformat.read(demo_report / "reports" / "coaching-demo.ipynb", as_version=4)
    NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    assert "演示数据" in notebook.cells[1].outputs[0]["data"]["text/html"]


def test_demo_page_is_marked_and_flags_the_planted_item(demo_report):
    html = page(demo_report, "coaching-demo.html")
    assert '<p class="demo">演示数据 · 模拟结果，不是真实成绩</p>' in html
    assert html.count('<img class="chart"') == 3
    flagged = re.findall(r'<tr class="flagged"><td>rep</td><td><code>([^<]+)</code>', html)
    assert "demo-rep-03" in flagged
    assert "负区分度" in html


def test_demo_reading_lists_link_to_pages_that_exist(demo_report):
    links = site_links(demo_report, page(demo_report, "coaching-demo.html"))
    assert len(set(links)) >= 5
    assert_links_exist(demo_report, links)


def test_real_results_show_up_in_the_report(real_report, round_of_attempts):
    html = page(real_report, "coaching.html")
    assert "演示数据" not in html
    assert f"共 {len(round_of_attempts) + len(NOTEBOOK_LEARNERS)} 次作答" in html
    for name in {r["learner"] for r in round_of_attempts} | set(NOTEBOOK_LEARNERS):
        assert f"<td>{name}</td>" in html
    links = site_links(real_report, html)
    assert links
    assert_links_exist(real_report, links)


def test_demo_and_real_results_never_mix(demo_report, real_report, round_of_attempts):
    store = [json.loads(line)["attempt_id"] for line in (real_report / "results" / "store.jsonl").read_text(encoding="utf-8").splitlines()]
    demo = [json.loads(line)["attempt_id"] for line in (real_report / "results" / "demo" / "store.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(store) == len(round_of_attempts) + len(NOTEBOOK_LEARNERS)
    assert set(r["attempt_id"] for r in round_of_attempts) < set(store)
    assert not set(store) & set(demo)


def test_public_report_has_no_names(real_report, round_of_attempts):
    html = page(real_report, "coaching-public.html")
    notebook = page(real_report, "coaching-public.ipynb")
    assert "公开版：不含学员姓名和个人数据。" in html
    for name in {r["learner"] for r in round_of_attempts} | set(NOTEBOOK_LEARNERS):
        assert name not in html and name not in notebook


def test_report_without_results_says_what_to_do(mini_project):
    result = run_kb(mini_project, "report")
    assert result.returncode == 1
    assert result.stderr == (
        "results/store.jsonl: expected quiz results in the store, found none\n"
        "    hint: import results with `python scripts/kb.py results import FILE...`, or try `python scripts/kb.py report --demo`\n"
        "1 problem(s) found; nothing was written.\n")
