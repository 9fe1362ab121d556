"""Hostile input, second round: every failure of the command line is a message with exit 1
(usage errors exit 2), never a traceback; handed-in files are read within limits, and a bad
record never costs the good ones. Each test is one finding of issue 14."""
from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, ROOT
from kb import boundedread
from kb.cli import main
from kb.quiz.records import record_digest

KB = [sys.executable, str(ROOT / "scripts" / "kb.py")]


def kb(root: Path, *args: str, **options) -> subprocess.CompletedProcess:
    return subprocess.run([*KB, "--root", str(root), *args], cwd=root, capture_output=True, text=True, timeout=120, **options)


def run_main(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def project(tmp_path) -> Path:
    shutil.copytree(FIXTURES / "mini", tmp_path / "content")
    return tmp_path


# --- a key, records and notebooks made by hand ---------------------------------------------

def key(items: int = 2) -> dict:
    return {"key_version": 1, "quiz_id": "rep-certify", "quiz_version": "v1", "role": "rep", "seed": 0, "mode": "certify",
            "pass_mark": 60, "items": [{"id": f"q{n}", "type": "single", "topic": "scripts", "content_id": "ask-price",
                                        "answer": "B", "title": "客户说太贵了", "url": "../x.html"} for n in range(1, items + 1)]}


def record(n: int, items: int = 2) -> dict:
    data = {"record_version": 1, "attempt_id": f"{n:08x}-1111-4222-8333-444455556666", "learner": f"学员{n}", "role": "rep",
            "quiz_id": "rep-certify", "quiz_version": "v1", "seed": 0, "mode": "certify", "source": "web",
            "submitted_at": "2026-09-08T20:15:00+08:00",
            "items": [{"item_id": f"q{i}", "topic": "scripts", "content_id": "ask-price", "response": "B"} for i in range(1, items + 1)]}
    data["digest"] = record_digest(data)
    return data


def jsonl(records) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


@pytest.fixture
def key_file(project) -> Path:
    path = project / "keys" / "rep-certify.json"
    path.parent.mkdir()
    path.write_text(json.dumps(key()), encoding="utf-8")
    return path


# --- tracebacks that are now messages --------------------------------------------------------

@pytest.mark.parametrize("argv, message", [
    (["quiz", "--seed", "9" * 300], "argument --seed: expected a whole number from 0 to 1000000000, received '" + "9" * 40 + "'"),
    (["serve", "--port", "70000"], "argument --port: expected a port number from 0 to 65535, received '70000'"),
    (["review", "--days", "99999999999"], "argument --days: expected a number of days from 0 to 36500, received '99999999999'"),
    (["quiz", "--site-url", "javascript:alert(1)"], "argument --site-url: expected an http(s) address such as https://kb.example.com/ "
                                                   "or a relative one such as ../html/, received 'javascript:alert(1)'"),
    (["report", "--site-url", "data:text/html,<script>alert(1)</script>"], "argument --site-url: expected an http(s) address"),
    (["quiz", "--site-url", " JavaScript:alert(1)"], "argument --site-url: expected an http(s) address"),
    (["quiz", "--site-url", "java\tscript:alert(1)"], "argument --site-url: expected an http(s) address"),
])
def test_out_of_range_arguments_are_usage_errors(project, capsys, argv, message):
    code, out, err = run_main(capsys, "--root", str(project), *argv)
    assert code == 2
    assert message in err and "Traceback" not in err


@pytest.mark.parametrize("url", ["https://kb.example.com/", "http://10.0.0.5:8000/kb/", "../html/", "/kb/", "site/"])
def test_web_and_relative_site_urls_are_accepted(url):
    from kb.cli import _site_url
    assert _site_url(url) == url


def test_grade_with_a_key_without_items(project, key_file, capsys):
    key_file.write_text(json.dumps({**key(), "items": []}), encoding="utf-8")
    (project / "a.jsonl").write_text(jsonl([record(1)]), encoding="utf-8")
    code, out, err = run_main(capsys, "--root", str(project), "grade", str(project / "a.jsonl"), "--key", str(key_file))
    assert code == 1
    assert err == ("keys/rep-certify.json: items: expected at least 1 item(s), received 0\n"
                   "    hint: this field is: the questions of the quiz in order, with their answers; write the key again with kb.py quiz --certify\n"
                   "1 problem(s) found; nothing was written.\n")


def test_grade_out_naming_a_folder(project, key_file, capsys):
    (project / "a.jsonl").write_text(jsonl([record(1)]), encoding="utf-8")
    (project / "out").mkdir()
    code, out, err = run_main(capsys, "--root", str(project), "grade", str(project / "a.jsonl"), "--key", str(key_file), "--out", str(project / "out"))
    assert code == 1
    assert err.splitlines()[:2] == ["out: expected a file for --out, received a folder",
                                    "    hint: --out names the graded results file, e.g. results/graded.jsonl"]


def test_grade_out_holding_a_bad_line(project, key_file, capsys):
    (project / "a.jsonl").write_text(jsonl([record(1)]), encoding="utf-8")
    out_file = project / "graded.jsonl"
    out_file.write_text(jsonl([record(2)]) + "not json\n", encoding="utf-8")
    code, out, err = run_main(capsys, "--root", str(project), "grade", str(project / "a.jsonl"), "--key", str(key_file), "--out", str(out_file))
    assert code == 1
    assert err.splitlines()[0] == "graded.jsonl:2:1: expected one JSON object per line, received text that is not JSON (Expecting value: column 1)"
    assert out_file.read_text(encoding="utf-8").endswith("not json\n")      # nothing appended


def test_grade_out_in_a_missing_folder_creates_nothing(project, key_file, capsys):
    (project / "a.jsonl").write_text(jsonl([record(1)]), encoding="utf-8")
    target = project / "typo" / "deeper" / "graded.jsonl"
    code, out, err = run_main(capsys, "--root", str(project), "grade", str(project / "a.jsonl"), "--key", str(key_file), "--out", str(target))
    assert code == 1
    assert err.splitlines()[0] == f"typo/deeper/graded.jsonl: expected --out in an existing folder, received a path in '{target.parent}' which does not exist"
    assert not (project / "typo").exists()


def test_new_in_a_read_only_content_folder(project, capsys, monkeypatch):
    # tests may run as root, for whom permissions do not apply: the refusal is simulated where
    # the file is created, exactly as the operating system reports it
    import kb.writers

    def refuse(path, text):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))
    monkeypatch.setattr(kb.writers, "create_new", refuse)
    code, out, err = run_main(capsys, "--root", str(project), "new", "sop", "crisis-plan")
    assert code == 1
    assert err == (f"error: Permission denied: {project / 'content' / 'sops' / 'crisis-plan.yml'}\n"
                   "    hint: check the path, its permissions and the free disk space; --debug shows the details\n")


def test_debug_shows_the_traceback(project, capsys, monkeypatch):
    import kb.writers
    monkeypatch.setattr(kb.writers, "create_new", lambda path, text: (_ for _ in ()).throw(PermissionError(errno.EACCES, "Permission denied", str(path))))
    code, out, err = run_main(capsys, "--root", str(project), "--debug", "new", "sop", "crisis-plan")
    assert code == 1
    assert "Traceback (most recent call last)" in err and err.rstrip().endswith("--debug shows the details")


def test_symlink_loop_under_content(project):
    (project / "content" / "scripts" / "loop.yml").symlink_to("loop.yml")
    (project / "content" / "sops" / "ring").symlink_to("ring")
    result = kb(project, "check")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0] == "content/scripts/loop.yml: the file is a link that leads round in a loop"


def test_review_into_a_closed_pipe(project):
    """`kb.py review | head -1`: the reader goes away; the writer stops without a traceback."""
    process = subprocess.Popen([*KB, "--root", str(project), "review"], cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()                      # like head after its first line
    err = process.stderr.read().decode()
    assert process.wait(timeout=60) == 1
    assert err == ""


def test_serve_scan_survives_a_vanishing_folder(project, monkeypatch):
    from kb import serve
    (project / "content" / "extra").mkdir()
    real_scandir = os.scandir

    def vanishing(path):
        if str(path).endswith("extra"):
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", str(path))
        return real_scandir(path)
    monkeypatch.setattr(os, "scandir", vanishing)
    files = serve.snapshot(project)
    assert "content/scripts/ask-price.yml" in files


def test_serve_scan_while_folders_come_and_go(project):
    """The real race: another thread creates and removes folders during the scans."""
    import threading
    from kb import serve
    stop = threading.Event()

    def churn():
        n = 0
        while not stop.is_set():
            folder = project / "content" / "scripts" / f"tmp{n % 5}"
            folder.mkdir(exist_ok=True)
            (folder / "x.yml").write_text("x", encoding="utf-8")
            shutil.rmtree(folder, ignore_errors=True)
            n += 1
    worker = threading.Thread(target=churn)
    worker.start()
    try:
        for _ in range(200):
            serve.snapshot(project)
    finally:
        stop.set()
        worker.join()


def test_full_disk_during_results_import(project, capsys, monkeypatch):
    """SQLite refuses the write half-way through the import: one message, nothing stored."""
    import sqlite3
    import kb.coaching.db
    (project / "a.jsonl").write_text(jsonl([record(1), record(2)]), encoding="utf-8")
    real_insert, calls = kb.coaching.db.insert_attempt, []

    def full(connection, *args):
        calls.append(1)
        if len(calls) == 2:
            raise sqlite3.OperationalError("database or disk is full")
        return real_insert(connection, *args)
    monkeypatch.setattr(kb.coaching.db, "insert_attempt", full)
    code, out, err = run_main(capsys, "--root", str(project), "results", "import", str(project / "a.jsonl"))
    assert code == 1
    assert err == ("results/results.sqlite3: the results database cannot be written: database or disk is full\n"
                   "    hint: check the free disk space and that the file can be written; nothing of this run was stored\n"
                   "1 problem(s) found; nothing was written.\n")
    connection = sqlite3.connect(project / "results" / "results.sqlite3")
    assert connection.execute("SELECT COUNT(*) FROM attempts").fetchone() == (0,)
    connection.close()


# --- bounded readers -------------------------------------------------------------------------

def test_a_deeply_nested_line_costs_only_itself(project, capsys):
    """100,000 nested [ on one line of one file; 20,000 good records in another file of the run."""
    (project / "hostile.jsonl").write_text(jsonl([record(1)]) + "[" * 100_000 + "\n" + jsonl([record(2)]), encoding="utf-8")
    (project / "good.jsonl").write_text(jsonl(record(n) for n in range(100, 20_100)), encoding="utf-8")
    code, out, err = run_main(capsys, "--root", str(project), "results", "import", str(project / "hostile.jsonl"), str(project / "good.jsonl"))
    assert code == 1
    assert err.splitlines()[0] == ("hostile.jsonl:2:1: expected one JSON object per line, received text that is not JSON "
                                   "(nested more than 32 levels deep)")
    assert err.splitlines()[-1] == "imported 20002 new record(s), 0 graded, 0 duplicate(s) skipped, 1 rejected; results/results.sqlite3 holds 20002 record(s)"


def test_grade_keeps_the_good_records_beside_a_deep_line(project, key_file, capsys):
    (project / "a.jsonl").write_text(jsonl([record(1)]) + "{\"a\":" * 100_000 + "\n" + jsonl([record(2)]), encoding="utf-8")
    code, out, err = run_main(capsys, "--root", str(project), "grade", str(project / "a.jsonl"), "--key", str(key_file))
    assert code == 1
    assert err.splitlines()[0] == "a.jsonl:2:1: expected one JSON object per line, received text that is not JSON (nested more than 32 levels deep)"
    assert out.splitlines()[-1] == "graded 2 attempt(s) of rep-certify; 2 new result(s) stored"


def notebook(answer_source: str) -> dict:
    cells = [{"cell_type": "code", "id": "name", "metadata": {"kb_quiz": {"cell": "learner"}}, "source": "learner = \"张三\"", "outputs": []},
             {"cell_type": "code", "id": "a1", "metadata": {"kb_quiz": {"cell": "answer", "item": "q1"}}, "source": answer_source, "outputs": []},
             {"cell_type": "code", "id": "a2", "metadata": {"kb_quiz": {"cell": "answer", "item": "q2"}}, "source": "q2 = \"B\"", "outputs": []}]
    return {"nbformat": 4, "nbformat_minor": 5, "cells": cells,
            "metadata": {"kb_quiz": {"quiz_id": "rep-certify", "quiz_version": "v1", "mode": "certify"}}}


def test_a_200000_term_answer_expression(project, key_file, capsys):
    (project / "long.ipynb").write_text(json.dumps(notebook("q1 = " + "1+" * 200_000 + "1")), encoding="utf-8")
    (project / "fine.ipynb").write_text(json.dumps(notebook("q1 = \"B\"")), encoding="utf-8")
    code, out, err = run_main(capsys, "--root", str(project), "grade", str(project / "long.ipynb"), str(project / "fine.ipynb"), "--key", str(key_file))
    assert code == 1
    assert err.splitlines()[:2] == ["long.ipynb: cell a1: expected a short answer cell, received 400,006 characters (at most 10,000)",
                                    "    hint: write the answer as text in quotes, e.g. \"B\""]
    assert out.splitlines()[-1] == "graded 1 attempt(s) of rep-certify; 1 new result(s) stored"


def test_dev_zero_is_refused_at_once(project, key_file):
    result = kb(project, "results", "import", "/dev/zero")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0].endswith("dev/zero: expected a file, received a device or other special file")
    graded = kb(project, "grade", "/dev/zero", "--key", str(key_file))
    assert graded.returncode == 1 and graded.stderr.splitlines()[0] == "/dev/zero: expected a file, received a device or other special file"


def test_endless_standard_input_is_bounded(project):
    with open("/dev/zero", "rb") as zeros:
        result = subprocess.run([*KB, "--root", str(project), "results", "import", "-"], cwd=project, stdin=zeros,
                                capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == "<stdin>: expected at most 64 MB, received more; nothing of it was read"


def test_limits_are_settings(project, capsys, monkeypatch):
    monkeypatch.setattr(boundedread, "LIMITS", boundedread.Limits(max_file_bytes=2000, max_line_chars=600, max_depth=4))
    (project / "big.jsonl").write_text(jsonl(record(n) for n in range(1, 20)), encoding="utf-8")
    (project / "long.jsonl").write_text(jsonl([record(1, items=1)]) + json.dumps({"x": "y" * 700}) + "\n", encoding="utf-8")
    code, out, err = run_main(capsys, "--root", str(project), "results", "import", str(project / "big.jsonl"), str(project / "long.jsonl"))
    assert code == 1
    lines = err.splitlines()
    assert "big.jsonl: expected at most 0.00190735 MB, received more; nothing of it was read" in lines
    assert "long.jsonl:2:1: expected a record of at most 600 characters, received a line of 709" in lines


# --- any argument list: exit 0, 1 or 2, never a traceback -----------------------------------

COMMANDS = ["check", "review", "new", "quiz", "grade", "results", "report", "build", "serve", "nonsense"]
TOKENS = ["--days", "--port", "--seed", "--variant", "--role", "--site-url", "--key", "--out", "--today", "--preview",
          "--certify", "--demo", "--public", "--max-seconds", "import", "script", "sop", "role", "-", "--help",
          "0", "-1", "70000", "99999999999", "9" * 300, "1e309", "nan", "inf", "2025-02-30", "index", "quiz-rep",
          "javascript:alert(1)", "https://kb.example.com/", "content", "content/scripts/ask-price.yml", "/dev/null",
          "/", "..", "", " ", "\u200b", "中文", "a" * 300, "x.jsonl", "keys", "--debug", "--lang", "zh_CN", "--lang=xx"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(command=st.sampled_from(COMMANDS), rest=st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=12)), max_size=6))
def test_random_argument_lists_never_give_a_traceback(fuzz_root, command, rest):
    argv = ["--root", str(fuzz_root), command, *rest]
    if command == "serve":      # a free port, and a time limit: serve would otherwise run until stopped
        argv = ["--root", str(fuzz_root), command, "--port", "0", *[t for t in rest if t != "--port"], "--max-seconds", "0.01"]
    if "\x00" in "".join(argv):
        return                                   # no process can receive a NUL in its arguments
    code, err = run_quietly(argv)
    assert code in (0, 1, 2), (argv, code, err)
    assert "Traceback" not in err, (argv, err)


# Well-formed command lines with hostile values: most of these get past the parser, so the
# commands themselves meet the values (random token lists mostly end as usage errors).
VALUES = st.one_of(st.sampled_from(["0", "1", "30", "-1", "70000", "9" * 30, "2025-02-30", "2026-01-01", "9999-12-31",
                                    "0001-01-01", "rep", "index", "quiz-rep", "https://kb.example.com/", "../html/",
                                    "javascript:alert(1)", "x.jsonl", "/dev/null", "/dev/zero", "/", "keys", "content",
                                    "content/scripts/ask-price.yml", "missing/folder/out.jsonl", "-"]),
                   st.text(st.characters(blacklist_characters="\x00"), min_size=1, max_size=8))
SHAPES = {
    "check": st.just([]),
    "review": st.lists(st.sampled_from(["--days", "--today"]).flatmap(lambda o: VALUES.map(lambda v: [o, v])), max_size=2),
    "new": st.tuples(st.sampled_from(["script", "sop", "role"]), VALUES).map(lambda t: [list(t)]),
    "quiz": st.lists(st.one_of(st.sampled_from([["--certify"]]),
                               st.sampled_from(["--seed", "--variant", "--role", "--site-url"]).flatmap(lambda o: VALUES.map(lambda v: [o, v]))), max_size=3),
    "grade": st.tuples(VALUES, VALUES, st.lists(st.just("--out").flatmap(lambda o: VALUES.map(lambda v: [o, v])), max_size=1))
               .map(lambda t: [[t[0], "--key", t[1]], *t[2]]),
    "results": VALUES.map(lambda v: [["import", v]]),
    "report": st.lists(st.one_of(st.sampled_from([["--public"]]), st.just("--site-url").flatmap(lambda o: VALUES.map(lambda v: [o, v]))), max_size=2),
    "build": st.lists(st.one_of(st.sampled_from([["--preview"]]), st.just("--today").flatmap(lambda o: VALUES.map(lambda v: [o, v]))), max_size=2),
}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), command=st.sampled_from(sorted(SHAPES)))
def test_well_formed_command_lines_with_hostile_values(fuzz_root, data, command):
    parts = data.draw(SHAPES[command])
    argv = ["--root", str(fuzz_root), command, *[word for part in parts for word in part]]
    code, err = run_quietly(argv)
    assert code in (0, 1, 2), (argv, code, err)
    assert "Traceback" not in err, (argv, err)


def run_quietly(argv) -> tuple[int, str]:
    import contextlib
    import io
    err, out = io.StringIO(), io.StringIO()
    from kb import i18n
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            code = main(argv)
    finally:
        i18n.set_language(None)      # a --lang in the list must not change the language of later tests
    return code, err.getvalue()


@pytest.fixture(scope="module")
def fuzz_root(tmp_path_factory) -> Path:
    """Mini content with one broken item: build stops at the content check (quickly, before
    jupyter-book); every other command has real files to read."""
    root = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(FIXTURES / "mini", root / "content")
    broken = root / "content" / "scripts" / "ask-skin.yml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("stage:", "stage: nowhere\nx:"), encoding="utf-8")
    (root / "x.jsonl").write_text("[" * 1000 + "\n", encoding="utf-8")
    return root
