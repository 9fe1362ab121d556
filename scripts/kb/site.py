"""Build the book with Jupyter Book 1 in a work folder, then publish it atomically.

`_build/html` is a symbolic link to the last good build; it is switched with one rename
only after a build succeeded, so a failed or interrupted build leaves the site as it was.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

WORK = Path("_build") / "work"          # Sphinx's doctrees and html, kept for incremental builds
PUBLISHED = Path("_build") / "html"     # what readers get
KEEP_OLD_SITES = 1


class BuildError(Exception):
    """The book did not build; the message says why (warnings are errors)."""


class BuildLocked(Exception):
    """Another build holds the lock."""


@contextmanager
def build_lock(root: Path):
    path = root / "_build" / ".kb-build.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            owner = handle.read().strip() or "unknown"
            raise BuildLocked(f"another build is running (process {owner}); wait for it to finish and try again") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()


def _jupyter_book() -> str:
    beside = Path(sys.executable).with_name("jupyter-book")
    return str(beside) if beside.exists() else (shutil.which("jupyter-book") or "jupyter-book")


def run_jupyter_book(root: Path, builder: str = "html") -> str:
    """Run `jupyter-book build -W` into the work folder; return its output or raise BuildError."""
    command = [_jupyter_book(), "build", ".", "--path-output", str(WORK), "--builder", builder,
               "--warningiserror", "--keep-going"]
    result = subprocess.run(command, cwd=root, capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    output = result.stdout + result.stderr
    if result.returncode != 0:
        raise BuildError(_explain(output))
    return output


def _explain(output: str) -> str:
    lines = output.splitlines()
    important = [line for line in lines if "WARNING" in line or "ERROR" in line or "Error" in line]
    shown = important[:40] or lines[-40:]
    return "jupyter-book build failed (warnings count as errors):\n" + "\n".join("    " + line for line in shown)


def publish(root: Path) -> Path:
    """Copy the fresh html beside the live site and switch the link to it in one rename."""
    source = root / WORK / "_build" / "html"
    build_dir = root / "_build"
    target = build_dir / f"site-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".buildinfo", ".doctrees"))
    link = root / PUBLISHED
    if link.exists() and not link.is_symlink():
        shutil.rmtree(link)         # a real folder from an older layout: replace it by the link
    temporary_link = build_dir / f".html-{os.getpid()}"
    temporary_link.unlink(missing_ok=True)
    temporary_link.symlink_to(target.name)
    os.replace(temporary_link, link)
    _remove_old_sites(build_dir, keep=target.name)
    return target


def _remove_old_sites(build_dir: Path, keep: str) -> None:
    sites = sorted(p for p in build_dir.glob("site-*") if p.is_dir() and p.name != keep)
    for old in sites[:max(0, len(sites) - KEEP_OLD_SITES)]:
        shutil.rmtree(old, ignore_errors=True)
