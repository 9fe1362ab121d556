"""Quiz notebooks: written by `kb.py quiz`, executed with nbclient, graded, recorded, tamper-evident."""
from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import replace

import nbformat
import pytest

from conftest import FIXTURES, make_project, run_kb
from quizcheck import execute, fill, output_text, quizzes_of, read_notebook, saved_records, typed_right, wrong

from kb.content import load_content
from kb.quiz.blueprint import versioned
from kb.quiz.generate import site_links
from kb.quiz.notebook import render_notebook
from kb.quiz.records import canonical_json, digest_matches, record_digest
from kb.quiz.runtime import TAMPERED
from kb.render import group_slug
from kb.schema import validator

ROLES = ["content-creator", "customer-service", "group-lead", "sales", "senior-sales", "team-lead"]
# Half right means the first n // 2 questions right: the score is 100 * (n // 2) / n, one decimal.
HALF_SCORES = {12: 50, 15: 46.7, 20: 50}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A copy of the project with the sample content, after `kb.py quiz`."""
    root = make_project(tmp_path_factory.mktemp("quiz") / "project")
    result = run_kb(root, "quiz")
    assert result.returncode == 0, result.stdout + result.stderr
    return root


@pytest.fixture(scope="module")
def quizzes(project):
    return quizzes_of(project)


@pytest.fixture(scope="module")
def content_titles(project):
    return {item.id: item.title for item in load_content(project).items.values()}


def test_quiz_command_writes_one_valid_notebook_per_sample_role(project):
    written = sorted(p.name for p in (project / "quizzes").glob("*.ipynb"))
    assert written == [f"{role}.ipynb" for role in ROLES]
    for name in written:
        nbformat.validate(read_notebook(project / "quizzes" / name))


def test_quiz_command_rewrites_nothing_when_nothing_changed(project):
    before = {p.name: p.stat().st_mtime_ns for p in (project / "quizzes").glob("*.ipynb")}
    result = run_kb(project, "quiz")
    assert result.returncode == 0
    assert "write     0 written, 6 unchanged" in result.stdout
    assert {p.name: p.stat().st_mtime_ns for p in (project / "quizzes").glob("*.ipynb")} == before


def test_instruction_data_and_grading_cells_are_locked(project, quizzes):
    notebook = read_notebook(project / "quizzes" / "sales.ipynb")
    cells = notebook.cells
    locked = {"editable": False, "deletable": False}
    assert [c.cell_type for c in cells[:4]] == ["markdown", "code", "markdown", "code"]
    assert {k: cells[0].metadata[k] for k in locked} == locked
    assert {k: cells[1].metadata[k] for k in locked} == locked
    assert {k: cells[-1].metadata[k] for k in locked} == locked
    assert cells[-1].metadata["kb_quiz"] == {"cell": "submit"}
    questions = quizzes["sales"].questions
    pairs = cells[4:-2]
    assert len(pairs) == 2 * len(questions)
    for index, question in enumerate(questions):
        text, answer = pairs[2 * index], pairs[2 * index + 1]
        assert text.cell_type == "markdown" and text.metadata["editable"] is False
        assert answer.metadata["kb_quiz"] == {"cell": "answer", "item": question.item.id}
        assert answer.metadata["deletable"] is False and "editable" not in answer.metadata
        assert answer.source.startswith(f'q{index + 1:02d} = ""  # ')


def _answers(quiz, scenario: str) -> tuple[dict, list[bool]]:
    """Typed answers for a scenario and which of them are right."""
    count = len(quiz.questions)
    right = {"right": [True] * count, "wrong": [False] * count,
             "half": [index < count // 2 for index in range(count)]}[scenario]
    answers = {q.item.id: typed_right(q) if ok else wrong(q) for q, ok in zip(quiz.questions, right)}
    return answers, right


@pytest.mark.parametrize("scenario", ["right", "wrong", "half"])
@pytest.mark.parametrize("role", ROLES)
def test_notebook_grades_itself_and_appends_the_record(project, quizzes, content_titles, tmp_path, role, scenario):
    quiz = quizzes[role]
    notebook = read_notebook(project / "quizzes" / f"{role}.ipynb")
    answers, right = _answers(quiz, scenario)
    fill(notebook, "张三", answers)
    execute(notebook, tmp_path)

    count = len(quiz.questions)
    score = {"right": 100, "wrong": 0, "half": HALF_SCORES[count]}[scenario]
    passed = score >= quiz.pass_mark
    shown = output_text(notebook)
    assert f"成绩：{score} 分（及格线 {quiz.pass_mark} 分）{'通过 ✓' if passed else '未通过 ✗'}" in shown
    [record] = saved_records(tmp_path)
    assert not list(validator("result").iter_errors(record))
    assert digest_matches(record)
    assert {k: record[k] for k in ("record_version", "learner", "role", "quiz_id", "quiz_version", "seed", "mode",
                                   "source", "score", "passed", "pass_mark")} == {
        "record_version": 1, "learner": "张三", "role": role, "quiz_id": role, "quiz_version": quiz.version, "seed": 0,
        "mode": "practice", "source": "notebook", "score": score, "passed": passed, "pass_mark": quiz.pass_mark}
    assert record["items"] == [
        {"item_id": q.item.id, "topic": q.item.topic, "content_id": q.item.content_id,
         "response": q.key if ok else wrong(q), "correct": ok} for q, ok in zip(quiz.questions, right)]
    # each wrong item shows its explanation and the link to its page; right items do not
    explained = {q.item.explanation for q, ok in zip(quiz.questions, right) if not ok}
    for question, ok in zip(quiz.questions, right):
        if not ok:
            assert html.escape(question.item.explanation) in shown
            assert f"重读：{html.escape(content_titles[question.item.content_id])}" in shown
        elif question.item.explanation not in explained:
            assert html.escape(question.item.explanation) not in shown


def test_wrong_items_link_to_their_page_on_the_local_site(project, quizzes, tmp_path):
    quiz = quizzes["customer-service"]
    notebook = read_notebook(project / "quizzes" / "customer-service.ipynb")
    fill(notebook, "李四", {})
    execute(notebook, tmp_path)
    shown = output_text(notebook)
    sop_page = f"book/kb/sops/{group_slug('sop', 'customer-service')}.html"      # SOPs are grouped by owner role
    assert f"href='../_build/html/{sop_page}#kb-sop-after-sales-24h'" in shown
    assert shown.count("重读：") == len(quiz.questions)
    assert "（未作答）" in shown


def test_without_a_name_the_score_is_shown_but_no_record_is_saved(project, quizzes, tmp_path):
    quiz = quizzes["team-lead"]
    notebook = read_notebook(project / "quizzes" / "team-lead.ipynb")
    fill(notebook, "  ", {q.item.id: q.key for q in quiz.questions})
    execute(notebook, tmp_path)
    shown = output_text(notebook)
    assert "成绩：100 分" in shown
    assert "没有填写姓名，本次结果没有保存：在“你的名字”下面那一格的引号里写上名字" in shown
    assert not (tmp_path / "results").exists()


def _tamper_cases():
    def edit_data(notebook):
        cell = notebook.cells[1]
        first_hash = re.search(r"[0-9a-f]{64}", cell.source.split("QUIZ_SEAL")[0]).group()
        cell.source = cell.source.replace(first_hash, hashlib.sha256(b"A").hexdigest(), 1)

    def edit_grading(notebook):
        source = notebook.cells[-1].source
        notebook.cells[-1].source = source.replace('tenths >= quiz["pass_mark"] * 10', "True")
        assert notebook.cells[-1].source != source

    def edit_in_answer_cell(notebook):
        answer = next(c for c in notebook.cells if c.metadata.get("kb_quiz", {}).get("cell") == "answer")
        answer.source += 'QUIZ["pass_mark"] = 0\n'
    return {"data cell edited": edit_data, "grading cell edited": edit_grading, "quiz changed by an answer cell": edit_in_answer_cell}


@pytest.mark.parametrize("case", list(_tamper_cases()))
def test_tampering_is_reported_and_no_record_is_saved(project, quizzes, tmp_path, case):
    quiz = quizzes["sales"]
    notebook = read_notebook(project / "quizzes" / "sales.ipynb")
    fill(notebook, "王五", {q.item.id: q.key for q in quiz.questions})
    _tamper_cases()[case](notebook)
    # JupyterLab sends cell ids, and then an answer cell's text is only read, never run (see
    # test_quiz_notebook_submit); a frontend without ids runs it, and the change is caught
    execute(notebook, tmp_path, cell_ids=case != "quiz changed by an answer cell")
    shown = output_text(notebook)
    assert TAMPERED in shown
    assert "成绩：" not in shown
    assert not (tmp_path / "results").exists()


def _masked(text: str, versions: list[str]) -> str:
    for version in versions:
        text = text.replace(version, "VERSION")
    return re.sub(r"[0-9a-f]{64}", "HASH", text)


def test_the_notebook_holds_no_answer_only_salted_hashes(project, quizzes):
    """Render the same quiz with every answer changed: the files differ only in hashes."""
    link_of = site_links(load_content(project), None, "quizzes")
    for role, quiz in quizzes.items():
        text = (project / "quizzes" / f"{role}.ipynb").read_text(encoding="utf-8")
        assert '"answer":' not in text and '"key":' not in text
        for question in quiz.questions:
            assert question.item.explanation not in text
        other = versioned(replace(quiz, questions=tuple(replace(q, key=wrong(q)) for q in quiz.questions)))
        rendered = render_notebook(other, link_of)
        assert rendered != text
        assert _masked(rendered, [other.version, quiz.version]) == _masked(text, [other.version, quiz.version])


def test_record_digest_is_sha256_of_the_canonical_json():
    record = {"learner": "张三", "b": [1, 2.5, True], "a": {"y": "\"引号\"\n", "x": None}, "digest": "ignored"}
    expected = '{"a":{"x":null,"y":"\\"引号\\"\\n"},"b":[1,2.5,true],"learner":"张三"}'
    assert canonical_json(record) == expected
    assert record_digest(record) == hashlib.sha256(expected.encode("utf-8")).hexdigest()
    sealed = {**record, "digest": record_digest(record)}
    assert digest_matches(sealed)
    assert not digest_matches({**sealed, "learner": "李四"})


def test_an_unknown_role_is_a_usage_problem(project):
    result = run_kb(project, "quiz", "--role", "sale")
    assert result.returncode == 1
    assert result.stderr.splitlines()[:2] == [
        "content/roles: expected the id of a role, received 'sale'",
        "    hint: roles: content-creator, customer-service, group-lead, sales, senior-sales, team-lead"]


def test_a_variant_has_the_same_blueprint_but_other_questions(project, quizzes):
    result = run_kb(project, "quiz", "--variant", "2", "--role", "sales")
    assert result.returncode == 0, result.stderr
    variant = read_notebook(project / "quizzes" / "sales-v2.ipynb")
    assert variant.metadata["kb_quiz"]["quiz_id"] == "sales-v2" and variant.metadata["kb_quiz"]["seed"] == 2
    other = quizzes_of(project, seed=2)["sales"]
    base = quizzes["sales"]
    topics = lambda quiz: sorted(q.item.topic for q in quiz.questions)  # noqa: E731
    assert topics(other) == topics(base)
    assert [q.item.id for q in other.questions] != [q.item.id for q in base.questions]
    assert json.loads(json.dumps(other.salt)) != base.salt


def test_site_url_prefixes_the_links_to_reread(tmp_path):
    root = make_project(tmp_path / "project", FIXTURES / "mini")
    config = root / "_config.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("html:\n", "html:\n  baseurl: https://kb.example/site/\n", 1), encoding="utf-8")
    assert run_kb(root, "quiz").returncode == 0
    urls = re.findall(r'\\"url\\": \\"([^\\\\]*)\\"', (root / "quizzes" / "rep.ipynb").read_text(encoding="utf-8"))
    assert urls and all(url.startswith("https://kb.example/site/book/kb/") and "#kb-" in url for url in urls)
    assert run_kb(root, "quiz", "--site-url", "https://other.example").returncode == 0
    urls = re.findall(r'\\"url\\": \\"([^\\\\]*)\\"', (root / "quizzes" / "rep.ipynb").read_text(encoding="utf-8"))
    assert urls and all(url.startswith("https://other.example/book/kb/") for url in urls)
