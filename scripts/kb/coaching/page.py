"""The executed report notebook -> one self-contained HTML page (pure: notebook in, text out).

Headings come from the cells' metadata (our own text, escaped), HTML outputs come from
present.py (already escaped), charts are embedded as PNG data URIs.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from ..problems import ContentError, Problem
from ..i18n import _


@lru_cache(maxsize=1)
def _template():
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(Path(__file__).parents[1] / "templates" / "coaching")),
                             undefined=jinja2.StrictUndefined, autoescape=True)
    return env.get_template("page.html.j2")


def _outputs(cell, shown: str) -> list[Markup]:
    parts = []
    for output in cell.get("outputs", []):
        if output["output_type"] == "error":
            raise ContentError([Problem(shown, 0, 0, "", _("the report notebook holds an error: {ename}: {evalue}").format(ename=output['ename'], evalue=output['evalue']),
                                        _("run the report again; the notebook shows the whole error"))])
        data = output.get("data", {})
        if "text/html" in data:
            parts.append(Markup(data["text/html"]))
        elif "image/png" in data:
            section = cell["metadata"]["kb"]["section"]
            parts.append(Markup('<img class="chart" alt="{}" src="data:image/png;base64,{}">').format(section, data["image/png"].strip()))
    return parts


def render_page(notebook, shown: str) -> str:
    blocks = []
    for cell in notebook.cells:
        meta = cell.get("metadata", {}).get("kb", {})
        if cell.cell_type == "markdown" and "heading" in meta:
            level = int(meta["level"])
            blocks.append(Markup(f"<h{level}>{escape(meta['heading'])}</h{level}>"))
            if meta.get("intro"):
                blocks.append(Markup("<p class=\"intro\">{}</p>").format(meta["intro"]))
        elif cell.cell_type == "code":
            blocks += _outputs(cell, shown)
    info = notebook.metadata.get("kb", {})
    return _template().render(title=info.get("title", "辅导报告"), demo=info.get("demo", False), blocks=blocks)
