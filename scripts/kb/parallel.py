"""Run a few independent, CPU-bound steps at once on the machine's cores.

The pages made from all content (self-check quizzes, drills, the finder's index, the overview
pages) take a second or more each at 10,000 items and depend on nothing but the content object
already in memory. A forked child shares that object without copying or pickling it; only the
results travel back, pickled through a pipe. Anything unusual (no fork on this system, threads
running, one usable core, a child that fails or dies) runs the steps here, one after another,
so a step's own error surfaces exactly as it would without this module.
"""
from __future__ import annotations

import os
import pickle
import sys
import threading
from typing import Callable

JOBS_VARIABLE = "KB_BUILD_JOBS"     # also Sphinx's -j (site.py): 1 turns parallel work off


def usable_cores() -> int:
    configured = os.environ.get(JOBS_VARIABLE, "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def can_fork() -> bool:
    """fork() copies only the calling thread: with other threads running (kb.py serve), a lock
    one of them holds would stay locked in the child for ever."""
    return hasattr(os, "fork") and threading.active_count() == 1


def run_all(calls: list[Callable[[], object]], costs: list[float] | None = None) -> list[object]:
    """Every call's result, in order. `costs` (a guess of each call's time) spread the calls
    over the usable cores, the costliest first to the least loaded; worker 0 is this process."""
    workers = min(usable_cores(), len(calls))
    if workers < 2 or not can_fork():
        return [call() for call in calls]
    shares = spread(costs or [1.0] * len(calls), workers)
    sys.stdout.flush()
    sys.stderr.flush()
    running: list[tuple[list[int], int, int]] = []
    try:
        for share in shares[1:]:
            if share:
                running.append((share, *_start([calls[i] for i in share])))
        results: dict[int, object] = {i: calls[i]() for i in shares[0]}
        while running:
            share, pid, reader = running[0]
            received = _collect(pid, reader)
            running.pop(0)
            if received is None:        # the child failed: do its share here, errors and all
                received = [calls[i]() for i in share]
            results.update(zip(share, received))
    finally:
        for _, pid, reader in running:      # interrupted or failed here: end the workers
            _end(pid, reader)
    return [results[i] for i in range(len(calls))]


def spread(costs: list[float], workers: int) -> list[list[int]]:
    """Indexes of `costs` in `workers` shares of nearly equal sum (longest first, to the least
    loaded), each share in index order."""
    shares: list[list[int]] = [[] for _ in range(workers)]
    loads = [0.0] * workers
    for index in sorted(range(len(costs)), key=lambda i: -costs[i]):
        least = loads.index(min(loads))
        shares[least].append(index)
        loads[least] += costs[index]
    return [sorted(share) for share in shares]


def _start(calls: list[Callable[[], object]]) -> tuple[int, int]:
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:                          # the child: compute, send, leave without cleanup
        code = 1
        try:
            os.close(reader)
            data = pickle.dumps([call() for call in calls], protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(writer, "wb") as pipe:
                pipe.write(data)
            code = 0
        except BaseException:             # noqa: BLE001 — the parent runs the share again and reports
            pass
        finally:
            os._exit(code)
    os.close(writer)
    return pid, reader


def _collect(pid: int, reader: int) -> list | None:
    """The child's results, or None if it failed. Reads before waiting: a child blocks
    writing a result larger than the pipe until it is read."""
    chunks = []
    while chunk := os.read(reader, 1 << 20):
        chunks.append(chunk)
    os.close(reader)
    data = b"".join(chunks)
    _, status = os.waitpid(pid, 0)
    if not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0):
        return None
    return pickle.loads(data)


def _end(pid: int, reader: int) -> None:
    import signal
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    try:
        os.close(reader)
    except OSError:
        pass
