"""`kb.py report`: an executed notebook and a page, demo data kept apart from real results,
reading lists that link to pages that exist on the built site."""
from __future__ import annotations

import re
import sqlite3
from html import escape as html_escape
from pathlib import Path
from urllib.parse import unquote

import nbformat
import pytest

from conftest import run_kb
from quizcheck import quizzes_of
from resultcheck import attempt, db_rows, quiz_payload, write_jsonl

from kb.quiz.records import seal_record

HREF = re.compile(r'href="([^"]+)"')


@pytest.fixture(scope="module")
def demo_report(built_mini_site) -> Path:
    result = run_kb(built_mini_site, "report", "--demo")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-2:] == [
        f"ok: report in {built_mini_site / 'reports' / 'coaching-demo.html'} (notebook: {built_mini_site / 'reports' / 'coaching-demo.ipynb'})",
        f"ok: 40 one-to-one page(s) in {built_mini_site / 'reports' / 'learners-demo'}"]
    return built_mini_site


NOTEBOOK_LEARNERS = ("张伟", "李娜", "王芳")
ROUND_LEARNERS = tuple(f"学员{n:02d}" for n in range(12))
IMPROVER = "进步者"           # 2/6 first, then 4/6: +33.3 from the exact fractions (+33.4 from rounded scores)


@pytest.fixture(scope="module")
def notebook_attempts(built_mini_site, tmp_path_factory) -> Path:
    """Real quiz notebooks (kb.py quiz) taken by three learners: every answer "A", which the
    notebook grades and saves as results/rep-<name>-<time>.jsonl beside where it runs."""
    from nbclient import NotebookClient
    assert run_kb(built_mini_site, "quiz").returncode == 0
    assert run_kb(built_mini_site, "quiz", "--certify").returncode == 0
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
def round_of_attempts(built_mini_site, notebook_attempts) -> dict[str, list[dict]]:
    """Genuine records (made as the quiz runtime makes them) of twelve learners over two weeks,
    notebook and web; certification attempts of six of them; and one learner who improves."""
    practice = quiz_payload(built_mini_site)
    certify = quiz_payload(built_mini_site, mode="certify")
    records = {"一组": [], "二组": [], "certify": []}
    for index, learner in enumerate(ROUND_LEARNERS):
        team = "一组" if index % 2 == 0 else "二组"
        for week, right in enumerate((index % 4 + 1, min(6, index % 4 + 3))):
            record = attempt(*practice, learner, right, submitted_at=f"2026-09-{8 + 7 * week:02d}T20:{index:02d}:00+08:00")
            if index % 3 == 0:
                record = seal_record({**record, "source": "web"})
            records[team].append(record)
        if index < 6:
            records["certify"].append(attempt(*certify, learner, 3 + index % 4, submitted_at=f"2026-09-20T10:{index:02d}:00+08:00"))
    records["一组"] += [attempt(*practice, IMPROVER, 2, submitted_at="2026-09-09T09:00:00+08:00"),
                       attempt(*practice, IMPROVER, 4, submitted_at="2026-09-16T09:00:00+08:00")]
    return records


@pytest.fixture(scope="module")
def real_report(built_mini_site, round_of_attempts, notebook_attempts, tmp_path_factory) -> Path:
    root = built_mini_site
    taken = run_kb(root, "results", "import", *map(str, notebook_attempts))
    assert taken.returncode == 0, taken.stderr
    assert taken.stdout.startswith("ok: imported 3 new record(s)")
    attempts = tmp_path_factory.mktemp("attempts")
    for team in ("一组", "二组"):
        imported = run_kb(root, "results", "import", "--team", team, str(write_jsonl(attempts / f"{team}.jsonl", round_of_attempts[team])))
        assert imported.returncode == 0, imported.stderr
    handed_in = write_jsonl(attempts / "certify.jsonl", round_of_attempts["certify"])
    assert run_kb(root, "results", "import", str(handed_in)).returncode == 0        # pending until graded
    graded = run_kb(root, "grade", str(handed_in))
    assert graded.returncode == 0, graded.stderr
    for args in (("report",), ("report", "--public")):
        result = run_kb(root, *args)
        assert result.returncode == 0, result.stdout + result.stderr
    return root


def all_learners(round_of_attempts) -> set[str]:
    return {r["learner"] for team in ("一组", "二组") for r in round_of_attempts[team]} | set(NOTEBOOK_LEARNERS)


def all_records(round_of_attempts) -> int:
    return sum(len(v) for v in round_of_attempts.values()) + len(NOTEBOOK_LEARNERS)


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
    NotebookClient(notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(demo_report / "reports")}}).execute()
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
    assert f"共 {all_records(round_of_attempts)} 次作答。" in html
    assert "<h2>自测成绩（学员自评，导入时已按答案复核）</h2>" in html and "<h2>考核成绩（讲师评分并签名）</h2>" in html
    assert f"共 {len(round_of_attempts['certify'])} 次作答（已评分 {len(round_of_attempts['certify'])} 次）" in html
    for name in all_learners(round_of_attempts):
        assert f"<td>{name}</td>" in html
    links = site_links(real_report, html)
    assert links
    assert_links_exist(real_report, links)


def test_items_are_shown_by_their_question_text(real_report, built_mini_site):
    html = page(real_report, "coaching.html")
    quiz = quizzes_of(built_mini_site)["rep"]
    for question in quiz.questions:
        assert html_escape(question.item.stem) in html
    assert "<code>auto-" not in html


def test_changes_come_from_exact_fractions(real_report):
    html = page(real_report, "coaching.html")
    row = re.search(f"<tr><td>{IMPROVER}</td>.*?</tr>", html, re.S).group()
    assert "<td>+33.3</td>" in row and "+33.4" not in row


def test_demo_and_real_results_never_mix(demo_report, real_report, round_of_attempts):
    real = {row[0] for row in db_rows(real_report, "SELECT attempt_id FROM attempts")}
    demo_db = sqlite3.connect(real_report / "results" / "demo" / "results.sqlite3")
    demo = {row[0] for row in demo_db.execute("SELECT attempt_id FROM attempts")}
    demo_db.close()
    assert len(real) == all_records(round_of_attempts)
    assert demo and not real & demo


def test_public_report_has_no_names_small_counts_or_local_paths(real_report, round_of_attempts):
    html = page(real_report, "coaching-public.html")
    notebook = page(real_report, "coaching-public.ipynb")
    assert "公开版：不含学员姓名和个人数据；少于 10 的人数和次数都不显示。" in html
    for name in all_learners(round_of_attempts):
        assert name not in html and name not in notebook
    for text in (html, notebook):
        assert str(real_report) not in text and "/tmp/" not in text
    shown_counts = [int(n) for n in re.findall(r"n=(\d+)", html)] + [int(n) for n in re.findall(r"<td>(\d+)</td>", html)]
    assert shown_counts and min(shown_counts) >= 10
    assert "少于 10" in html
    assert not (real_report / "reports" / "learners-public").exists()


def test_min_n_can_be_lowered_to_three_with_a_caution(real_report):
    result = run_kb(real_report, "report", "--min-n", "3", "--team", "二组")
    assert result.returncode == 0, result.stderr
    html = page(real_report, "coaching.html")
    assert "注意：最小样本设为 3（默认 10）" in html
    assert "筛选：团队 二组；" in html
    assert "学员01" in html and "学员00" not in html and IMPROVER not in html
    too_small = run_kb(real_report, "report", "--min-n", "2")
    assert too_small.returncode == 2
    assert "expected a whole number 3 or more, received '2'" in too_small.stderr or "3" in too_small.stderr
    assert run_kb(real_report, "report").returncode == 0          # the other tests read the full report


def test_one_to_one_pages(real_report, round_of_attempts, built_mini_site):
    folder = real_report / "reports" / "learners"
    index = (folder / "index.html").read_text(encoding="utf-8")
    names = all_learners(round_of_attempts)
    pages = sorted(folder.glob("learner-*.html"))
    assert len(pages) == len(names)
    assert all(name in index for name in names)
    assert not any(name in p.name for p in pages for name in names)       # learners' names never become file names
    sheet = next(p.read_text(encoding="utf-8") for p in pages if "<h1>学员00 · 一对一辅导</h1>" in p.read_text(encoding="utf-8"))
    assert "<h2>自测成绩（学员自己完成，导入时已按答案复核）</h2>" in sheet and "<h2>考核成绩（讲师评分并签名）</h2>" in sheet
    assert "<td>讲师评分</td>" in sheet and "<td>自评，已复核</td>" in sheet
    assert "2026-09-08" in sheet and "2026-09-15" in sheet and '<svg class="trend"' in sheet     # scores over time
    quiz = quizzes_of(built_mini_site)["rep"]
    assert any(html_escape(q.item.stem) in sheet for q in quiz.questions)  # the missed questions by their text
    assert "接下来要做的练习" in sheet
    links = [unquote(h) for h in HREF.findall(sheet) if h.startswith("../../_build/html/")]
    assert links
    for link in links:
        path, _, fragment = link.partition("#")
        assert (folder / path).resolve().is_file(), link


def test_report_without_results_says_what_to_do(mini_project):
    result = run_kb(mini_project, "report")
    assert result.returncode == 1
    assert result.stderr == (
        "results/results.sqlite3: expected quiz results in the database, found none\n"
        "    hint: import results with `python scripts/kb.py results import FILE...`, or try `python scripts/kb.py report --demo`\n"
        "1 problem(s) found; nothing was written.\n")
