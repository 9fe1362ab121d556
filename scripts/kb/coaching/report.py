"""`kb.py report`: results -> executed report notebook -> HTML page, both in reports/.

Real results come from the results database (coaching/db.py); demo results are simulated into
their own database, results/demo/results.sqlite3, and never read together with the real ones;
their report files carry "demo" in the name and 演示数据 on the page. Besides the team report,
a printable one-to-one page per learner goes into reports/learners/ (never in --public).
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from ..problems import ContentError, Problem
from ..i18n import N_, _
from .db import DATABASE, Filters

DEMO_DATABASE = Path("results") / "demo" / "results.sqlite3"

REPORTS = Path("reports")
SITE = Path("_build") / "html"


@dataclass
class ReportFiles:
    notebook: Path
    page: Path
    records: int
    learner_pages: int = 0
    learner_folder: Path | None = None


def report_paths(root: Path, demo: bool, public: bool) -> tuple[Path, Path]:
    stem = "coaching" + ("-demo" if demo else "") + ("-public" if public else "")
    return root / REPORTS / f"{stem}.ipynb", root / REPORTS / f"{stem}.html"


def write_demo_database(root: Path, content) -> Path:
    """Simulate the demo results (deterministic) into a fresh results/demo/results.sqlite3."""
    from .simulate import demo_records
    records, _plans = demo_records(content)
    return fill_database(root / DEMO_DATABASE, records)


def fill_database(path: Path, records: list[dict]) -> Path:
    """A new database at `path` holding simulated records as self-taken practice (demo and
    benchmarks only: real records go through results import), swapped in atomically."""
    import os
    from .db import Grade, connect, insert_attempt, transaction
    path.parent.mkdir(parents=True, exist_ok=True)
    building = path.with_name(f".{path.name}.{os.getpid()}.building")
    for leftover in (building, building.with_name(building.name + "-wal"), building.with_name(building.name + "-shm")):
        leftover.unlink(missing_ok=True)
    connection = connect(path.parent, building)
    with transaction(connection):
        for record in records:
            insert_attempt(connection, record, None, Grade.of(record, "self"))
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.execute("PRAGMA journal_mode = DELETE")
    connection.close()
    os.replace(building, path)
    return path


def _real_database(root: Path, filters: Filters) -> tuple[Path, int]:
    from .db import connect, report_count
    connection = connect(root)
    try:
        count = report_count(connection, filters)
    finally:
        connection.close()
    if not count:
        message = _("expected quiz results in the database, found none") if filters == Filters() else \
            _("expected quiz results in the database matching the filters, found none")
        raise ContentError([Problem(str(DATABASE), 0, 0, "", message,
                                    _("import results with `python scripts/kb.py results import FILE...`, or try `python scripts/kb.py report --demo`"))])
    return root / DATABASE, count


def build_report(root: Path, *, demo: bool = False, public: bool = False, site_url: str | None = None, progress=None,
                 min_n: int = 10, filters: Filters = Filters()) -> ReportFiles:
    import nbformat
    from ..content import load_content
    from ..writers import write_if_changed
    from .charts import cjk_font
    from .notebook import ReportSpec, execute, report_notebook
    from .page import render_page
    say = progress.stage if progress else (lambda *args: None)
    started = time.perf_counter()
    content = load_content(root)
    cjk_font()                                     # fail before starting a kernel if charts cannot show Chinese
    if demo:
        database = write_demo_database(root, content)
        from .db import connect, report_count
        connection = connect(root, database)
        count = report_count(connection, filters)
        connection.close()
    else:
        database, count = _real_database(root, filters)
    say(N_("results"), started, _("{count} attempt records in {file}").format(count=count, file=os.path.relpath(database, root)))
    notebook_path, page_path = report_paths(root, demo, public)
    site = root / SITE
    base = site_url.rstrip("/") + "/" if site_url else os.path.relpath(site, notebook_path.parent) + "/"
    here = notebook_path.parent           # the notebook runs where it lives, as Jupyter runs it: paths relative to it
    here.mkdir(parents=True, exist_ok=True)
    spec = ReportSpec(os.path.relpath(database, here), demo, public, base, bool(site_url) or (site / "index.html").exists(), min_n, filters,
                      os.path.relpath(root, here))
    started = time.perf_counter()
    shown = os.path.relpath(notebook_path, root)
    executed = execute(report_notebook(spec), here, shown)
    say(N_("notebook"), started, _("{shown} executed").format(shown=shown))
    started = time.perf_counter()
    page = render_page(executed, shown)
    write_if_changed(notebook_path, nbformat.writes(executed))
    write_if_changed(page_path, page)
    say(N_("page"), started, os.path.relpath(page_path, root))
    pages, folder = 0, None
    if not public:
        from .learners import write_learner_pages
        started = time.perf_counter()
        folder = notebook_path.parent / ("learners-demo" if demo else "learners")
        pages = write_learner_pages(root, database, folder, base, filters, content)
        say(N_("learners"), started, _("{count} one-to-one page(s)").format(count=pages))
    return ReportFiles(notebook_path, page_path, count, pages, folder)
