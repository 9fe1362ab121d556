"""Build the book with Jupyter Book 1 in a work folder, then publish it atomically.

`_build/html` is a symbolic link to the last good build; it is switched with one rename
only after a build succeeded, so a failed or interrupted build leaves the site as it was.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from .i18n import _, os_reason

WORK = Path("_build") / "work"          # Sphinx's doctrees and html, kept for incremental builds
PUBLISHED = Path("_build") / "html"     # what readers get
KEEP_OLD_SITES = 1
ANSI_COLOURS = re.compile(r"\x1b\[[0-9;]*m")


@dataclass(frozen=True)
class Output:
    """One kind of build: its Sphinx work folder, the link readers open, and the prefix of the
    site folders that link points to. Preview builds have their own, so a preview never
    replaces the published site."""
    work: Path
    link: Path
    prefix: str


SITE = Output(WORK, PUBLISHED, "site-")
PREVIEW = Output(Path("_build") / "preview-work", Path("_build") / "preview", "preview-")


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
            owner = handle.read().strip() or _("unknown")
            raise BuildLocked(_("another build is running (process {owner}); wait for it to finish and try again").format(owner=owner)) from None
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


def run_jupyter_book(root: Path, builder: str = "html", output: Output = SITE) -> str:
    """Run `jupyter-book build -W` into the work folder; return its output or raise BuildError."""
    command = [_jupyter_book(), "build", ".", "--path-output", str(output.work), "--builder", builder,
               "--warningiserror", "--keep-going"]
    structure = structure_fingerprint(root)
    marker = root / output.work / f".kb-structure-{builder}"
    if not marker.exists() or marker.read_text(encoding="utf-8") != structure:
        # Sphinx rewrites only changed pages: after pages were added, removed (an item hidden
        # by review) or retitled, unchanged pages would keep stale navigation links and a
        # removed page would stay in the output. Start this output afresh instead.
        shutil.rmtree(root / output.work / "_build", ignore_errors=True)
        marker.unlink(missing_ok=True)
    try:
        result = subprocess.run(command, cwd=root, capture_output=True, text=True,
                                env={**os.environ, "PYTHONWARNINGS": "ignore", "NO_COLOR": "1"})
    except BaseException:
        forget_environment(root, output)   # interrupted mid-build: the saved state is unreliable
        raise
    log = result.stdout + result.stderr
    if result.returncode != 0:
        forget_environment(root, output)
        raise BuildError(_explain(log))
    from .writers import atomic_write
    atomic_write(marker, structure.encode("utf-8"))
    return log


def structure_fingerprint(root: Path) -> str:
    """What every page's navigation depends on: the table of contents and each page's title."""
    digest = hashlib.sha256()
    toc = root / "_toc.yml"
    digest.update(toc.read_bytes() if toc.exists() else b"")
    for page in sorted((root / "book").rglob("*.md")):
        title = next((line for line in page.read_text(encoding="utf-8", errors="replace").splitlines()
                      if line.startswith("# ")), "")
        digest.update(f"\0{page.relative_to(root).as_posix()}\0{title}".encode("utf-8"))
    return digest.hexdigest()


def forget_environment(root: Path, output: Output = SITE) -> None:
    """Make the next build read every page again.

    Sphinx re-reads only pages changed since the last run, so a warning raised by a page that
    has not changed since a failed build would not be raised again, and that build would
    pass and publish the broken page."""
    shutil.rmtree(root / output.work / "_build" / ".doctrees", ignore_errors=True)


def _explain(output: str) -> str:
    lines = ANSI_COLOURS.sub("", output).splitlines()
    important = [line for line in lines if "WARNING" in line or "ERROR" in line or "Error" in line]
    shown = important[:40] or lines[-40:]
    return _("jupyter-book build failed (warnings count as errors):") + "\n" + "\n".join("    " + line for line in shown)


def publish(root: Path, output: Output = SITE) -> Path:
    """Copy the fresh html beside the live site and switch the link to it in one rename."""
    source = root / output.work / "_build" / "html"
    build_dir = root / "_build"
    target = _new_site_folder(build_dir, output.prefix)
    try:
        shutil.copytree(source, target, ignore=shutil.ignore_patterns(".buildinfo", ".doctrees"))
    except OSError as error:      # e.g. the disk is full: report it, leave the live site alone
        shutil.rmtree(target, ignore_errors=True)
        raise BuildError(_("copying the new site to {target} failed: {reason}").format(target=target.name, reason=os_reason(error))) from None
    link = root / output.link
    if link.exists() and not link.is_symlink():
        shutil.rmtree(link)         # a real folder from an older layout: replace it by the link
    temporary_link = build_dir / f".{link.name}-{os.getpid()}"
    temporary_link.unlink(missing_ok=True)
    temporary_link.symlink_to(target.name)
    os.replace(temporary_link, link)
    _remove_old_sites(build_dir, keep=target.name, prefix=output.prefix)
    return target


def _new_site_folder(build_dir: Path, prefix: str) -> Path:
    """A fresh folder name that sorts by time; microseconds and a counter keep two builds in
    the same second (kb.py serve rebuilding quickly) apart."""
    now = time.time_ns()
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now // 10**9)) + f"-{now // 1000 % 10**6:06d}-{os.getpid()}"
    target, count = build_dir / f"{prefix}{stamp}", 1
    while target.exists():
        target, count = build_dir / f"{prefix}{stamp}-{count}", count + 1
    return target


def _remove_old_sites(build_dir: Path, keep: str, prefix: str = "site-") -> None:
    sites = sorted(p for p in build_dir.glob(f"{prefix}*") if p.is_dir() and p.name != keep)
    for old in sites[:max(0, len(sites) - KEEP_OLD_SITES)]:
        shutil.rmtree(old, ignore_errors=True)
