"""parallel.run_all: the pages made from all content, rendered at once on two cores. One test
per way it can go: results in order from a real child, a child whose call fails or that dies
(its share is done here, the error surfaces here), threads running or one core configured (no
fork at all), an interrupted parent (no child left behind).

The tests that fork run in a fresh Python: this test process may have threads of other tests'
fixtures running, and run_all does not fork then."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from kb import parallel

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


@pytest.fixture(autouse=True)
def two_cores(monkeypatch):
    monkeypatch.setenv(parallel.JOBS_VARIABLE, "2")


def in_fresh_python(code: str):
    """Run `code` (with kb.parallel imported as `parallel`) alone in a new interpreter; what it
    printed last, read as JSON."""
    prelude = f"import json, os, signal, sys, time\nsys.path.insert(0, {str(SCRIPTS)!r})\nfrom kb import parallel\n"
    result = subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)], capture_output=True, text=True,
                            timeout=60, env={**os.environ, parallel.JOBS_VARIABLE: "2"})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_results_come_back_in_order_and_half_the_work_ran_in_a_child():
    here, results = in_fresh_python("""
        results = parallel.run_all([lambda n=n: (n * n, os.getpid()) for n in range(5)], costs=[5, 4, 3, 2, 1])
        print(json.dumps([os.getpid(), results]))""")
    assert [square for square, _ in results] == [0, 1, 4, 9, 16]
    workers = {pid for _, pid in results}
    assert here in workers and len(workers) == 2


def test_large_results_cross_the_pipe_whole():
    # far more than a pipe holds: the child blocks writing until this side reads
    assert in_fresh_python("""
        big = "话" * 3_000_000
        results = parallel.run_all([lambda: len(big), lambda: (big + "!", os.getpid())], costs=[1, 1])
        print(json.dumps([results[0], results[1][0] == big + "!", results[1][1] != os.getpid()]))""") == [3_000_000, True, True]


def test_the_shares_come_out_even():
    assert parallel.spread([1.2, 0.65, 0.8, 0.3, 0.05], 2) == [[0, 3], [1, 2, 4]]      # 1.5 s each
    assert parallel.spread([1, 1, 1, 1], 2) == [[0, 2], [1, 3]]
    assert parallel.spread([3], 2) == [[0], []]


def test_a_call_that_fails_in_the_child_fails_here_with_its_own_error():
    assert in_fresh_python("""
        here = os.getpid()
        attempts = []
        def fails_anywhere():
            attempts.append(os.getpid() == here)
            raise LookupError("没有这个岗位")
        try:
            parallel.run_all([lambda: time.sleep(0.2), fails_anywhere], costs=[2, 1])
        except LookupError as error:
            print(json.dumps([str(error), attempts]))""") == ["没有这个岗位", [True]]   # the child's attempt left no trace here


def test_a_child_that_dies_has_its_share_done_here():
    assert in_fresh_python("""
        here = os.getpid()
        def dies_in_a_child():
            if os.getpid() != here:
                os.kill(os.getpid(), signal.SIGKILL)
            return "done here"
        print(json.dumps(parallel.run_all([lambda: "first", dies_in_a_child], costs=[2, 1])))""") == ["first", "done here"]


def test_an_interrupted_parent_leaves_no_child_behind():
    assert in_fresh_python("""
        def children():
            with open(f"/proc/{os.getpid()}/task/{os.getpid()}/children") as handle:
                return handle.read().split()
        def interrupted_here():
            time.sleep(0.2)             # the child is running by now
            raise KeyboardInterrupt
        try:
            parallel.run_all([interrupted_here, lambda: time.sleep(30)], costs=[2, 1])
        except KeyboardInterrupt:
            print(json.dumps(children()))""") == []


def test_no_fork_while_other_threads_run():
    here = os.getpid()
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        pids = parallel.run_all([os.getpid, os.getpid, os.getpid])
    finally:
        stop.set()
        thread.join()
    assert pids == [here] * 3


def test_one_configured_core_runs_everything_here(monkeypatch):
    monkeypatch.setenv(parallel.JOBS_VARIABLE, "1")
    assert parallel.run_all([os.getpid, os.getpid]) == [os.getpid()] * 2
