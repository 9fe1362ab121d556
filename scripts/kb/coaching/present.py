"""HTML fragments of the coaching report (pure). Learner names and content titles are
untrusted text: Jinja's autoescape turns every value into text."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

from . import stats

SECTIONS = ("summary", "mode", "roles", "topics", "items", "learners")


@lru_cache(maxsize=1)
def _fragments():
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(Path(__file__).parents[1] / "templates" / "coaching")),
                             undefined=jinja2.StrictUndefined, autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(default_min_n=stats.DEFAULT_MIN_N, low_facility=stats.LOW_FACILITY, high_facility=stats.HIGH_FACILITY,
                       low_discrimination=stats.LOW_DISCRIMINATION, weeks_of=lambda role: {w.week: w for w in role.weeks})
    return env.get_template("fragments.html.j2")


def fragment(section: str, analysis, **options) -> str:
    """One section of the report as HTML: summary (of the whole Report), mode, roles, topics,
    items or learners (of the practice or the certification Analysis, None when there is none)."""
    if section not in SECTIONS:
        raise ValueError(f"unknown report section {section!r}")
    if analysis is None and section not in ("summary", "mode"):
        return ""                     # no results of this kind: the mode section says so
    module = _fragments().make_module({"min_n": stats.MIN_N, "public": bool(getattr(analysis, "public", False))})
    return str(getattr(module, section)(analysis, **options)).strip()
