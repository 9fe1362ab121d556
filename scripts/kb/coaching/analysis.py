"""The coaching report's content as plain data, computed from a results table (pure).

Which attempts feed which statistic, and why:
- per role: every graded attempt (activity and trend over time);
- per topic and per learner: each learner's latest attempt at each quiz (where they stand now);
- per item and reliability: each learner's first attempt at each quiz (retakes after reading
  the explanations would make items look easier than they are).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..pages import TOPIC_NAMES
from . import stats
from .stats import Stat, stat
from .table import TOPICS, Table

WEAK_TOPIC = 0.6          # a learner's topic share below this is a weak topic
WEAKEST_SHOWN = 3         # weakest team topics listed with their pages
PAGES_PER_TOPIC = 5
MAX_LEARNERS = 1000       # learner rows in the report, those needing help most first


@dataclass(frozen=True)
class PageRef:
    content_id: str
    title: str
    url: str | None        # None: the content item no longer exists
    kind: str = ""


@dataclass
class WeekRow:
    week: str              # Monday of the week, YYYY-MM-DD
    median: Stat
    pass_rate: Stat


@dataclass
class RoleRow:
    role: str
    name: str
    attempts: int
    pending: int           # certification attempts not graded yet
    learners: int
    ready: int             # learners whose latest attempt passed
    pass_rate: Stat
    median: Stat
    weeks: list[WeekRow]


@dataclass
class WeakTopic:
    topic: str
    name: str
    facility: Stat
    pages: list[tuple[PageRef, Stat]]


@dataclass
class ItemRow:
    quiz: str
    item_id: str
    text: str              # the question as learners read it ('' when unknown, e.g. demo data)
    topic: str
    page: PageRef
    facility: Stat
    discrimination: Stat
    wrong_response: str | None
    wrong_count: int
    wrong_total: int
    flags: list[str]


@dataclass
class Reliability:
    quiz: str
    version: str
    items: int
    kr20: Stat


@dataclass
class LearnerRow:
    name: str
    role: str
    quiz: str
    attempts: int
    first: float
    latest: float
    best: float
    passed: bool
    improvement: float | None                        # percentage points, from exact fractions right/asked
    weak_topics: list[tuple[str, int, int]]         # (topic name, right, asked)
    reading: list[tuple[PageRef, int]]               # (page, questions missed)


@dataclass
class Analysis:
    demo: bool
    public: bool
    records: int
    graded: int
    pending: int
    learners: int
    first_day: str
    last_day: str
    roles: list[RoleRow]
    heat_roles: list[str]
    heat_topics: list[str]
    heat: list[list[Stat]]                           # roles × topics facility, n = learners
    topics: list[tuple[str, Stat]]                   # team facility per topic, weakest first
    weakest: list[WeakTopic]
    items: list[ItemRow]
    reliability: list[Reliability]
    learner_rows: list[LearnerRow] = field(default_factory=list)
    learners_ranked: int = 0                         # learner × quiz pairs with a graded attempt

    @property
    def flagged(self) -> list[ItemRow]:
        return [row for row in self.items if row.flags]

    @property
    def weeks(self) -> list[str]:
        return sorted({week.week for row in self.roles for week in row.weeks})


def page_index(content, base: str) -> dict[str, PageRef]:
    """content id -> its page on the site, as `base` + docname + .html#kb-<id>."""
    from ..model import KIND_BY_NAME, STAGES
    from ..pages import anchor, page_of
    pages = {}
    for item in content.items.values():
        kind = KIND_BY_NAME[item.kind].label + (" · " + STAGES[item.data["stage"]] if item.kind == "script" else "")
        pages[item.id] = PageRef(item.id, item.title, f"{base}{page_of(item, content)}.html#{anchor(item.id)}", kind)
    return pages


def _page(pages: dict[str, PageRef], content_id: str) -> PageRef:
    return pages.get(content_id) or PageRef(content_id, content_id, None, "")


def _monday(times: np.ndarray) -> np.ndarray:
    days = times.astype("datetime64[D]").astype(np.int64)
    return (days - (days + 3) % 7).astype("datetime64[D]")   # 1970-01-01 was a Thursday


def _graded_answers(table: Table, attempts: np.ndarray) -> np.ndarray:
    """Answer rows of the chosen attempts that carry a grade."""
    return attempts[table.r_attempt] & ~np.isnan(table.r_correct)


def _role_rows(table: Table, role_names: dict[str, str], latest: np.ndarray) -> list[RoleRow]:
    graded = table.graded
    n_roles = len(table.roles)
    role, score, passed = table.a_role[graded], table.a_score[graded], table.a_passed[graded]
    medians, counts = stats.group_median(role, score, n_roles)
    pass_rates, _ = stats.group_mean(role, passed, n_roles)
    pending = np.bincount(table.a_role[~graded], minlength=n_roles)
    ready = np.bincount(table.a_role[latest], weights=table.a_passed[latest], minlength=n_roles)
    learners = np.bincount(table.a_role[latest], minlength=n_roles)
    weeks = _monday(table.a_time[graded])
    week_list = np.unique(weeks)
    week_of = np.searchsorted(week_list, weeks)
    cell = role * len(week_list) + week_of
    week_median, week_n = stats.group_median(cell, score, n_roles * len(week_list))
    week_pass, _ = stats.group_mean(cell, passed, n_roles * len(week_list))
    rows = []
    for code, role_id in enumerate(table.roles):
        week_rows = [WeekRow(str(week), stat(week_median[c], week_n[c]), stat(week_pass[c], week_n[c]))
                     for w, week in enumerate(week_list) if week_n[c := code * len(week_list) + w]]
        rows.append(RoleRow(role_id, role_names.get(role_id, role_id), int(counts[code]), int(pending[code]), int(learners[code]),
                            int(ready[code]), stat(pass_rates[code], counts[code]), stat(medians[code], counts[code]), week_rows))
    return sorted(rows, key=lambda r: (-r.attempts - r.pending, r.role))


def _facility_by(group: np.ndarray, attempt: np.ndarray, correct: np.ndarray, n_groups: int) -> list[Stat]:
    """Facility per group with n = the number of attempts (learners) behind it."""
    values, _ = stats.group_mean(group, correct, n_groups)
    width = int(attempt.max(initial=0)) + 1
    if n_groups * width <= 20_000_000:       # a presence grid is far cheaper than np.unique on pairs
        learners = (np.bincount(group * width + attempt, minlength=n_groups * width).reshape(n_groups, width) > 0).sum(axis=1)
    else:
        learners = np.bincount(np.unique(group.astype(np.int64) * width + attempt) // width, minlength=n_groups)
    return [stat(values[g], learners[g]) for g in range(n_groups)]


def _topics(table: Table, role_rows: list[RoleRow], latest: np.ndarray, pages: dict[str, PageRef]):
    rows = _graded_answers(table, latest)
    attempt, item, correct = table.r_attempt[rows], table.r_item[rows], table.r_correct[rows]
    topic = table.item_topic[item]
    role = table.a_role[attempt]
    role_order = [table.roles.index(r.role) for r in role_rows]
    present = [t for t in range(len(TOPICS)) if (topic == t).any()]
    cells = _facility_by(role * len(TOPICS) + topic, attempt, correct, len(table.roles) * len(TOPICS))
    heat = [[cells[r * len(TOPICS) + t] for t in present] for r in role_order]
    overall = _facility_by(topic, attempt, correct, len(TOPICS))
    team = sorted(((TOPICS[t], overall[t]) for t in present), key=lambda pair: (not pair[1].enough, pair[1].value or 0))
    # the pages behind the weakest topics: content ids answered worst, per topic
    content_codes = {cid: c for c, cid in enumerate(dict.fromkeys(table.item_content))}
    content_of_item = np.array([content_codes[cid] for cid in table.item_content], np.int64)
    by_content = _facility_by(content_of_item[item], attempt, correct, len(content_codes))
    weakest = []
    for name, facility_value in [pair for pair in team if pair[1].enough][:WEAKEST_SHOWN]:
        t = TOPICS.index(name)
        ids = list(dict.fromkeys(table.item_content[i] for i in range(len(table.items))
                                 if table.item_topic[i] == t and by_content[content_of_item[i]].n))
        ranked = sorted(ids, key=lambda cid: (not by_content[content_codes[cid]].enough, by_content[content_codes[cid]].value or 0))
        weakest.append(WeakTopic(name, TOPIC_NAMES[name], facility_value,
                                 [(_page(pages, cid), by_content[content_codes[cid]]) for cid in ranked[:PAGES_PER_TOPIC]]))
    return ([row.name for row in role_rows], [TOPIC_NAMES[TOPICS[t]] for t in present], heat,
            [(TOPIC_NAMES[name], value) for name, value in team], weakest)


def _items(table: Table, first: np.ndarray, pages: dict[str, PageRef], texts: dict) -> tuple[list[ItemRow], list[Reliability]]:
    rows = _graded_answers(table, first)
    attempt, item, correct, response = table.r_attempt[rows], table.r_item[rows], table.r_correct[rows], table.r_response[rows]
    n_items = len(table.items)
    facility_values, n = stats.facility(item, correct, n_items)
    discrimination_values, n_disc = stats.discrimination(attempt, item, correct, table.n_attempts, n_items)
    wrong_code, wrong_count, wrong_total = stats.most_chosen_wrong(item, response, correct, table.blank, n_items)
    item_rows = []
    for code, (quiz, item_id) in enumerate(table.items):
        if not n[code]:
            continue
        facility_value, discrimination_value = stat(facility_values[code], n[code]), stat(discrimination_values[code], n_disc[code])
        item_rows.append(ItemRow(quiz, item_id, texts.get((quiz, item_id), ""), TOPIC_NAMES[TOPICS[table.item_topic[code]]], _page(pages, table.item_content[code]),
                                 facility_value, discrimination_value,
                                 table.responses[wrong_code[code]] if wrong_code[code] >= 0 else None,
                                 int(wrong_count[code]), int(wrong_total[code]), stats.item_flags(facility_value, discrimination_value)))
    reliability = []
    form = table.a_form[attempt]
    order = np.argsort(form, kind="stable")
    bounds = np.flatnonzero(np.r_[True, form[order][1:] != form[order][:-1], True]) if len(form) else np.zeros(1, int)
    for start, end in zip(bounds[:-1], bounds[1:]):
        chosen = order[start:end]
        quiz, version = table.forms[form[chosen[0]]]
        matrix = stats.complete_matrix(attempt[chosen], item[chosen], correct[chosen])
        if matrix is None:
            continue      # attempts of one version differ in their items: no fixed form to rate
        reliability.append(Reliability(quiz, version, matrix.shape[1], stat(stats.kr20(matrix), matrix.shape[0])))
    item_rows.sort(key=lambda row: not row.flags)      # stable: flagged items first, then quiz order
    return item_rows, sorted(reliability, key=lambda r: (r.quiz, -r.kr20.n, r.version))


def right_and_asked(table: Table) -> tuple[np.ndarray, np.ndarray]:
    """Right answers and graded questions per attempt (integers: scores compared exactly)."""
    graded = ~np.isnan(table.r_correct)
    right = np.bincount(table.r_attempt[graded], weights=table.r_correct[graded], minlength=table.n_attempts)
    asked = np.bincount(table.r_attempt[graded], minlength=table.n_attempts)
    return np.rint(right).astype(np.int64), asked


def exact_change(right: np.ndarray, asked: np.ndarray, before: int, after: int) -> float | None:
    if before < 0 or not asked[before] or not asked[after]:
        return None
    return stats.fraction_change(int(right[before]), int(asked[before]), int(right[after]), int(asked[after]))


def _learners(table: Table, groups: np.ndarray, first: np.ndarray, latest: np.ndarray,
              role_names: dict[str, str], pages: dict[str, PageRef]) -> list[LearnerRow]:
    """Rows for the learners who need help most (not passed, lowest score first), at most
    MAX_LEARNERS; everything before the rows is vectorised, so 100,000 learners cost little."""
    graded = table.graded
    n_groups = int(groups.max(initial=-1)) + 1
    best = np.full(n_groups, -np.inf)
    np.maximum.at(best, groups[graded], table.a_score[graded])
    attempts = np.bincount(groups[graded], minlength=n_groups)
    first_score = np.full(n_groups, np.nan)
    first_score[groups[first]] = table.a_score[first]
    right_of, asked_of = right_and_asked(table)
    first_attempt = np.full(n_groups, -1)
    first_attempt[groups[first]] = np.flatnonzero(first)
    role_label = [role_names.get(role, role) for role in table.roles]
    role_rank = np.argsort(np.argsort(np.array(role_label, dtype=object), kind="stable"), kind="stable")
    latest_rows = np.flatnonzero(latest)
    order = np.lexsort((table.a_learner[latest_rows], table.a_score[latest_rows],      # ties: first seen first
                        role_rank[table.a_role[latest_rows]], table.a_passed[latest_rows]))
    shown = latest_rows[order[:MAX_LEARNERS]]
    chosen = np.zeros(table.n_attempts, bool)
    chosen[shown] = True
    rows = _graded_answers(table, chosen)
    attempt, item, correct = table.r_attempt[rows], table.r_item[rows], table.r_correct[rows]
    slot = np.full(table.n_attempts, -1)
    slot[shown] = np.arange(len(shown))
    width = len(TOPICS)
    cell = slot[attempt] * width + table.item_topic[item]
    asked = np.bincount(cell, minlength=len(shown) * width).reshape(len(shown), width)
    right = np.bincount(cell, weights=correct, minlength=len(shown) * width).reshape(len(shown), width)
    missed = np.flatnonzero(correct == 0)
    missed_by_slot: list[list[str]] = [[] for _ in shown]
    for row in missed:                       # quiz order within each attempt is kept
        missed_by_slot[slot[attempt[row]]].append(table.item_content[item[row]])
    learner_rows = []
    for index, a in enumerate(shown):
        group = groups[a]
        weak = [(TOPIC_NAMES[TOPICS[t]], int(right[index, t]), int(asked[index, t])) for t in range(width)
                if asked[index, t] and right[index, t] / asked[index, t] < WEAK_TOPIC]
        counts: dict[str, int] = {}
        for cid in missed_by_slot[index]:
            counts[cid] = counts.get(cid, 0) + 1
        reading = sorted(((_page(pages, cid), count) for cid, count in counts.items()), key=lambda pair: -pair[1])
        latest_score = float(table.a_score[a])
        learner_rows.append(LearnerRow(
            table.learners[table.a_learner[a]], role_label[table.a_role[a]], table.quizzes[table.a_quiz[a]],
            int(attempts[group]), float(first_score[group]), latest_score, float(best[group]), bool(table.a_passed[a]),
            exact_change(right_of, asked_of, first_attempt[group], a) if attempts[group] > 1 else None, weak, reading))
    return learner_rows


def analyse(table: Table, pages: dict[str, PageRef], role_names: dict[str, str], *, demo: bool = False, public: bool = False,
            texts: dict | None = None) -> Analysis:
    """`texts`: (quiz id, item id) -> question text, shown instead of item ids."""
    graded = table.graded
    groups = table.a_learner * max(len(table.quizzes), 1) + table.a_quiz      # one learner at one quiz
    keyed = np.where(graded, groups, -1 - np.arange(table.n_attempts))         # ungraded attempts: groups of their own
    first, latest = stats.first_and_last(keyed, table.a_time)
    first &= graded
    latest &= graded
    role_rows = _role_rows(table, role_names, latest)
    heat_roles, heat_topics, heat, topics, weakest = _topics(table, role_rows, latest, pages)
    items, reliability = _items(table, first, pages, texts or {})
    days = table.a_time.astype("datetime64[D]")
    return Analysis(
        demo=demo, public=public, records=table.n_attempts, graded=int(graded.sum()), pending=int((~graded).sum()),
        learners=len(table.learners), first_day=str(days.min()) if len(days) else "", last_day=str(days.max()) if len(days) else "",
        roles=role_rows, heat_roles=heat_roles, heat_topics=heat_topics, heat=heat, topics=topics, weakest=weakest,
        items=items, reliability=reliability,
        learner_rows=[] if public else _learners(table, groups, first, latest, role_names, pages),
        learners_ranked=int(latest.sum()))
