"""What the report notebook's code cells call: load the results, show a section, draw a chart.

Kept small so the notebook reads as the report's outline and all logic stays testable here.
"""
from __future__ import annotations

from pathlib import Path

from . import charts, present
from .analysis import Analysis, analyse, page_index
from .store import read_records
from .table import build_table

CHARTS = {"role_trend": charts.role_trend, "topic_heatmap": charts.topic_heatmap, "item_map": charts.item_map}


def load(root: str, records: str, *, demo: bool, public: bool, site_base: str) -> Analysis:
    from ..content import load_content
    root_path = Path(root)
    content = load_content(root_path)
    shown = str(Path(records).relative_to(root_path)) if Path(records).is_relative_to(root_path) else records
    table = build_table(read_records(Path(records), shown))
    role_names = {role.id: role.title for role in content.of_kind("role")}
    return analyse(table, page_index(content, site_base), role_names, demo=demo, public=public)


def show(section: str, analysis: Analysis, **options):
    from IPython.display import HTML
    return HTML(present.fragment(section, analysis, **options))


def chart(name: str, analysis: Analysis):
    from IPython.display import Image
    return Image(data=charts.png(CHARTS[name](analysis)), format="png")
