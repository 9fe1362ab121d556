"""`kb.py serve`: build, serve the site on 127.0.0.1 and rebuild when a source file changes.

Polling file times keeps this dependency-free and works on every file system. Each rebuild is
an ordinary incremental build (only changed pages are rewritten), published atomically, so
the server always shows the last good site; problems are printed and the server keeps going.
"""
from __future__ import annotations

import functools
import os
import http.server
import signal
import sys
import threading
import time
from pathlib import Path
from stat import S_ISREG

from .i18n import _, os_reason

POLL_SECONDS = 0.5
SETTLE_SECONDS = 0.3        # editors save in several steps: wait until the files stop changing
WATCHED_FOLDERS = ("content", "book", "quizzes/bank")
WATCHED_FILES = ("_config.yml",)
GENERATED = ("book/kb",)    # written by the build itself: changes there must not trigger a build


class _Stop(BaseException):
    """SIGTERM or SIGINT: leave the serving loop (a BaseException so nothing swallows it)."""


def _raise_stop(signum, frame):
    raise _Stop()


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """(modification time, size) of every source file the site is built from. A file or folder
    that vanishes while it is scanned (an editor's temporary file, a deleted folder) is left out
    rather than stopping the server; links to folders are not followed, so a link loop is harmless."""
    files: dict[str, tuple[int, int]] = {}
    paths = [root / name for name in WATCHED_FILES]
    for folder in WATCHED_FOLDERS:
        for current, folders, names in os.walk(root / folder):      # errors while listing: skipped
            folders[:] = [name for name in folders if not name.startswith(".")]
            paths += [Path(current) / name for name in names]
    for path in paths:
        rel = path.relative_to(root).as_posix()
        if rel.startswith(GENERATED) or path.name.startswith("."):
            continue
        try:
            stat = path.stat()
        except OSError:          # vanished meanwhile, or a link loop
            continue
        if S_ISREG(stat.st_mode):
            files[rel] = (stat.st_mtime_ns, stat.st_size)
    return files


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):     # keep the terminal for build messages
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")   # the page must change after a rebuild
        super().end_headers()


def start_server(site: Path, port: int) -> http.server.ThreadingHTTPServer:
    """Serve the site folder's link (not its target), so every request sees the newest build."""
    handler = functools.partial(_Handler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _build(root: Path, preview: bool, progress) -> bool:
    from .pipeline import build
    from .problems import ContentError
    from .site import BuildError, BuildLocked
    try:
        build(root, progress, preview=preview)
        return True
    except ContentError as error:
        print(error.report(), file=sys.stderr, flush=True)
    except (BuildError, BuildLocked) as error:
        print(_("error: {error}").format(error=error), file=sys.stderr, flush=True)
    except (OSError, ValueError) as error:      # e.g. a folder removed during the build: keep serving
        from .cli import describe_failure
        print(describe_failure(error), file=sys.stderr, flush=True)
    print(_("the server keeps showing the last good site; save a fix and it rebuilds"), file=sys.stderr, flush=True)
    return False


def _settled(root: Path) -> dict[str, tuple[int, int]]:
    current = snapshot(root)
    while True:
        time.sleep(SETTLE_SECONDS)
        again = snapshot(root)
        if again == current:
            return current
        current = again


def serve(root: Path, port: int = 8000, preview: bool = False, max_seconds: float | None = None) -> int:
    from .pipeline import Progress
    from .site import PREVIEW, SITE
    say = functools.partial(print, flush=True)
    progress = Progress(out=say)
    output = PREVIEW if preview else SITE
    deadline = time.monotonic() + max_seconds if max_seconds else None
    previous = {sig: signal.signal(sig, _raise_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    server = None
    try:
        try:        # listen first: a busy port is reported before a build is spent on it
            server = start_server(root / output.link, port)
        except OSError as error:
            print(_("error: cannot listen on 127.0.0.1:{port} ({reason}); try another --port").format(port=port, reason=os_reason(error)),
                  file=sys.stderr)
            return 1
        _build(root, preview, progress)
        say(_("serving {url} from {folder} (rebuilds when content/ or book/ changes; Ctrl+C stops)").format(
            url=f"http://127.0.0.1:{server.server_address[1]}/", folder=output.link.as_posix()))
        seen = snapshot(root)
        while deadline is None or time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
            if snapshot(root) != seen:
                seen = _settled(root)
                say(_("change detected: rebuilding"))
                _build(root, preview, progress)
        say(_("stopped after {seconds} s (--max-seconds)").format(seconds=f"{max_seconds:g}"))
        return 0
    except _Stop:
        say(_("stopped"))
        return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if server is not None:
            server.shutdown()
            server.server_close()
