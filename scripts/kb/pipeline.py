"""The pipeline as library functions: check (read + validate) and build (render, write, book)."""
from __future__ import annotations

import time
import unicodedata
from datetime import date
from pathlib import Path

from .content import load_content
from .model import Content
from .i18n import N_, _

# how each kind is counted in the progress line, in this order
KIND_PLURALS = {"role": N_("roles"), "product": N_("products"), "script": N_("scripts"), "case": N_("cases"),
                "rule": N_("rules"), "sop": N_("sops")}

READ_CACHE = "read-clean-files.marshal"     # data of files that read cleanly (content.ReadCache)
RENDER_CACHE = "render-sections.marshal"     # item sections rendered by the last build (render.RenderCache)


class Progress:
    """Prints one line per stage with its count and timing."""

    def __init__(self, out=print):
        self.out = out

    def stage(self, name: str, started: float, detail: str) -> None:
        label = _(name)
        width = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in label)   # Chinese: 2 columns
        self.out(f"{label}{' ' * max(9 - width, 0)} {detail} ({time.perf_counter() - started:.2f} s)")


def read_content(root: Path, publishing: bool = False) -> Content:
    """load_content with the read cache builds keep: files that read cleanly before, byte for
    byte, are not parsed and validated again (content.ReadCache)."""
    from .content import ReadCache
    from .writers import read_cache, write_cache
    cache = ReadCache(read_cache(root, READ_CACHE))
    content = load_content(root, publishing=publishing, cache=cache)
    if cache.changed:
        write_cache(root, READ_CACHE, cache.used)
    return content


def check(root: Path, progress: Progress, publishing: bool = False) -> Content:
    """Read and validate. `publishing` (build): unfinished items with problems are left out
    with warnings instead of stopping the build (content.load_content)."""
    started = time.perf_counter()
    content = read_content(root, publishing=publishing)
    from .quiz.bank import load_bank
    load_bank(root, content)             # the quiz item bank names content ids: check them too
    counts = _(", ").join(f"{len(content.of_kind(k))} {_(KIND_PLURALS[k])}" for k in KIND_PLURALS)
    progress.stage(N_("validate"), started, _("{count} items ({counts})").format(count=len(content.items), counts=counts))
    for warning in content.warnings:     # lint warnings do not block; show them anyway
        progress.out(warning.format())
    return content


def generate(root: Path, content: Content, progress: Progress, today: date | None = None):
    from .quiz.bank import read_bank
    from .finder import read_book_pages
    from .render import RenderCache
    from .writers import read_cache, sync_generated, write_cache
    started = time.perf_counter()
    cache = RenderCache(read_cache(root, RENDER_CACHE))
    files = site_files(content, today, read_bank(root), read_book_pages(root), cache=cache)
    if cache.changed:
        write_cache(root, RENDER_CACHE, cache.used)
    progress.stage(N_("render"), started, _("{count} files").format(count=len(files)))
    started = time.perf_counter()
    report = sync_generated(root, files)
    progress.stage(N_("write"), started, report.summary())
    return report


def site_files(content: Content, today: date | None = None, bank: list | None = None, book_pages: list | None = None,
               cache=None) -> dict[str, str]:
    """Every generated file: the content's pages (render.py) and the pages the other producers
    make from all content: the self-check quizzes (quiz/page.py, from the content and the item
    bank), the finder's index (finder.py, with the hand-written pages) and the drill pages
    (practice/page.py). Composed here, so the renderer imports none of them."""
    from .finder import render_site_files
    from .practice.drills import all_drills
    from .practice.page import render_practice_pages
    from .quiz.page import render_selfcheck_pages
    from .render import render_site
    producers = {
        "selfcheck": (lambda env, context, memo: render_selfcheck_pages(content, bank or [], env, context), bank),
        "finder": (lambda env, context, memo: render_site_files(content, book_pages or [], memo), book_pages),
        "practice": (lambda env, context, memo: render_practice_pages(content, env, context), None),
    }
    # every drill: the drill pages, the self-check pages' links to them and the table of contents
    return render_site(content, today, producers, cache, shared=lambda: all_drills(content))


def select(content: Content, progress: Progress, preview: bool, today: date) -> Content:
    """The one place that decides what readers see: only approved, unexpired items, unless
    this is a preview build (everything, with banners)."""
    from .review import only, published
    started = time.perf_counter()
    if preview:     # everything read; references to items left out for their problems dropped
        shown = only(content, set(content.items)) if content.left_out else content
    else:
        shown = published(content, today)
    if preview:
        detail = _("{shown} of {total} items shown (preview: drafts with banners)")
    else:
        detail = _("{shown} of {total} items published (approved, not expired)")
    progress.stage(N_("select"), started, detail.format(shown=len(shown.items), total=len(content.items)))
    return shown


def build(root: Path, progress: Progress, preview: bool = False, today: date | None = None, force: bool = False) -> Path:
    """Validate, render, build and publish `_build/html` (or `_build/preview` for a preview);
    nothing, unless `force`, when the live site was built from the same inputs."""
    from .review import today as current_day
    from .site import PREVIEW, SITE, JupyterBook, build_lock, publish
    today = today or current_day()
    output = PREVIEW if preview else SITE
    with build_lock(root) as lock:
        started = time.perf_counter()
        inputs = build_inputs(root, preview, today)
        live = None if force else published_from(root, output, inputs)
        if live is not None:        # what it would build is what readers already have
            progress.stage(N_("unchanged"), started, _("content, code and date as for {site}: nothing to build").format(site=live.name))
            return live
        with JupyterBook(root, output=output, lock=lock) as book:    # starts now, builds after generate
            content = check(root, progress, publishing=True)
            shown = select(content, progress, preview, today)
            generate(root, shown, progress, today)
            started = time.perf_counter()
            book.run()
        progress.stage(N_("book"), started, "jupyter-book build -W")
        offline_copy(root / output.work / "_build" / "html", progress)
        started = time.perf_counter()
        target = publish(root, output)
        progress.stage(N_("publish"), started, f"{output.link.as_posix()} -> {target.name}")
        if not preview:              # the self-check pages' answer keys, for grading their results later
            from .quiz.keys import archive_site_keys
            archive_site_keys(root, shown)
        remember_published(root, output, target, inputs)
        return target


# What a build reads besides content/: the hand-written pages, the code with its templates,
# schemas, catalogs and pinned browser libraries' lock files, the quiz bank and the settings.
_INPUT_FOLDERS = ("content", "book", "scripts", "quizzes/bank")
_INPUT_FILES = ("_config.yml", "requirements.txt")
_NOT_INPUTS = {"__pycache__", "node_modules", ".ipynb_checkpoints"}
PUBLISHED_INPUTS = "published-inputs.marshal"


def build_inputs(root: Path, preview: bool, today: date) -> str:
    """A digest of everything a build's output depends on: every input file's path and bytes,
    the day (review dates decide what is published), the kind of build and the Python that runs
    it. Generated pages (book/kb) are outputs, not inputs."""
    import hashlib
    import os
    import sys
    from .pages import GENERATED_DIR
    digest = hashlib.sha256(f"{today.isoformat()}\0{preview}\0{sys.version}\0".encode("utf-8"))
    paths = [root / name for name in _INPUT_FILES]
    for folder in _INPUT_FOLDERS:
        for directory, subfolders, names in os.walk(root / folder):
            subfolders[:] = sorted(d for d in subfolders if d not in _NOT_INPUTS and not d.startswith(".")
                                   and Path(directory, d) != root / GENERATED_DIR)
            # compiled catalogs (.mo) are written on first use from the .po files, which count
            paths += [Path(directory, name) for name in sorted(names) if not name.startswith(".") and not name.endswith((".mo", ".pyc"))]
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError:
            data = b"\0missing"
        digest.update(f"\0{path.relative_to(root).as_posix()}\0{len(data)}\0".encode("utf-8") + data)
    return digest.hexdigest()


def published_from(root: Path, output, inputs: str) -> Path | None:
    """The live site folder if the last build published it from exactly these inputs."""
    from .writers import read_cache
    record = read_cache(root, PUBLISHED_INPUTS).get(output.prefix)
    link = root / output.link
    if not isinstance(record, dict) or record.get("inputs") != inputs or not link.is_symlink():
        return None
    target = link.resolve()
    return target if target.name == record.get("site") and (target / "index.html").is_file() else None


def remember_published(root: Path, output, target: Path, inputs: str) -> None:
    from .writers import read_cache, write_cache
    records = read_cache(root, PUBLISHED_INPUTS)
    records[output.prefix] = {"inputs": inputs, "site": target.name}
    write_cache(root, PUBLISHED_INPUTS, records)


def offline_copy(site: Path, progress: Progress) -> None:
    """The service worker that keeps the site readable without signal (offline/)."""
    from .offline import OfflineToolsMissing, build_service_worker
    from .site import BuildError
    started = time.perf_counter()
    try:
        precache = build_service_worker(site)
    except (OfflineToolsMissing, RuntimeError) as error:
        raise BuildError(str(error)) from None
    progress.stage(N_("offline"), started, precache.summary())


def review_overview(root: Path, on: date | None = None, within_days: int | None = None) -> str:
    """`kb.py review`: read the content and describe what needs a trainer's attention. (Here,
    not in review.py: content.py uses review.py's checks, so review.py does not read content.)"""
    from .review import EXPIRING_WITHIN_DAYS, format_review_report, review_report, today
    content = load_content(root)
    return format_review_report(review_report(content, on or today(), EXPIRING_WITHIN_DAYS if within_days is None else within_days))
