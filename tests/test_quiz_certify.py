"""Certification mode: learners' files only record answers; `kb.py grade` scores them with the
trainer's key, reports bad records one by one and still grades the good ones."""
from __future__ import annotations

import html
import json
import re
from dataclasses import replace

import nbformat
import pytest

from conftest import FIXTURES, make_project, run_kb
from quizcheck import execute, fill, output_text, quizzes_of, read_notebook, read_records, saved_records, typed_right, wrong

from kb.content import load_content
from kb.quiz.blueprint import versioned
from kb.quiz.generate import site_links
from kb.quiz.notebook import render_notebook
from kb.quiz.page import standalone_html
from kb.quiz.keys import grading_secret, key_mac, signature_valid
from kb.quiz.records import digest_matches, seal_record
from kb.schema import validator


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("certify") / "project", FIXTURES / "mini")
    result = run_kb(root, "quiz", "--certify")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == f"ok: 2 quiz file(s) in {root / 'quizzes'}; the answer keys are in {root / 'keys'} (keep them private)"
    return root


@pytest.fixture(scope="module")
def quiz(project):
    return quizzes_of(project, mode="certify")["rep"]


@pytest.fixture(scope="module")
def taken(project, quiz, tmp_path_factory):
    """Two learners took the certification notebook: 张三 got the first half right, 李四 all."""
    folder = tmp_path_factory.mktemp("learners")
    notebooks = {}
    for learner, right in (("张三", len(quiz.questions) // 2), ("李四", len(quiz.questions))):
        notebook = read_notebook(project / "quizzes" / "certify" / "rep-certify.ipynb")
        fill(notebook, learner, {q.item.id: typed_right(q) if i < right else wrong(q) for i, q in enumerate(quiz.questions)})
        execute(notebook, folder)
        notebooks[learner] = notebook
        nbformat.write(notebook, str(folder / f"{learner}.ipynb"))
    return folder, notebooks


def _record_files(folder) -> list[str]:
    """The record files the notebooks saved, one per attempt (oldest first)."""
    return [str(path) for path in sorted((folder / "results").glob("rep-certify-*.jsonl"), key=lambda p: p.stat().st_mtime_ns)]


def test_certification_files_and_key_are_written_apart(project, quiz):
    assert sorted(p.name for p in (project / "quizzes" / "certify").iterdir()) == ["rep-certify.html", "rep-certify.ipynb"]
    assert [p.name for p in (project / "keys" / "rep-certify").iterdir()] == [f"{quiz.version}.json"]
    key = json.loads((project / "keys" / "rep-certify" / f"{quiz.version}.json").read_text(encoding="utf-8"))
    assert (key["quiz_id"], key["quiz_version"], key["mode"], key["pass_mark"], len(key["items"])) == ("rep-certify", quiz.version, "certify", 60, 6)
    assert [item["stem"] for item in key["items"]] == [q.item.stem for q in quiz.questions]


def test_learner_files_do_not_depend_on_the_answers(project, quiz):
    """With every answer changed, the notebook and the page come out the same except for the
    version, which carries a keyed digest of the answers (a new key never replaces an old one)."""
    content = load_content(project)
    changed = replace(quiz, questions=tuple(replace(q, key=wrong(q)) for q in quiz.questions))
    other = versioned(changed, key_mac(grading_secret(project), changed))
    assert other.version != quiz.version
    notebook_text = (project / "quizzes" / "certify" / "rep-certify.ipynb").read_text(encoding="utf-8")
    page_text = (project / "quizzes" / "certify" / "rep-certify.html").read_text(encoding="utf-8")
    unsealed = lambda text: re.sub(r'QUIZ_SEAL = \\"[0-9a-f]{64}', "QUIZ_SEAL = ", text)   # the seal covers the version too
    assert unsealed(render_notebook(other, site_links(content, None, "quizzes/certify"))) == unsealed(notebook_text.replace(quiz.version, other.version))
    assert standalone_html(other, site_links(content, None, "quizzes/certify")) == page_text.replace(quiz.version, other.version)
    data_cell = nbformat.reads(notebook_text, as_version=4).cells[1].source
    payloads = [json.loads(data_cell.split('r"""', 1)[1].split('"""', 1)[0]),
                json.loads(html.unescape(re.search(r'data-quiz="([^"]*)"', page_text).group(1)))]
    for payload in payloads:
        assert "salt" not in payload
        assert [sorted(entry) for entry in payload["items"]] == [["content_id", "id", "topic", "type"]] * len(quiz.questions)
    for text in (notebook_text, page_text):
        assert not any(q.item.explanation in text for q in quiz.questions)


def test_phone_users_of_a_certification_are_not_sent_to_the_practice_page(project):
    intro = nbformat.read(str(project / "quizzes" / "certify" / "rep-certify.ipynb"), as_version=4).cells[0].source
    assert "**用手机？**" in intro and "网页文件（.html）" in intro and "自测" not in intro


def test_the_notebook_records_answers_without_grading(taken, quiz):
    folder, notebooks = taken
    shown = output_text(notebooks["张三"])
    assert "已记录 6 题的答案。本次是考核，成绩由培训讲师评分后通知你。" in shown
    assert "成绩：" not in shown and "成绩 " not in shown
    assert "交给培训讲师" in shown and "【销售考核】张三\n已作答 6 题，等待讲师评分" in html.unescape(shown)
    records = saved_records(folder)
    assert [r["learner"] for r in records] == ["张三", "李四"]
    for record in records:
        assert not list(validator("result").iter_errors(record)) and digest_matches(record)
        assert (record["mode"], record["quiz_id"], record["quiz_version"]) == ("certify", "rep-certify", quiz.version)
        assert "score" not in record and "passed" not in record
        assert all("correct" not in entry for entry in record["items"])


def test_grade_scores_the_records_with_the_key(project, taken, tmp_path):
    folder, _ = taken
    out = tmp_path / "graded.jsonl"
    result = run_kb(project, "grade", *_record_files(folder), "--out", str(out))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("张三: 50 points, not passed (3/6 right, ")
    assert any(line.startswith("李四: 100 points, passed (6/6 right, ") for line in lines)
    assert lines[-1] == "graded 2 attempt(s) of rep-certify; 2 new result(s) stored"
    graded = {r["learner"]: r for r in read_records(out)}
    assert (graded["张三"]["score"], graded["张三"]["passed"], graded["李四"]["score"], graded["李四"]["passed"]) == (50, False, 100, True)
    assert [e["correct"] for e in graded["张三"]["items"]] == [True] * 3 + [False] * 3
    for record in graded.values():
        assert digest_matches(record) and not list(validator("result").iter_errors(record))
        assert signature_valid(record, grading_secret(project))
    again = run_kb(project, "grade", *_record_files(folder), "--out", str(out))
    assert again.stdout.splitlines()[-1] == "graded 2 attempt(s) of rep-certify; 0 new result(s) stored"
    assert len(read_records(out)) == 2


def test_wrong_items_point_to_the_pages_to_reread(project, taken, quiz, tmp_path):
    folder, _ = taken
    result = run_kb(project, "grade", *_record_files(folder), "--out", str(tmp_path / "g.jsonl"))
    content = load_content(project)
    links = site_links(content, None, ".")
    expected = list(dict.fromkeys(links(q.item.content_id) for q in quiz.questions[3:]))
    lines = result.stdout.splitlines()
    assert lines[1:1 + len(expected)] == [f"    reread: {title}  {url}" for title, url in expected]


def test_grade_reads_handed_in_notebooks(project, taken, tmp_path):
    folder, _ = taken
    out = tmp_path / "graded.jsonl"
    result = run_kb(project, "grade", str(folder / "张三.ipynb"), str(folder / "李四.ipynb"), "--out", str(out))
    assert result.returncode == 0, result.stderr
    graded = {r["learner"]: r for r in read_records(out)}
    assert (graded["张三"]["score"], graded["李四"]["score"]) == (50, 100)
    assert {r["source"] for r in graded.values()} == {"notebook"}


@pytest.fixture
def bad_records(taken, tmp_path):
    """A file with one good record and one of each kind of bad line."""
    folder, _ = taken
    good, other = saved_records(folder)
    edited = {**other, "learner": "李四改"}                              # changed after saving
    practice = seal_record({**other, "mode": "practice", "attempt_id": "0" * 32})
    old_version = seal_record({**other, "quiz_version": "0123456789abcdef", "attempt_id": "1" * 32})
    path = tmp_path / "handed-in.jsonl"
    path.write_text("\n".join([json.dumps(good, ensure_ascii=False), "{not json", json.dumps(edited, ensure_ascii=False),
                               json.dumps(practice, ensure_ascii=False), json.dumps(old_version, ensure_ascii=False),
                               json.dumps({k: v for k, v in good.items() if k != "learner"}, ensure_ascii=False)]) + "\n", encoding="utf-8")
    return path


def test_bad_records_are_reported_and_the_good_one_is_graded(project, quiz, bad_records, tmp_path):
    result = run_kb(project, "grade", str(bad_records), "--out", str(tmp_path / "g.jsonl"))
    assert result.returncode == 1
    shown = str(bad_records)
    assert result.stderr.splitlines() == [
        f"{shown}:2:1: expected one JSON object per line, received text that is not JSON (Expecting property name enclosed in double quotes: column 2)",
        "    hint: the file must hold the records exactly as the quiz saved them, one per line",
        f"{shown}:3:1: digest: the record was changed after it was saved: its digest does not match",
        "    hint: ask the learner for the file exactly as the quiz saved it",
        f"{shown}:5:1: quiz_version: expected a version of quiz rep-certify whose key is known, received version 0123456789abcdef; keys/rep-certify/ holds version(s) {quiz.version}",
        "    hint: grade on the machine that ran kb.py quiz --certify for this version (its keys/ folder holds the key)",
        f"{shown}:6:1: learner: missing required field",
        "    hint: add 'learner:' — Learner's name as typed."]
    assert result.stdout.splitlines()[-1] == "graded 1 attempt(s) of rep-certify; 0 new result(s) stored; 1 practice record(s) ignored"
    assert [r["learner"] for r in read_records(tmp_path / "g.jsonl")] == ["张三"]


def test_a_missing_key_is_a_clear_error(project, taken, quiz, tmp_path):
    folder, _ = taken
    kept = project / "keys" / "rep-certify" / f"{quiz.version}.json"
    hidden = tmp_path / "hidden.json"
    kept.rename(hidden)
    try:
        result = run_kb(project, "grade", *_record_files(folder))
    finally:
        hidden.rename(kept)
    assert result.returncode == 1
    assert result.stderr.splitlines()[:2] == [
        f"{_record_files(folder)[0]}:1:1: quiz_version: expected a version of quiz rep-certify whose key is known, received version {quiz.version}; keys/rep-certify/ holds no key",
        "    hint: grade on the machine that ran kb.py quiz --certify for this version (its keys/ folder holds the key)"]
    named = run_kb(project, "grade", *_record_files(folder), "--key", "keys/nope.json")
    assert named.returncode == 1
    assert named.stderr.splitlines()[0] == "keys/nope.json: the key cannot be read: No such file or directory"


def test_an_edited_handed_in_notebook_cannot_change_its_score(project, taken, tmp_path):
    """The trainer scores the answer cells with the key, so edits to every locked cell (data,
    recording code) and an inserted 'score = 100' cell change nothing."""
    folder, notebooks = taken
    edited = nbformat.from_dict(json.loads(json.dumps(notebooks["张三"])))
    locked = [cell for cell in edited.cells if cell.metadata.get("editable") is False]
    assert locked, "the certification notebook has locked cells"
    for cell in locked:
        cell.source += "\nscore = 100  # edited by the learner"
    edited.cells.append(nbformat.v4.new_code_cell("score = 100\npassed = True"))
    path = tmp_path / "张三-edited.ipynb"
    nbformat.write(edited, str(path))
    out = tmp_path / "graded.jsonl"
    result = run_kb(project, "grade", str(path), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "the locked cell 'quiz-data' was edited" in result.stderr
    graded = read_records(out)
    assert [(r["learner"], r["score"], r["passed"]) for r in graded] == [("张三", 50, False)]
