"""HTML fragments of the coaching report (pure). Learner names and content titles are
untrusted text: Jinja's autoescape turns every value into text."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

from . import stats

SECTIONS = ("summary", "roles", "topics", "items", "learners")


@lru_cache(maxsize=1)
def _fragments():
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(Path(__file__).parents[1] / "templates" / "coaching")),
                             undefined=jinja2.StrictUndefined, autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(min_n=stats.MIN_N, low_facility=stats.LOW_FACILITY, high_facility=stats.HIGH_FACILITY,
                       low_discrimination=stats.LOW_DISCRIMINATION, weeks_of=lambda role: {w.week: w for w in role.weeks})
    return env.get_template("fragments.html.j2").module


def fragment(section: str, analysis, **options) -> str:
    """One section of the report as HTML: summary, roles, topics, items or learners."""
    if section not in SECTIONS:
        raise ValueError(f"unknown report section {section!r}")
    return str(getattr(_fragments(), section)(analysis, **options)).strip()
