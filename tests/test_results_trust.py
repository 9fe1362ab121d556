"""Numbers a trainer can trust (issue 13): forged and edited scores are refused, old versions
stay gradable, certification items are never public, `grade` says what it sees in a notebook,
and learner text reaches the terminal escaped. One fixture per failure mode, named after it."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import nbformat
import pytest

from conftest import FIXTURES, ROOT, make_project, run_kb
from quizcheck import execute, fill, quizzes_of, read_notebook, typed_right, wrong
from resultcheck import attempt, db_rows, full_marks, quiz_payload, write_jsonl

from kb.content import load_content
from kb.quiz.bank import load_bank
from kb.quiz.blueprint import fact_of, item_pool
from kb.quiz.model import text_key
from kb.quiz.records import seal_record
from kb.review import published, today
from kb.safetext import safe_text


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("trust") / "project", FIXTURES / "mini")
    for args in (("quiz",), ("quiz", "--certify")):
        result = run_kb(root, *args)
        assert result.returncode == 0, result.stderr
    return root


@pytest.fixture(scope="module")
def practice(project):
    return quiz_payload(project, mode="practice")


@pytest.fixture(scope="module")
def certify(project):
    return quiz_payload(project, mode="certify")


def shown(root, path) -> str:
    """How messages name a file: relative to the project folder."""
    return os.path.relpath(path, root)


def import_(root, *files):
    return run_kb(root, "results", "import", *map(str, files))


# ---- forged and edited scores ----

@pytest.fixture
def forged_certification_record(certify, tmp_path):
    """A certification record the learner 'graded' themselves: score 100, passed, digest recomputed."""
    record = attempt(*certify, "伪造者", 1)
    return write_jsonl(tmp_path / "forged.jsonl", [full_marks(record)]), record


@pytest.fixture
def edited_practice_score(practice, tmp_path):
    """A practice record whose score (and marks) were edited and whose digest was recomputed."""
    record = attempt(*practice, "改分者", 2)
    return write_jsonl(tmp_path / "edited.jsonl", [full_marks(record)]), record


REFUSED = {
    "forged_certification_record": (
        "signature: expected an ungraded certification attempt or one graded by kb.py grade on this machine, "
        "received a score without the trainer's signature: it was not graded here",
        "certification counts only after kb.py grade; import the learner's ungraded record and grade it"),
    "edited_practice_score": (
        "score: expected the score its answers earn, {score} (not passed), received 100 (passed); "
        "question(s) 3, 4, 5, 6 marked otherwise: the result was changed",
        "an edited practice record is refused; ask the learner to take the quiz again"),
}


@pytest.mark.parametrize("fixture", sorted(REFUSED))
def test_a_score_the_learner_gave_is_refused(project, fixture, request):
    path, original = request.getfixturevalue(fixture)
    message, hint = REFUSED[fixture]
    result = import_(project, path)
    assert result.returncode == 1
    assert result.stderr.splitlines()[:2] == [f"{shown(project, path)}:1:1: " + message.format(score=original.get("score")), "    hint: " + hint]
    assert db_rows(project, "SELECT COUNT(*) FROM attempts WHERE attempt_id = ?", original["attempt_id"]) == [(0,)]


def test_genuine_practice_is_stored_as_self_taken_and_certification_only_after_grade(project, practice, certify, tmp_path):
    payload, quiz = practice
    genuine = write_jsonl(tmp_path / "practice.jsonl", [attempt(payload, quiz, "王芳", 4)])
    assert import_(project, genuine).returncode == 0
    payload, quiz = certify
    ungraded = attempt(payload, quiz, "王芳", 5)
    handed_in = write_jsonl(tmp_path / "certify.jsonl", [ungraded])
    assert import_(project, handed_in).returncode == 0
    rows = db_rows(project, "SELECT a.mode, r.grader, r.score FROM attempts a LEFT JOIN results r ON r.attempt = a.id WHERE a.learner = '王芳' ORDER BY a.mode")
    assert rows == [("certify", None, None), ("practice", "self", round(400 / 6, 1))]
    out = tmp_path / "graded.jsonl"
    graded = run_kb(project, "grade", str(handed_in), "--out", str(out))
    assert graded.returncode == 0, graded.stderr
    assert db_rows(project, "SELECT r.grader, r.right_answers, r.questions, r.signature IS NOT NULL FROM attempts a JOIN results r ON r.attempt = a.id "
                            "WHERE a.attempt_id = ?", ungraded["attempt_id"]) == [("trainer", 5, 6, 1)]
    again = import_(project, out)      # the signed file itself: the same attempt, kept once
    assert again.returncode == 0, again.stderr
    assert "skipped the copy" in again.stderr


# ---- versions ----

@pytest.fixture(scope="module")
def old_version_attempts(project, practice, certify, tmp_path_factory):
    """Attempts taken on the first version of both quizzes; then the trainer changes the
    answers (deadline and step hours of the SOP) and writes the quizzes again."""
    folder = tmp_path_factory.mktemp("old")
    practice_record = attempt(*practice, "老版本", 3)
    certify_record = attempt(*certify, "老版本", 4)
    paths = write_jsonl(folder / "practice.jsonl", [practice_record]), write_jsonl(folder / "certify.jsonl", [certify_record])
    keys_before = {p.relative_to(project): p.read_bytes() for p in (project / "keys").rglob("*.json")}
    sop = project / "content" / "sops" / "after-sales-sop.yml"
    sop.write_text(sop.read_text(encoding="utf-8").replace("deadline_hours: 24", "deadline_hours: 48").replace("within_hours: 2}", "within_hours: 3}"), encoding="utf-8")
    for args in (("quiz",), ("quiz", "--certify")):
        result = run_kb(project, *args)
        assert result.returncode == 0, result.stderr
    return paths, (practice_record, certify_record), keys_before


def test_keys_are_never_overwritten(project, old_version_attempts, practice, certify):
    _, _, keys_before = old_version_attempts
    for rel, data in keys_before.items():
        assert (project / rel).read_bytes() == data, rel
    for quiz_id, (_, old_quiz) in (("rep", practice), ("rep-certify", certify)):
        versions = sorted(p.stem for p in (project / "keys" / quiz_id).glob("*.json"))
        new_quiz = quizzes_of(project, mode="certify" if "certify" in quiz_id else "practice")["rep"]
        assert new_quiz.version != old_quiz.version
        assert versions == sorted([old_quiz.version, new_quiz.version])


def test_an_old_version_attempt_is_graded_after_the_quiz_changed(project, old_version_attempts, tmp_path):
    (practice_path, certify_path), (practice_record, certify_record), _ = old_version_attempts
    imported = import_(project, practice_path)
    assert imported.returncode == 0, imported.stderr
    out = tmp_path / "graded.jsonl"
    graded = run_kb(project, "grade", str(certify_path), "--out", str(out))
    assert graded.returncode == 0, graded.stderr
    assert graded.stdout.splitlines()[0].startswith("老版本: 66.7 points, passed (4/6 right, ")
    assert json.loads(out.read_text(encoding="utf-8"))["quiz_version"] == certify_record["quiz_version"]


def test_an_unknown_version_is_named_in_the_message(project, practice, tmp_path):
    record = seal_record({**attempt(*practice, "未知版本", 2), "quiz_version": "0000aaaa0000aaaa"})
    path = write_jsonl(tmp_path / "unknown.jsonl", [record])
    result = import_(project, path)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0].startswith(f"{shown(project, path)}:1:1: quiz_version: expected a version of quiz rep whose key is known, received version 0000aaaa0000aaaa; keys/rep/ holds version(s) ")


# ---- certification items are never public ----

def asks(item) -> tuple:
    """A question and its answer as text: two items that ask the same thing share it."""
    if item.type in ("single", "multiple"):
        answer = tuple(sorted(text_key(item.options[i]) for i in item.correct))
    elif item.type in ("ordering", "matching"):
        answer = tuple(text_key(o) for o in item.lefts + item.options)
    else:
        answer = (str(item.truth), item.number)
    return text_key(item.stem), answer


@pytest.mark.parametrize("content", ["sample", "mini"])
def test_certification_and_public_items_share_nothing(content, tmp_path):
    root = ROOT if content == "sample" else make_project(tmp_path / "p", FIXTURES / "mini")
    everything = load_content(root)
    bank = load_bank(root, everything)
    published_content = published(everything, today())
    public = item_pool(published_content, bank, "practice")       # site self-check pages and every practice notebook
    secret = item_pool(published_content, bank, "certify")
    assert secret and public
    assert not {i.id for i in public} & {i.id for i in secret}
    assert not {fact_of(i) for i in public} & {fact_of(i) for i in secret}
    assert not {asks(i) for i in public} & {asks(i) for i in secret}
    asked = {q.item.id for seed in range(4) for quiz in quizzes_of(root, seed).values() for q in quiz.questions}
    certified = {q.item.id for seed in range(2) for quiz in quizzes_of(root, seed, "certify").values() for q in quiz.questions}
    assert asked and certified and not asked & certified


def test_certification_files_are_ignored_by_git():
    result = subprocess.run(["git", "check-ignore", "quizzes/certify/sales-certify.ipynb", "keys/grading.secret", "results/results.sqlite3"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.stdout.split() == ["quizzes/certify/sales-certify.ipynb", "keys/grading.secret", "results/results.sqlite3"]


# ---- grade reports what it sees in a handed-in notebook ----

@pytest.fixture(scope="module")
def taken_notebook(project, tmp_path_factory):
    """张三 answered the certification notebook: the first four right."""
    quiz = quizzes_of(project, mode="certify")["rep"]
    folder = tmp_path_factory.mktemp("handed-in")
    notebook = read_notebook(project / "quizzes" / "certify" / "rep-certify.ipynb")
    fill(notebook, "张三", {q.item.id: typed_right(q) if i < 4 else wrong(q) for i, q in enumerate(quiz.questions)})
    execute(notebook, folder)
    nbformat.write(notebook, str(folder / "张三.ipynb"))
    return folder, notebook


def _variant(taken_notebook, tmp_path, name, change):
    notebook = nbformat.from_dict(json.loads(json.dumps(taken_notebook[1])))
    change(notebook)
    path = tmp_path / f"{name}.ipynb"
    nbformat.write(notebook, str(path))
    return path


def _answer_cells(notebook):
    return [cell for cell in notebook.cells if cell.metadata.get("kb_quiz", {}).get("cell") == "answer"]


@pytest.fixture
def missing_question(taken_notebook, tmp_path):
    return _variant(taken_notebook, tmp_path, "missing", lambda nb: nb.cells.remove(_answer_cells(nb)[1]))


@pytest.fixture
def relabelled_question(taken_notebook, tmp_path):
    def relabel(notebook):
        cell = _answer_cells(notebook)[2]
        cell.source = cell.source.replace("q03", "q09")
    return _variant(taken_notebook, tmp_path, "relabelled", relabel)


@pytest.fixture
def duplicated_question(taken_notebook, tmp_path):
    def duplicate(notebook):
        cell = _answer_cells(notebook)[0]
        copy = nbformat.from_dict(json.loads(json.dumps(cell)))
        copy.id = "q01-copy"
        copy.source = copy.source.split(" =")[0] + ' = "Z"\n'
        notebook.cells.insert(notebook.cells.index(cell) + 1, copy)
    return _variant(taken_notebook, tmp_path, "duplicated", duplicate)


@pytest.fixture
def edited_locked_cell(taken_notebook, tmp_path):
    def edit(notebook):
        notebook.cells[0].source += "\n（学员改过这里）"
    return _variant(taken_notebook, tmp_path, "edited", edit)


@pytest.mark.parametrize("fixture, finding, score", [
    ("missing_question", "question 2's answer cell is missing: counted as unanswered", 50),
    ("relabelled_question", "question 3's answer cell was relabelled (q09 instead of q03): graded as question 3", 66.7),
    ("duplicated_question", "question 1 has 2 answer cells: the first one was graded", 66.7),
    ("edited_locked_cell", "the locked cell 'intro' was edited (the answers were graded with the trainer's key all the same)", 66.7),
])
def test_grade_reports_what_it_sees_and_grades_the_rest(project, fixture, finding, score, request, tmp_path):
    path = request.getfixturevalue(fixture)
    result = run_kb(project, "grade", str(path), "--out", str(tmp_path / "g.jsonl"))
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"{path}: warning: the notebook is not as the quiz wrote it: {finding}",
        "    hint: the answers that could be found were graded; check with the learner"]
    assert result.stdout.splitlines()[0].startswith(f"张三: {score} points, ")


def test_a_notebook_and_its_record_count_once(project, taken_notebook, tmp_path):
    folder, _ = taken_notebook
    result = run_kb(project, "grade", str(folder / "张三.ipynb"), *map(str, (folder / "results").glob("rep-certify-*.jsonl")), "--out", str(tmp_path / "g.jsonl"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].startswith("graded 1 attempt(s) of rep-certify;")
    assert result.stdout.splitlines()[-1].endswith("; 1 duplicate(s) graded once")
    assert len(tmp_path.joinpath("g.jsonl").read_text(encoding="utf-8").splitlines()) == 1


# ---- learner text is shown escaped ----

HOSTILE = "李\x1b[2J\x1b[1;1H已通过 100 分\u202e\u200b"


def test_safe_text_escapes_controls_bidi_and_zero_width():
    assert safe_text(HOSTILE) == "李\\x1b[2J\\x1b[1;1H已通过 100 分\\u202e\\u200b"
    assert safe_text("第一行\n第二行\t", keep_newlines=True) == "第一行\n第二行\\x09"
    assert safe_text("王芳 Wang-Fang（销售）") == "王芳 Wang-Fang（销售）"


@pytest.fixture
def hostile_learner_name(certify, tmp_path):
    return write_jsonl(tmp_path / "hostile.jsonl", [attempt(*certify, HOSTILE, 6)])


def test_a_hostile_name_reaches_the_terminal_escaped(project, hostile_learner_name, tmp_path):
    result = run_kb(project, "grade", str(hostile_learner_name), "--out", str(tmp_path / "g.jsonl"))
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout + result.stderr and "\u202e" not in result.stdout
    assert result.stdout.splitlines()[0].startswith("李\\x1b[2J\\x1b[1;1H已通过 100 分\\u202e\\u200b: 100 points, passed")


# ---- concurrent grading and the site's keys ----

@pytest.fixture
def two_disjoint_handed_in_batches(certify, tmp_path):
    """3,000 certification records each, no attempt id in common."""
    payload, quiz = certify
    return [write_jsonl(tmp_path / f"{name}.jsonl", [attempt(payload, quiz, f"{name}{n}", n % 7) for n in range(3000)]) for name in ("甲", "乙")]


def test_two_concurrent_grade_runs_lose_nothing(project, two_disjoint_handed_in_batches, tmp_path):
    out = tmp_path / "graded.jsonl"
    command = [sys.executable, str(project / "scripts" / "kb.py"), "grade"]
    runs = [subprocess.Popen([*command, str(path), "--out", str(out)], cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for path in two_disjoint_handed_in_batches]
    for run in runs:
        stdout, stderr = run.communicate(timeout=900)
        assert run.returncode == 0, stderr
        assert stdout.splitlines()[-1] == "graded 3000 attempt(s) of rep-certify; 3000 new result(s) stored"
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len({json.loads(line)["attempt_id"] for line in lines}) == 6000
    assert db_rows(project, "SELECT COUNT(*) FROM attempts a JOIN results r ON r.attempt = a.id WHERE r.grader = 'trainer' "
                            "AND (a.learner LIKE '甲%' OR a.learner LIKE '乙%')") == [(6000,)]


def test_the_site_build_keeps_the_self_check_keys(built_mini_site):
    version = quizzes_of(built_mini_site)["rep"].version
    assert (built_mini_site / "keys" / "rep" / f"{version}.json").is_file()


@pytest.fixture
def notebook_and_record_handed_in_apart(project, tmp_path):
    """王五's certification notebook and the record it saved, handed in on different days."""
    quiz = quizzes_of(project, mode="certify")["rep"]
    notebook = read_notebook(project / "quizzes" / "certify" / "rep-certify.ipynb")
    fill(notebook, "王五", {q.item.id: typed_right(q) for q in quiz.questions})
    execute(notebook, tmp_path)
    nbformat.write(notebook, str(tmp_path / "王五.ipynb"))
    [record] = (tmp_path / "results").glob("rep-certify-*.jsonl")        # the notebook saves one file per attempt
    return tmp_path / "王五.ipynb", record


def test_a_notebook_and_its_record_count_once_across_runs(project, notebook_and_record_handed_in_apart):
    """The .jsonl is imported (ungraded), the .ipynb graded later, the .jsonl imported again:
    one attempt, graded once."""
    notebook, record = notebook_and_record_handed_in_apart
    assert import_(project, record).returncode == 0
    graded = run_kb(project, "grade", str(notebook))
    assert graded.returncode == 0, graded.stderr
    assert graded.stdout.splitlines()[-1] == "graded 1 attempt(s) of rep-certify; 1 new result(s) stored"
    again = import_(project, record)
    assert again.returncode == 0, again.stderr
    assert "skipped the copy" in again.stderr
    assert db_rows(project, "SELECT r.grader, r.right_answers FROM attempts a LEFT JOIN results r ON r.attempt = a.id WHERE a.learner = '王五'") == [("trainer", 6)]
