"""`kb.py report`: results -> executed report notebook -> HTML page, both in reports/.

Demo results are simulated into results/demo/ and never read together with the real store;
their report files carry "demo" in the name and 演示数据 on the page.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from ..problems import ContentError, Problem
from .store import DEMO_STORE, STORE, count_records
from ..i18n import N_, _

REPORTS = Path("reports")
SITE = Path("_build") / "html"


@dataclass
class ReportFiles:
    notebook: Path
    page: Path
    records: int


def report_paths(root: Path, demo: bool, public: bool) -> tuple[Path, Path]:
    stem = "coaching" + ("-demo" if demo else "") + ("-public" if public else "")
    return root / REPORTS / f"{stem}.ipynb", root / REPORTS / f"{stem}.html"


def write_demo_store(root: Path, content) -> tuple[Path, int]:
    """Simulate the demo results (deterministic) into results/demo/store.jsonl."""
    from ..writers import write_if_changed
    from .simulate import demo_records
    from .store import record_line
    records, _plans = demo_records(content)
    path = root / DEMO_STORE
    write_if_changed(path, "".join(record_line(r) + "\n" for r in records))
    return path, len(records)


def _real_store(root: Path) -> tuple[Path, int]:
    path = root / STORE
    count = count_records(path)
    if not count:
        raise ContentError([Problem(str(STORE), 0, 0, "", _("expected quiz results in the store, found none"),
                                    _("import results with `python scripts/kb.py results import FILE...`, or try `python scripts/kb.py report --demo`"))])
    return path, count


def build_report(root: Path, *, demo: bool = False, public: bool = False, site_url: str | None = None, progress=None) -> ReportFiles:
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
    records, count = write_demo_store(root, content) if demo else _real_store(root)
    say(N_("results"), started, _("{count} attempt records in {file}").format(count=count, file=os.path.relpath(records, root)))
    notebook_path, page_path = report_paths(root, demo, public)
    site = root / SITE
    base = site_url.rstrip("/") + "/" if site_url else os.path.relpath(site, notebook_path.parent) + "/"
    spec = ReportSpec(str(root), str(records), demo, public, base, bool(site_url) or (site / "index.html").exists())
    started = time.perf_counter()
    shown = os.path.relpath(notebook_path, root)
    executed = execute(report_notebook(spec), root, shown)
    say(N_("notebook"), started, _("{shown} executed").format(shown=shown))
    started = time.perf_counter()
    page = render_page(executed, shown)
    write_if_changed(notebook_path, nbformat.writes(executed))
    write_if_changed(page_path, page)
    say(N_("page"), started, os.path.relpath(page_path, root))
    return ReportFiles(notebook_path, page_path, count)
