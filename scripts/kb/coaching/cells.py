"""What the report notebook's code cells call: load the results, show a section, draw a chart.

Kept small so the notebook reads as the report's outline and all logic stays testable here.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import charts, present, stats
from .analysis import Analysis, analyse, page_index
from .db import Filters
from .table import build_table

CHARTS = {"role_trend": charts.role_trend, "topic_heatmap": charts.topic_heatmap, "item_map": charts.item_map}


@dataclass
class Report:
    """Practice (self-taken) and certification (graded by the trainer) analysed apart."""
    practice: Analysis | None
    certify: Analysis | None
    demo: bool
    public: bool
    min_n: int
    filters: Filters
    records: int


def load(database: str, *, demo: bool, public: bool, site_base: str, min_n: int = stats.DEFAULT_MIN_N,
         filters: Filters = Filters(), root: str = "..") -> Report:
    from ..content import load_content
    from .db import connect, question_texts, report_records
    stats.set_min_n(min_n)
    root_path = Path(root)
    content = load_content(root_path)
    connection = connect(root_path, Path(database))      # both relative to where the notebook runs
    try:
        records = report_records(connection, filters)
        texts = question_texts(connection)
    finally:
        connection.close()
    pages = page_index(content, site_base)
    role_names = {role.id: role.title for role in content.of_kind("role")}
    analyses = {}
    for mode in ("practice", "certify"):
        chosen = [record for record in records if record["mode"] == mode]
        analyses[mode] = analyse(build_table(chosen), pages, role_names, demo=demo, public=public, texts=texts) if chosen else None
    return Report(analyses["practice"], analyses["certify"], demo, public, min_n, filters, len(records))


def show(section: str, analysis, **options):
    from IPython.display import HTML
    return HTML(present.fragment(section, analysis, **options))


def chart(name: str, analysis: Analysis | None):
    from IPython.display import Image
    if analysis is None:
        return None
    return Image(data=charts.png(CHARTS[name](analysis)), format="png")
