"""parallel.run_all: the pages made from all content, rendered at once on two cores. One test
per way it can go: results in order from a real child, a child whose call fails or that dies
(its share is done here, the error surfaces here), threads running or one core configured (no
fork at all), an interrupted parent (no child left behind)."""
from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from kb import parallel


@pytest.fixture(autouse=True)
def two_cores(monkeypatch):
    monkeypatch.setenv(parallel.JOBS_VARIABLE, "2")


def test_results_come_back_in_order_and_half_the_work_ran_in_a_child():
    here = os.getpid()
    results = parallel.run_all([lambda n=n: (n * n, os.getpid()) for n in range(5)], costs=[5, 4, 3, 2, 1])
    assert [square for square, _ in results] == [0, 1, 4, 9, 16]
    workers = {pid for _, pid in results}
    assert here in workers and len(workers) == 2


def test_large_results_cross_the_pipe_whole():
    big = "话" * 3_000_000          # far more than a pipe holds: the child blocks until read
    results = parallel.run_all([lambda: len(big), lambda: big + "!"], costs=[1, 1])
    assert results == [3_000_000, big + "!"]


def test_the_shares_come_out_even():
    assert parallel.spread([1.2, 0.65, 0.8, 0.3, 0.05], 2) == [[0, 3], [1, 2, 4]]      # 1.5 s each
    assert parallel.spread([1, 1, 1, 1], 2) == [[0, 2], [1, 3]]
    assert parallel.spread([3], 2) == [[0], []]


def test_a_call_that_fails_in_the_child_fails_here_with_its_own_error():
    here = os.getpid()
    ran_here = []

    def fails_anywhere():
        ran_here.append(os.getpid() == here)
        raise LookupError("没有这个岗位")
    with pytest.raises(LookupError, match="没有这个岗位"):
        parallel.run_all([lambda: time.sleep(0.2), fails_anywhere], costs=[2, 1])
    assert ran_here == [True]         # the child's attempt left no trace here; this one raised


def test_a_child_that_dies_has_its_share_done_here():
    here = os.getpid()

    def dies_in_a_child():
        if os.getpid() != here:
            os.kill(os.getpid(), signal.SIGKILL)
        return "done here"
    assert parallel.run_all([lambda: "first", dies_in_a_child], costs=[2, 1]) == ["first", "done here"]


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


def test_an_interrupted_parent_leaves_no_child_behind():
    children_before = _children()

    def interrupted_here():
        raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        parallel.run_all([interrupted_here, lambda: time.sleep(30)], costs=[2, 1])
    assert _children() == children_before


def _children() -> set[int]:
    """This process's live children (from /proc: zombies count, waited-for ones do not)."""
    found = set()
    for task in os.listdir(f"/proc/{os.getpid()}/task"):
        path = f"/proc/{os.getpid()}/task/{task}/children"
        if os.path.exists(path):
            with open(path) as handle:
                found |= {int(pid) for pid in handle.read().split()}
    return found
