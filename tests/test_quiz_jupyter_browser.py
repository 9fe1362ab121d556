"""A quiz notebook as a learner meets it: JupyterLab and Notebook 7 in headless Chromium.

The server runs on 127.0.0.1 on a free port with a token, lives at most JUPYTER_LIFETIME seconds
(coreutils `timeout`) and is always shut down. The learner types a name and answers into the
cells by keyboard (one in Chinese quotation marks, one a bare letter, one without its `qNN =`,
one wrong), runs all cells
from the Run menu and must see the score, the hand-in text and a 重读 link to the real site —
no raw record, no Python error.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import make_project, run_kb
from quizcheck import quizzes_of, typed_right, wrong

SITE = "https://kb.example/site"
JUPYTER_LIFETIME = 900


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("jupyter") / "project")
    config = root / "_config.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("html:\n", f"html:\n  baseurl: {SITE}/\n", 1), encoding="utf-8")
    result = run_kb(root, "quiz", "--role", "sales")
    assert result.returncode == 0, result.stdout + result.stderr
    return root


@pytest.fixture(scope="module")
def jupyter(tmp_path_factory):
    """(base url, token, folder it serves) of a JupyterLab server that also serves Notebook 7."""
    folder = tmp_path_factory.mktemp("served")
    state = tmp_path_factory.mktemp("jupyter-state")
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(state / "config"), "JUPYTER_RUNTIME_DIR": str(state / "runtime"),
           "JUPYTERLAB_SETTINGS_DIR": str(state / "settings"), "JUPYTERLAB_WORKSPACES_DIR": str(state / "workspaces")}
    command = ["timeout", str(JUPYTER_LIFETIME), sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
               f"--port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={folder}", f"--ServerApp.shutdown_no_activity_timeout={JUPYTER_LIFETIME}"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    log = (state / "server.log").open("w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert server.poll() is None, (state / "server.log").read_text(encoding="utf-8")
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                assert time.monotonic() < deadline, "JupyterLab did not start in 90 s"
                time.sleep(0.5)
        yield base, token, folder
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(10)
        log.close()


def _typed_answers(quiz) -> tuple[list[str], int]:
    """What the learner types in each answer cell, and how many of those are right."""
    lines, quoted, bare = [], False, False
    for index, question in enumerate(quiz.questions):
        name = f"q{index + 1:02d}"
        kind = question.item.type
        if index == 0:
            lines.append(f'{name} = "{wrong(question)}"')            # one wrong: a 重读 link
        elif index == len(quiz.questions) - 1:
            lines.append(typed_right(question).strip())               # "q15 = " deleted: just the answer
        elif kind == "true_false" and not quoted:
            quoted = True
            lines.append(f"{name} = “{'对' if question.key == 'T' else '错'}”")   # an IME's quotation marks
        elif kind == "single" and not bare:
            bare = True
            lines.append(f"{name} = {question.key}")                   # no quotation marks at all
        else:
            lines.append(f"{name} = {json.dumps(typed_right(question), ensure_ascii=False)}")
    assert quoted and bare, "the sample sales quiz should have a true/false and a single-choice question"
    return lines, len(quiz.questions) - 1


def _replace_text(page, text: str) -> None:
    """In the cell being edited: select all its text and type `text` over it."""
    page.keyboard.press("Control+a")
    page.keyboard.type(text)


def _next_answer_cell(page) -> None:
    """From a cell in edit mode to the next answer cell, by keyboard: leave the editor, two cells
    down (past the question's text), edit. Works with JupyterLab's windowed notebook."""
    page.keyboard.press("Escape")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("Enter")


@pytest.mark.parametrize("app", ["lab", "notebook7"])
def test_learner_types_answers_runs_all_and_sees_score_and_hand_in(browser, project, jupyter, app):
    base, token, folder = jupyter
    quiz = quizzes_of(project)["sales"]
    name = f"sales-{app}.ipynb"
    shutil.copy(project / "quizzes" / "sales.ipynb", folder / name)
    url = f"{base}/lab/tree/{name}?token={token}" if app == "lab" else f"{base}/notebooks/{name}?token={token}"
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(url)
        cells = page.locator(".jp-Notebook .jp-CodeCell")
        cells.nth(1).locator(".cm-content").wait_for(timeout=60000)
        if app == "lab":
            page.get_by_text("Kernel status: Idle").first.wait_for(state="attached", timeout=60000)   # the kernel's info has arrived
            page.wait_for_timeout(1000)
            assert page.locator(".lm-TabBar-tab.jp-mod-current.jp-mod-dirty").count() == 0, "the notebook shows as modified on open"
        # a locked instruction cell cannot be changed: double-click it and type
        intro = page.locator(".jp-Notebook .jp-MarkdownCell").first
        intro.dblclick()
        page.keyboard.type("改掉说明")
        page.keyboard.press("Escape")
        assert "改掉说明" not in intro.inner_text()

        lines, right = _typed_answers(quiz)
        learner = cells.nth(1)
        assert "learner" in learner.inner_text()
        learner.locator(".cm-content").click()
        _replace_text(page, 'learner = "王小明"')
        for line in lines:
            _next_answer_cell(page)
            _replace_text(page, line)

        page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-item:visible", has_text="Run All Cells").first.click()

        submit = page.locator(".jp-CodeCell", has=page.locator(".jp-OutputArea-output", has_text="交给培训讲师"))
        deadline = time.monotonic() + 90
        while not submit.count():   # scroll down as a reader would until the feedback is there
            assert time.monotonic() < deadline, "no feedback under the last cell after Run All"
            page.mouse.move(640, 500)
            page.mouse.wheel(0, 3000)
            page.wait_for_timeout(500)
        shown = submit.locator(".jp-OutputArea").inner_text()
        score = round(100 * right / len(lines), 1)
        assert f"成绩：{score:g} 分（及格线 {quiz.pass_mark} 分）" in shown
        # no raw record (Out[n]) and no Python error on screen or in any cell of the saved notebook
        assert page.locator(".jp-OutputArea-executeResult").count() == 0
        assert page.locator("[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
        assert "attempt_id" not in shown and "digest" not in shown
        page.keyboard.press("Escape")
        page.keyboard.press("Control+s")
        deadline = time.monotonic() + 30
        while '王小明' not in (folder / name).read_text(encoding="utf-8"):
            assert time.monotonic() < deadline, "the notebook was not saved"
            time.sleep(0.5)
        saved_cells = json.loads((folder / name).read_text(encoding="utf-8"))["cells"]
        original = json.loads((project / "quizzes" / "sales.ipynb").read_text(encoding="utf-8"))["cells"]
        locked = [(cell["id"], cell["source"]) for cell in original if cell["metadata"].get("editable") is False]
        assert [(cell["id"], cell["source"]) for cell in saved_cells if cell["id"] in dict(locked)] == locked
        outputs = [output["output_type"] for cell in saved_cells for output in cell.get("outputs", [])]
        assert outputs and set(outputs) == {"display_data"}, outputs
        # the hand-in: a text for WeChat and a file named with role, name and time
        chat = submit.locator("textarea").input_value()
        assert chat.startswith("【销售测验】王小明\n") and f"成绩 {score:g} 分" in chat
        [saved] = (folder / "results").glob("sales-王小明-*.jsonl")
        assert json.loads(saved.read_text(encoding="utf-8"))["score"] == score
        assert re.fullmatch(r"sales-王小明-\d{8}-\d{6}\.jsonl", saved.name)
        assert saved.name in chat and f"results/{saved.name}" in shown
        # the one wrong answer links to its item on the published site
        link = submit.locator("a", has_text="重读：")
        assert link.count() == 1
        content_id = quiz.questions[0].item.content_id
        assert re.fullmatch(rf"{re.escape(SITE)}/book/kb/[a-z-]+/[^#]+\.html#kb-{re.escape(content_id)}", link.get_attribute("href"))
    finally:
        context.close()
        shutil.rmtree(folder / "results", ignore_errors=True)


def test_on_a_phone_the_notebook_first_sends_the_learner_to_the_self_check_page(browser, project, jupyter):
    base, token, folder = jupyter
    shutil.copy(project / "quizzes" / "sales.ipynb", folder / "sales-phone.ipynb")
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page = context.new_page()
    try:
        page.goto(f"{base}/notebooks/sales-phone.ipynb?token={token}")
        intro = page.locator(".jp-MarkdownCell").first.locator(".jp-RenderedMarkdown")
        hint = intro.locator("strong", has_text="用手机？")
        hint.wait_for(timeout=60000)
        box = hint.bounding_box()
        assert hint.is_visible() and box and box["y"] + box["height"] <= 844, box   # on the first screen
        link = intro.locator("a", has_text="自测页")
        assert link.get_attribute("href") == f"{SITE}/book/kb/quizzes/sales.html"
    finally:
        context.close()
