"""One-to-one pages: a printable page per learner, read from the results database.

reader   learner_sheets(connection, filters, pages)  -> [LearnerSheet] (plain data)
render   render_sheet / render_index                  -> HTML text (pure, autoescaped)
writer   write_learner_pages                          -> reports/learners/*.html

Each page shows the learner's scores over time, practice (self-taken) and certification (graded
by the trainer) apart, the weak topics and the questions missed in the latest attempt of each
quiz (as their text, with the page to reread), and the practice to do next.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..pages import TOPIC_NAMES
from ..safetext import safe_text
from .analysis import WEAK_TOPIC, PageRef
from .db import Filters, _where
from .stats import fraction_change
from .table import learner_key

MAX_PAGES = 2000          # pages written per run, learners needing help most first
GRADER_LABELS = {"self": "自评，已复核", "legacy": "自评，旧记录未复核", "trainer": "讲师评分", "": "待评分"}
TREND_WIDTH, TREND_HEIGHT = 320, 80


@dataclass
class AttemptLine:
    day: str
    quiz: str
    mode: str
    grader: str
    right: int | None
    asked: int | None
    score: float | None
    passed: bool | None
    change: float | None = None        # from the learner's previous graded attempt at this quiz


@dataclass
class Missed:
    text: str
    page: PageRef


@dataclass
class QuizFocus:
    quiz: str
    mode: str
    day: str
    weak_topics: list[tuple[str, int, int]]
    missed: list[Missed]


@dataclass
class LearnerSheet:
    name: str
    slug: str
    roles: list[str]
    teams: list[str]
    practice: list[AttemptLine] = field(default_factory=list)
    certify: list[AttemptLine] = field(default_factory=list)
    focus: list[QuizFocus] = field(default_factory=list)
    drills: list[str] = field(default_factory=list)

    @property
    def needs_help(self) -> bool:
        latest = (self.certify or self.practice)[-1:] if (self.certify or self.practice) else []
        return bool(latest) and latest[0].passed is False


def slug(name: str) -> str:
    """A file name from a hash: learners' names never become paths."""
    return "learner-" + hashlib.sha256(learner_key(name).encode("utf-8")).hexdigest()[:12]


def percent_change(before: AttemptLine, after: AttemptLine) -> float | None:
    if not before.asked or not after.asked:
        return None
    return fraction_change(before.right, before.asked, after.right, after.asked)


def learner_sheets(connection, filters: Filters, pages: dict[str, PageRef], role_names: dict[str, str],
                   limit: int = MAX_PAGES) -> tuple[list[LearnerSheet], int]:
    """The sheets of the `limit` learners needing help most (latest attempt not passed first,
    then by name), and how many learners there are in all."""
    where, values = _where(filters)
    rows = connection.execute(
        "SELECT a.id, a.learner, a.role, a.team, a.quiz_id, a.quiz_version, a.mode, a.submitted_at, r.grader, r.right_answers, r.questions,"
        " r.score, r.passed, r.marks FROM attempts a LEFT JOIN results r ON r.attempt = a.id" + where + " ORDER BY a.submitted_at, a.id", values).fetchall()
    by_learner: dict[str, list[tuple]] = {}
    for row in rows:
        by_learner.setdefault(learner_key(row[1]), []).append(row)
    ranked = sorted(by_learner.values(), key=lambda mine: (not _needs_help(mine), safe_text(mine[0][1].strip())))
    texts = {(quiz, version, item): stem for quiz, version, item, stem in connection.execute("SELECT quiz_id, quiz_version, item_id, stem FROM questions")}
    sheets = [_sheet(mine, connection, texts, pages, role_names) for mine in ranked[:limit]]   # only the pages written
    return sheets, len(ranked)


def _needs_help(rows: list[tuple]) -> bool:
    """The learner's latest certification attempt (or, without one, latest practice) was not passed."""
    certify = [row for row in rows if row[6] == "certify"]
    return (certify or rows)[-1][12] == 0


def _sheet(rows: list[tuple], connection, texts: dict, pages: dict[str, PageRef], role_names: dict[str, str]) -> LearnerSheet:
    sheet = LearnerSheet(safe_text(rows[0][1].strip()), slug(rows[0][1]), [], [])
    latest: dict[str, tuple] = {}
    previous: dict[str, AttemptLine] = {}
    for attempt, _name, role, team, quiz, version, mode, when, grader, right, asked, score, passed, marks in rows:
        role_name = role_names.get(role, role)
        if role_name not in sheet.roles:
            sheet.roles.append(role_name)
        if team and safe_text(team) not in sheet.teams:
            sheet.teams.append(safe_text(team))
        line = AttemptLine(when[:10], quiz, mode, grader or "", right, asked, score, None if passed is None else bool(passed))
        if grader:
            before = previous.get(quiz)
            line.change = percent_change(before, line) if before else None
            previous[quiz] = line
            latest[quiz] = (attempt, version, mode, when[:10], marks, role)
        (sheet.practice if mode == "practice" else sheet.certify).append(line)
    for quiz, (attempt, version, mode, day, marks, role) in latest.items():
        answers = connection.execute("SELECT item_id, topic, content_id FROM answers WHERE attempt = ? ORDER BY position", (attempt,)).fetchall()
        asked, right = defaultdict(int), defaultdict(int)
        missed = []
        for (item, topic, content_id), mark in zip(answers, marks):
            asked[topic] += 1
            right[topic] += mark == "1"
            if mark != "1":
                page = pages.get(content_id) or PageRef(content_id, content_id, None, "")
                missed.append(Missed(texts.get((quiz, version, item)) or item, page))
        weak = [(TOPIC_NAMES.get(t, t), right[t], asked[t]) for t in asked if right[t] / asked[t] < WEAK_TOPIC]
        sheet.focus.append(QuizFocus(quiz, mode, day, weak, missed))
        topics = "、".join(name for name, _right, _asked in weak)
        if weak and mode == "practice":
            sheet.drills.append(f"再做一次“{quiz}”的自测（换一套题：python scripts/kb.py quiz --variant N --role {role}），重点：{topics}")
        elif weak:
            sheet.drills.append(f"考核前先练习：{topics}（先读下面列出的页面，再做一次自测）")
    return sheet


def trend_points(lines: list[AttemptLine]) -> str:
    """SVG polyline points of the graded scores in time order (the chart of scores over time)."""
    scores = [line.score for line in lines if line.score is not None]
    if len(scores) < 2:
        return ""
    step = TREND_WIDTH / (len(scores) - 1)
    return " ".join(f"{i * step:.1f},{TREND_HEIGHT - score / 100 * TREND_HEIGHT:.1f}" for i, score in enumerate(scores))


@lru_cache(maxsize=1)
def _templates():
    import jinja2
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(Path(__file__).parents[1] / "templates" / "coaching")),
                             undefined=jinja2.StrictUndefined, autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(graders=GRADER_LABELS, trend=trend_points, width=TREND_WIDTH, height=TREND_HEIGHT)
    return env.get_template("learner.html.j2")


def render_sheet(sheet: LearnerSheet, demo: bool) -> str:
    return _templates().module.sheet(sheet, demo)


def render_index(sheets: list[LearnerSheet], demo: bool, left_out: int) -> str:
    return _templates().module.index(sheets, demo, left_out)


def write_learner_pages(root: Path, database: Path, folder: Path, site_base: str, filters: Filters, content) -> int:
    """Write one page per learner (and an index) into `folder`; returns the number of pages."""
    import os
    from ..writers import write_if_changed
    from .analysis import page_index
    from .db import connect
    relative = site_base if "://" in site_base else "../" + site_base     # pages sit one folder deeper than the report
    connection = connect(root, database)
    try:
        shown, total = learner_sheets(connection, filters, page_index(content, relative),
                                      {role.id: role.title for role in content.of_kind("role")})
    finally:
        connection.close()
    demo = "demo" in folder.name
    for sheet in shown:
        write_if_changed(folder / f"{sheet.slug}.html", str(render_sheet(sheet, demo)))
    write_if_changed(folder / "index.html", str(render_index(shown, demo, total - len(shown))))
    keep = {f"{sheet.slug}.html" for sheet in shown} | {"index.html"}
    for old in folder.glob("learner-*.html"):
        if old.name not in keep:
            os.unlink(old)            # a learner filtered out no longer has a page here
    return len(shown)
