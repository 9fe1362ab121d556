"""The build's child processes live and die with the build lock (issue 14): SIGKILL to kb.py
alone must not leave jupyter-book running in the work folder, and a stale lock's leftover
processes are ended before the next build starts."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, make_project


def group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
        return True
    except ProcessLookupError:
        return False


def wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.fixture
def project(tmp_path) -> Path:
    return make_project(tmp_path / "project", FIXTURES / "mini")


def test_sigkill_to_kb_alone_takes_jupyter_book_along(project):
    lock_file = project / "_build" / ".kb-build.lock"
    build = subprocess.Popen([sys.executable, str(project / "scripts" / "kb.py"), "build"], cwd=project,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_until(lambda: lock_file.exists() and len(lock_file.read_text().split()) == 2, 120), "jupyter-book never started"
        pid, group = map(int, lock_file.read_text().split())
        assert pid == build.pid and group != build.pid and group_alive(group)
        build.send_signal(signal.SIGKILL)          # kb.py only, not its group: the child is on its own
        build.wait(timeout=10)
        assert wait_until(lambda: not group_alive(group), 10), "jupyter-book outlived the killed build"
    finally:
        build.kill()
    sys.path.insert(0, str(ROOT / "scripts"))
    from kb.site import build_lock
    with build_lock(project):                       # and the lock is free again
        pass


def test_a_stale_locks_leftover_process_is_ended_on_start(project):
    """A child that outlived its build (recorded in the lock file) is ended before a new build
    writes into the same work folder; a process of another folder is left alone."""
    (project / "_build").mkdir(exist_ok=True)
    leftover = subprocess.Popen(["sleep", "60"], cwd=project, start_new_session=True)
    elsewhere = subprocess.Popen(["sleep", "60"], cwd=project.parent, start_new_session=True)
    try:
        from kb.site import build_lock
        for stale in (leftover, elsewhere):
            (project / "_build" / ".kb-build.lock").write_text(f"999999 {stale.pid}")
            with build_lock(project):
                pass
        assert leftover.wait(timeout=5) == -signal.SIGKILL
        assert elsewhere.poll() is None
    finally:
        leftover.kill()
        elsewhere.kill()
        leftover.wait()
        elsewhere.wait()


def test_kb_does_not_compile_the_iri_grammars_jsonschema_never_uses():
    """rfc3987_syntax (installed for jupyter-events) costs about 1 s of CPU at import."""
    code = ("import sys; sys.path.insert(0, 'scripts'); import kb.content, kb.schema; "
            "print(sys.modules.get('rfc3987_syntax'))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "None"
