"""Quiz notebooks (issue 17), one test per way a learner's hand-in went wrong: cells run out of
order, answers typed as people type them, repeats, the hand-in itself. Cells run in a real kernel
with nbclient, the way JupyterLab runs them (cell ids sent) unless a test says otherwise."""
from __future__ import annotations

import json
import re

import pytest

from conftest import FIXTURES, make_project, run_kb
from quizcheck import Frontend, execute, fill, output_text, quizzes_of, read_notebook, saved_records, typed_right, wrong

from kb.quiz.answers import read_cell, read_line, transform_answer_cell
from kb.quiz.runtime import MISSING_DATA, NOT_A_FULL_RUN, TAMPERED

ROLE = "sales"


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("submit") / "project")
    result = run_kb(root, "quiz", "--role", ROLE)
    assert result.returncode == 0, result.stdout + result.stderr
    return root


@pytest.fixture(scope="module")
def quiz(project):
    return quizzes_of(project)[ROLE]


@pytest.fixture
def notebook(project):
    return read_notebook(project / "quizzes" / f"{ROLE}.ipynb")


def _all_right(quiz) -> dict:
    return {q.item.id: typed_right(q) for q in quiz.questions}


def _answer_cell(notebook, index: int):
    return [c for c in notebook.cells if c.metadata.get("kb_quiz", {}).get("cell") == "answer"][index]


def _no_errors_and_no_out(notebook) -> None:
    for cell in notebook.cells:
        kinds = {output.output_type for output in cell.get("outputs", [])}
        assert not kinds & {"error", "execute_result"}, (cell.id, kinds)


# --- one way to submit: Run All; anything else is said, never graded stale -----------------

def test_run_all_shows_the_feedback_and_no_raw_record(notebook, quiz, tmp_path):
    fill(notebook, "张三", _all_right(quiz))
    execute(notebook, tmp_path)
    _no_errors_and_no_out(notebook)
    submit = notebook.cells[-1]
    assert [o.output_type for o in submit.outputs] == ["display_data"]
    shown = output_text(notebook)
    assert "成绩：100 分" in shown and "attempt_id" not in shown and '"digest"' not in shown


def test_only_the_submit_cell_after_a_restart_says_run_all_not_tampered(notebook, quiz, tmp_path):
    fill(notebook, "张三", _all_right(quiz))
    with Frontend(notebook, tmp_path) as frontend:    # a new kernel: nothing has run yet
        frontend.run("submit")
    shown = output_text(notebook)
    assert MISSING_DATA in shown and "运行 → 运行全部单元格" in MISSING_DATA
    assert TAMPERED not in shown and "成绩：" not in shown
    assert not (tmp_path / "results").exists()


@pytest.mark.parametrize("cell_ids", [True, False], ids=["lab-cell-ids", "no-cell-ids"])
def test_an_answer_changed_after_run_all_is_never_graded_stale(notebook, quiz, tmp_path, cell_ids):
    fill(notebook, "张三", _all_right(quiz))
    first = quiz.questions[0]
    with Frontend(notebook, tmp_path, cell_ids) as frontend:
        frontend.run_all()
        assert "成绩：100 分" in output_text(notebook)
        _answer_cell(notebook, 0).source = f'q01 = "{wrong(first)}"\n'
        frontend.run("submit")                      # only the submit cell: the old answer is still in the kernel
        assert NOT_A_FULL_RUN in output_text(notebook) and "成绩：" not in output_text(notebook)
        frontend.run("q01", "submit")               # the changed cell, then submit: still not a full run
        assert NOT_A_FULL_RUN in output_text(notebook)
        assert len(saved_records(tmp_path)) == 1
        frontend.run_all()                          # Run All grades what is on screen
    shown = output_text(notebook)
    assert f"第 1 题：你的答案 {wrong(first)}" in shown
    first_record, second_record = saved_records(tmp_path)
    assert first_record["score"] == 100 and second_record["items"][0]["response"] == wrong(first)
    assert second_record["items"][0]["correct"] is False


def test_cells_run_one_by_one_from_the_top_count_as_a_full_run(notebook, quiz, tmp_path):
    fill(notebook, "张三", _all_right(quiz))
    with Frontend(notebook, tmp_path) as frontend:
        frontend.run(*[cell.id for cell in notebook.cells if cell.cell_type == "code"])
    assert "成绩：100 分" in output_text(notebook)


# --- forgiving answers ---------------------------------------------------------------------

def _as_typed(question, index: int, style: str) -> str:
    """The right answer of a question typed in one of the ways people type."""
    name = f"q{index + 1:02d}"
    key, kind = question.key, question.item.type
    plain = {"true_false": "对" if key == "T" else "错", "numeric": key}.get(kind, key)
    if style == "list" and kind in ("true_false", "numeric"):
        style = "bare"                              # a list of letters only makes sense for letter answers
    wide = "".join(chr(ord(ch) + 0xFEE0) if ch.isascii() and ch.isalnum() else ch for ch in plain)
    return {
        "chinese-quotes": f"{name} = “{plain}”  # 提示里的 \"引号\" 不算答案",
        "single-chinese-quotes": f"{name} = ‘{plain.lower()}’",
        "corner-quotes": f"{name} = 「{plain}」",
        "full-width-quotes": f"{name} = ＂{plain}＂",
        "bare": f"{name} = {plain}",
        "full-width-everything": f"ｑ{int(name[1:]):02d} ＝ {wide}".translate(str.maketrans("0123456789", "０１２３４５６７８９")),
        "no-zero-no-space": f"Q{index + 1}={plain}",
        "unclosed-quote": f'{name} = "{plain}',
        "answer-only": plain,
        "list": f"{name} = {json.dumps(list(plain), ensure_ascii=False)}",
    }[style]


STYLES = ["chinese-quotes", "single-chinese-quotes", "corner-quotes", "full-width-quotes", "bare",
          "full-width-everything", "no-zero-no-space", "unclosed-quote", "answer-only", "list"]


def test_answers_typed_as_people_type_are_read_as_meant(notebook, quiz, tmp_path):
    """Every answer right, each typed in another way: full marks, no error anywhere."""
    fill(notebook, "张三", {})
    for index, question in enumerate(quiz.questions):
        _answer_cell(notebook, index).source = _as_typed(question, index, STYLES[index % len(STYLES)]) + "\n"
    notebook.cells[3].source = "learner = “张三”  # 在引号里写上你的名字\n"
    execute(notebook, tmp_path)
    _no_errors_and_no_out(notebook)
    assert "成绩：100 分" in output_text(notebook), output_text(notebook)
    [record] = saved_records(tmp_path)
    assert record["learner"] == "张三" and all(entry["correct"] for entry in record["items"])


@pytest.mark.parametrize("style", [s for s in STYLES if s != "answer-only"])
def test_without_cell_ids_typing_variants_still_run(notebook, quiz, tmp_path, style):
    """A frontend that sends no cell ids: the answer lines are still made harmless and read."""
    fill(notebook, "李四", {})
    for index, question in enumerate(quiz.questions):
        _answer_cell(notebook, index).source = _as_typed(question, index, style) + "\n"
    execute(notebook, tmp_path, cell_ids=False)
    _no_errors_and_no_out(notebook)
    assert "成绩：100 分" in output_text(notebook), output_text(notebook)


def test_an_unreadable_answer_gets_one_line_and_the_rest_is_graded(notebook, quiz, tmp_path):
    answers = _all_right(quiz)
    unreadable = {}
    for index, question in enumerate(quiz.questions):
        if question.item.type in ("single", "numeric") and question.item.type not in unreadable.values():
            unreadable[index] = question.item.type
            answers[question.item.id] = "好的" if question.item.type == "single" else "二十四"
    assert sorted(unreadable.values()) == ["numeric", "single"]
    fill(notebook, "王五", answers)
    execute(notebook, tmp_path)
    _no_errors_and_no_out(notebook)
    shown = output_text(notebook)
    for index, kind in unreadable.items():
        typed = "好的" if kind == "single" else "二十四"
        assert shown.count(f"第 {index + 1} 题：没能读懂你写的“{typed}”，这题按未作答计分") == 1
    right = len(quiz.questions) - 2
    assert f"成绩：{round(100 * right / len(quiz.questions), 1):g} 分" in shown
    [record] = saved_records(tmp_path)
    assert [entry["response"] for index, entry in enumerate(record["items"]) if index in unreadable] == ["", ""]


def test_code_typed_into_an_answer_cell_is_read_as_text_not_run(notebook, quiz, tmp_path):
    fill(notebook, "张三", _all_right(quiz))
    cell = _answer_cell(notebook, 0)
    cell.source += 'QUIZ["pass_mark"] = 0\n我觉得是这个\nprint(undefined)\n'
    execute(notebook, tmp_path)
    _no_errors_and_no_out(notebook)
    assert f"成绩：100 分（及格线 {quiz.pass_mark} 分）" in output_text(notebook)


def test_the_answer_reader_leaves_code_cells_alone():
    grading = ["def f(namespace):\n", "    learner = namespace.get('learner')\n", "    return learner\n"]
    assert transform_answer_cell(grading, None, 15) == grading
    assert transform_answer_cell(["q03 = “对”  # 写 \"对\" 或 \"错\"\n"], None, 15) == ["q03 = '对'\n"]
    assert transform_answer_cell(["B\n"], "q08", 15) == ["q08 = 'B'\n"]
    assert transform_answer_cell(['q08 = "C"  # 写一个字母\n', "import os\n"], "q08", 15) == ["q08 = 'C'\n"]
    assert read_line("ｑ８ ＝ Ｂ", 15) == ("q08", "B")
    assert read_line("x = 1", 15) is None
    assert read_cell("# 只有注释\n", "q01", 15) == ""
    assert read_cell('q01 = "A"\nq01 = "C"\n', "q01", 15) == "C"


# --- the hand-in ---------------------------------------------------------------------------

def test_the_hand_in_names_the_file_and_gives_a_text_for_wechat(notebook, quiz, tmp_path):
    fill(notebook, "张 三/组长", _all_right(quiz))
    execute(notebook, tmp_path)
    [path] = (tmp_path / "results").glob("*.jsonl")
    assert re.fullmatch(r"sales-张_三_组长-\d{8}-\d{6}\.jsonl", path.name)
    shown = output_text(notebook)
    assert "交给培训讲师" in shown and f"results/{path.name}" in shown and "下载" in shown and "微信" in shown
    chat = re.search(r"<textarea[^>]*>(.*?)</textarea>", shown, re.S).group(1)
    record = json.loads(path.read_text(encoding="utf-8"))
    assert chat.splitlines() == ["【销售测验】张 三/组长", f"成绩 100 分（及格线 {quiz.pass_mark} 分），通过",
                                 f"交卷时间 {record['submitted_at'][:16].replace('T', ' ')}，作答编号 {record['attempt_id'][:8]}",
                                 f"记录文件 {path.name} 随后发送"]


def test_identical_repeats_are_not_new_attempts(notebook, quiz, tmp_path):
    fill(notebook, "张三", _all_right(quiz))
    with Frontend(notebook, tmp_path) as frontend:
        frontend.run_all()
        frontend.run_all()
        assert "不算新的一次作答" in output_text(notebook)
    execute(notebook, tmp_path)                          # a new kernel, the same answers
    assert "不算新的一次作答" in output_text(notebook)
    assert len(list((tmp_path / "results").glob("*.jsonl"))) == 1
    _answer_cell(notebook, 0).source = f'q01 = "{wrong(quiz.questions[0])}"\n'
    execute(notebook, tmp_path)
    assert "不算新的一次作答" not in output_text(notebook)
    assert len(saved_records(tmp_path)) == 2


def test_saved_records_import_into_the_results_store(project, notebook, quiz, tmp_path):
    fill(notebook, "张三", _all_right(quiz))
    execute(notebook, tmp_path)
    _answer_cell(notebook, 0).source = 'q01 = “A”\n'
    execute(notebook, tmp_path)
    files = sorted(str(path) for path in (tmp_path / "results").glob("*.jsonl"))
    result = run_kb(project, "results", "import", *files)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "imported 2 new record(s)" in result.stdout
    again = run_kb(project, "results", "import", *files)       # the learner sent a file twice
    assert "0 new record(s)" in again.stdout + again.stderr


# --- links and the phone ------------------------------------------------------------------

def test_quiz_command_warns_when_the_links_would_be_local(tmp_path):
    root = make_project(tmp_path / "project", FIXTURES / "mini")
    result = run_kb(root, "quiz")
    assert result.returncode == 0
    assert "_config.yml: warning: html.baseurl: expected the address of the published site, received nothing: the notebooks' links to reread" in result.stdout
    assert "set html.baseurl in _config.yml" in result.stdout
    result = run_kb(root, "quiz", "--site-url", "https://kb.example/site/")
    assert result.returncode == 0 and "html.baseurl" not in result.stdout
    intro = read_notebook(root / "quizzes" / "rep.ipynb").cells[0].source
    assert "用手机？" in intro and "(https://kb.example/site/book/kb/quizzes/rep.html)" in intro


def test_reread_links_land_on_the_items_anchor_on_the_built_site(built_mini_site):
    result = run_kb(built_mini_site, "quiz", "--site-url", "https://kb.example/site")
    assert result.returncode == 0, result.stderr
    text = (built_mini_site / "quizzes" / "rep.ipynb").read_text(encoding="utf-8")
    urls = set(re.findall(r'\\"url\\": \\"([^\\\\]*)\\"', text))
    assert urls
    for url in urls:
        page, anchor = url.removeprefix("https://kb.example/site/").split("#")
        built = (built_mini_site / "_build" / "html" / page).read_text(encoding="utf-8")
        assert f'id="{anchor}"' in built, url
    # the page phone users are sent to is on the site too
    intro = read_notebook(built_mini_site / "quizzes" / "rep.ipynb").cells[0].source
    phone = re.search(r"\(https://kb\.example/site/([^)]+)\)", intro).group(1)
    assert phone == "book/kb/quizzes/rep.html" and (built_mini_site / "_build" / "html" / phone).is_file()
