"""The pipeline as library functions: check (read + validate) and build (render, write, book)."""
from __future__ import annotations

import time
from datetime import date
from pathlib import Path

from .content import load_content
from .model import Content


class Progress:
    """Prints one line per stage with its count and timing."""

    def __init__(self, out=print):
        self.out = out

    def stage(self, name: str, started: float, detail: str) -> None:
        self.out(f"{name:<9} {detail} ({time.perf_counter() - started:.2f} s)")


def check(root: Path, progress: Progress) -> Content:
    started = time.perf_counter()
    content = load_content(root)
    from .quiz.bank import load_bank
    load_bank(root, content)             # the quiz item bank names content ids: check them too
    counts = ", ".join(f"{len(content.of_kind(k))} {k}s" for k in ("role", "product", "script", "case", "rule", "sop"))
    progress.stage("validate", started, f"{len(content.items)} items ({counts})")
    for warning in content.warnings:     # lint warnings do not block; show them anyway
        progress.out(warning.format())
    return content


def generate(root: Path, content: Content, progress: Progress, today: date | None = None):
    from .quiz.bank import read_bank
    from .render import render_site
    from .writers import sync_generated
    started = time.perf_counter()
    files = render_site(content, today, read_bank(root))
    progress.stage("render", started, f"{len(files)} files")
    started = time.perf_counter()
    report = sync_generated(root, files)
    progress.stage("write", started, report.summary())
    return report


def select(content: Content, progress: Progress, preview: bool, today: date) -> Content:
    """The one place that decides what readers see: only approved, unexpired items, unless
    this is a preview build (everything, with banners)."""
    from .review import published
    started = time.perf_counter()
    shown = content if preview else published(content, today)
    verb = "shown (preview: drafts with banners)" if preview else "published (approved, not expired)"
    progress.stage("select", started, f"{len(shown.items)} of {len(content.items)} items {verb}")
    return shown


def build(root: Path, progress: Progress, preview: bool = False, today: date | None = None) -> Path:
    """Validate, render, build and publish `_build/html` (or `_build/preview` for a preview)."""
    from .review import today as current_day
    from .site import PREVIEW, SITE, build_lock, publish, run_jupyter_book
    today = today or current_day()
    output = PREVIEW if preview else SITE
    with build_lock(root):
        content = check(root, progress)
        shown = select(content, progress, preview, today)
        generate(root, shown, progress, today)
        started = time.perf_counter()
        run_jupyter_book(root, output=output)
        progress.stage("book", started, "jupyter-book build -W")
        started = time.perf_counter()
        target = publish(root, output)
        progress.stage("publish", started, f"{output.link.as_posix()} -> {target.name}")
        return target
