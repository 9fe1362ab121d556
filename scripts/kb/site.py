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
import signal
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


@dataclass
class Lock:
    """The held build lock: its open file, whose descriptor the build's child processes
    inherit, so the lock is only free once every one of them has ended."""
    handle: object
    path: Path

    def record(self, child_group: int | None = None) -> None:
        """Write who holds the lock: this process and, while one runs, the child's process group."""
        self.handle.seek(0)
        self.handle.truncate()
        self.handle.write(f"{os.getpid()}" + (f" {child_group}" if child_group else ""))
        self.handle.flush()


@contextmanager
def build_lock(root: Path):
    path = root / "_build" / ".kb-build.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            owner = handle.read().strip().split(" ")[0] or _("unknown")
            raise BuildLocked(_("another build is running (process {owner}); wait for it to finish and try again").format(owner=owner)) from None
        handle.seek(0)
        _end_stale_children(handle.read(), root)
        lock = Lock(handle, path)
        lock.record()
        try:
            yield lock
        finally:
            handle.seek(0)
            handle.truncate()


def _end_stale_children(recorded: str, root: Path) -> None:
    """A previous build's children that outlived it (their parent was killed where the kernel
    could not take them along) would write into the same work folder: end them first. Only
    processes of that group working in this project are touched."""
    parts = recorded.split()
    if len(parts) != 2 or not parts[1].isdigit():
        return
    group = int(parts[1])
    members = [pid for pid in _group_members(group) if _cwd(pid) == root.resolve()]
    for pid in members:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _group_members(group: int) -> list[int]:
    members = []
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else []:
        if entry.name.isdigit():
            try:
                if os.getpgid(int(entry.name)) == group:
                    members.append(int(entry.name))
            except (ProcessLookupError, PermissionError):
                continue
    return members


def _cwd(pid: int) -> Path | None:
    try:
        return Path(os.readlink(f"/proc/{pid}/cwd"))
    except OSError:
        return None


# Started in front of jupyter-book: asks the kernel to kill it when the build process dies
# (Linux prctl PR_SET_PDEATHSIG, kept across exec), then becomes jupyter-book. A launcher
# rather than preexec_fn, which is unsafe while kb.py serve's server threads run.
_DIE_WITH_PARENT = (
    "import ctypes, os, sys\n"
    "try:\n"
    "    ctypes.CDLL(None, use_errno=True).prctl(1, 9)\n"
    "except (OSError, AttributeError):\n"
    "    pass\n"
    "if os.getppid() != int(sys.argv[1]):\n"
    "    sys.exit(1)\n"
    "if not os.path.isfile(sys.argv[2]):\n"
    "    os.execvp(sys.argv[2], sys.argv[2:])\n"
    # jsonschema compiles the optional IRI grammars of rfc3987_syntax when it is importable
    # (a dependency of jupyter-events): 1 s of CPU at every start, for formats Jupyter Book's
    # config schema does not use. Run the jupyter-book script here, without them.
    "sys.modules['rfc3987_syntax'] = None\n"
    # Sphinx allocates millions of objects when it loads its pickled environment and doctrees;
    # Python's default threshold runs the cyclic collector every 700 new objects (loading the
    # environment of a 10,000-item site: 0.99 s, 0.24 s without collections). Collect less often.
    "import gc\n"
    "gc.set_threshold(10_000, 20, 20)\n"
    # Sphinx reads and writes pages in parallel worker processes when given jobs; Jupyter
    # Book 1's command line has no option for it, so its build function gets them here
    # (JupyterBook passes parallel.usable_cores()).
    "jobs = int(os.environ['KB_BUILD_JOBS'])\n"
    "if jobs > 1:\n"
    "    import functools, jupyter_book.sphinx\n"
    "    jupyter_book.sphinx.build_sphinx = functools.partial(jupyter_book.sphinx.build_sphinx, jobs=jobs)\n"
    "sys.argv = sys.argv[2:]\n"
    # Started while kb.py still renders the pages (JupyterBook): import what the build needs
    # on the other core, then wait for the pages. Anything but "go" (kb.py failed, or was
    # stopped) ends this process before it touched a file.
    "if os.environ.get('KB_BOOK_WAITS') == '1':\n"
    "    import jupyter_book.cli.main, jupyter_book.sphinx, sphinx.application, sphinx.builders.html\n"
    "    import myst_nb, myst_nb.sphinx_ext, sphinx_external_toc, sphinx_copybutton, furo\n"
    "    if sys.stdin.readline().strip() != 'go':\n"
    "        os._exit(0)\n"
    "import runpy\n"
    "try:\n"
    "    runpy.run_path(sys.argv[0], run_name='__main__')\n"
    "    code = 0\n"
    "except SystemExit as exit:\n"
    "    code = exit.code\n"
    # Sphinx has written everything by now; the interpreter's own exit would spend seconds
    # freeing the environment it loaded (3.7 s of a 7.7 s one-page build at 10,000 items).
    # Leave at once, with the output flushed and the exit code jupyter-book gave.
    "if code is not None and not isinstance(code, int):\n"
    "    print(code, file=sys.stderr)\n"
    "    code = 1\n"
    "import logging\n"
    "logging.shutdown()\n"
    "sys.stdout.flush()\n"
    "sys.stderr.flush()\n"
    "os._exit(code or 0)\n")


def _jupyter_book() -> str:
    beside = Path(sys.executable).with_name("jupyter-book")
    return str(beside) if beside.exists() else (shutil.which("jupyter-book") or "jupyter-book")


class JupyterBook:
    """A `jupyter-book build -W` process started before the pages it builds are written: it
    imports Sphinx, Jupyter Book and the extensions (0.6 s) while kb.py renders on the other
    core, and builds when run() says so. Leaving the `with` block without run() ends it.
    It runs in its own process group that lives and dies with the lock: it holds the lock's
    descriptor, is killed by the kernel if this process dies, and its whole group is ended if
    this process is interrupted."""

    def __init__(self, root: Path, builder: str = "html", output: Output = SITE, lock: Lock | None = None):
        self.root, self.builder, self.output, self.lock = root, builder, output, lock
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "JupyterBook":
        from .parallel import JOBS_VARIABLE, usable_cores
        command = [_jupyter_book(), "build", ".", "--path-output", str(self.output.work), "--builder", self.builder,
                   "--warningiserror", "--keep-going"]
        launcher = [sys.executable, "-c", _DIE_WITH_PARENT, str(os.getpid())]
        self.process = subprocess.Popen(
            launcher + command, cwd=self.root, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, env={**os.environ, "PYTHONWARNINGS": "ignore", "NO_COLOR": "1", "KB_BOOK_WAITS": "1",
                            JOBS_VARIABLE: str(usable_cores())},
            start_new_session=True, pass_fds=(self.lock.handle.fileno(),) if self.lock else ())
        if self.lock:
            self.lock.record(child_group=self.process.pid)
        return self

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.returncode is None:
            self._end()
        if self.lock:
            self.lock.record()

    def run(self) -> str:
        """Build the pages as they are now on disk; return the output or raise BuildError."""
        structure = structure_fingerprint(self.root)
        marker = self.root / self.output.work / f".kb-structure-{self.builder}"
        if not marker.exists() or marker.read_text(encoding="utf-8") != structure:
            # Sphinx rewrites only changed pages: after pages were added, removed (an item hidden
            # by review) or retitled, unchanged pages would keep stale navigation links and a
            # removed page would stay in the output. Start this output afresh instead.
            shutil.rmtree(self.root / self.output.work / "_build", ignore_errors=True)
            marker.unlink(missing_ok=True)
        try:
            out, err = self.process.communicate("go\n")
        except BaseException:
            self._end()
            forget_environment(self.root, self.output)   # interrupted mid-build: the saved state is unreliable
            raise
        if self.process.returncode != 0:
            forget_environment(self.root, self.output)
            raise BuildError(_explain(out + err))
        from .writers import atomic_write
        atomic_write(marker, structure.encode("utf-8"))
        return out + err

    def _end(self) -> None:
        """Kill the whole group (Sphinx's parallel workers too) and wait for it."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()


def structure_fingerprint(root: Path) -> str:
    """What every page's navigation depends on: the table of contents and each page's title;
    and the settings (Sphinx builds every page again when they change, but leaves pages a
    setting turned off, such as the general index, in its output)."""
    digest = hashlib.sha256()
    for name in ("_toc.yml", "_config.yml"):
        path = root / name
        digest.update(path.read_bytes() if path.exists() else b"")
        digest.update(b"\0")
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
    live = root / output.link
    previous = live.resolve() if live.is_symlink() else None
    try:
        shutil.copytree(source, target, ignore=shutil.ignore_patterns(".buildinfo", ".doctrees"),
                        copy_function=_link_or_copy(source, previous))
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


def _link_or_copy(source: Path, previous: Path | None):
    """copytree's copy function: a file the live site already has with the same bytes (same
    size and modification time as copy2 kept them, or same size and content: Sphinx writes some
    static files anew on every build) is linked instead of copied; a published site is never
    written into, so the two folders may share it. At 10,000 items a site is 110 MB, and an edit
    changes a few files."""
    import filecmp

    def copy(src: str, dst: str) -> str:
        if previous is not None:
            old = previous / Path(src).relative_to(source)
            try:
                here, there = os.stat(src), os.stat(old)
                if here.st_size == there.st_size and (
                        here.st_mtime_ns == there.st_mtime_ns or filecmp.cmp(src, old, shallow=False)):
                    os.link(old, dst)
                    return dst
            except OSError:           # not in the live site, or no hard links here: copy
                pass
        return shutil.copy2(src, dst)
    return copy


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
