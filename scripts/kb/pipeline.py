"""The pipeline as library functions: check (read + validate) and build (render, write, book)."""
from __future__ import annotations

import time
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
    counts = ", ".join(f"{len(content.of_kind(k))} {k}s" for k in ("role", "product", "script", "case", "rule", "sop"))
    progress.stage("validate", started, f"{len(content.items)} items ({counts})")
    return content


def generate(root: Path, content: Content, progress: Progress):
    from .render import render_site
    from .writers import sync_generated
    started = time.perf_counter()
    files = render_site(content)
    progress.stage("render", started, f"{len(files)} files")
    started = time.perf_counter()
    report = sync_generated(root, files)
    progress.stage("write", started, report.summary())
    return report


def build(root: Path, progress: Progress) -> Path:
    from .site import build_lock, publish, run_jupyter_book
    with build_lock(root):
        content = check(root, progress)
        generate(root, content, progress)
        started = time.perf_counter()
        run_jupyter_book(root)
        progress.stage("book", started, "jupyter-book build -W")
        started = time.perf_counter()
        target = publish(root)
        progress.stage("publish", started, f"_build/html -> {target.name}")
        return target
