"""Review workflow: which items readers may see, and what waits for a trainer.

Only approved items whose review_by date has not passed are published. The filter runs once,
here, before rendering; references to hidden items are dropped from the published copy so no
page links to a page that is not built (jupyter-book -W would fail on a dangling link).
"""
from __future__ import annotations

import copy
import dataclasses
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from .model import REFERENCES, REVIEW_STATUS, Content, Item, walk_refs
from .problems import Problem
from .i18n import N_, _

EXPIRED = "expired"
STATE_LABELS = {**REVIEW_STATUS, EXPIRED: "已过期"}
EXPIRING_WITHIN_DAYS = 30


def today() -> date:
    """The date expiry is measured against; callers pass their own in tests."""
    return date.today()


def parse_day(text: str) -> date:
    return date.fromisoformat(text)


def _review(item: Item) -> dict:
    review = item.data.get("review")
    return review if isinstance(review, dict) else {}


def _day(value) -> date | None:
    try:
        return parse_day(value) if isinstance(value, str) else None
    except ValueError:
        return None   # the schema reports malformed dates


def review_by(item: Item) -> date | None:
    return _day(_review(item).get("review_by"))


def review_state(item: Item, on: date) -> str:
    """draft, in_review, approved, or expired (approved but past its review_by date)."""
    status = _review(item).get("status")
    if status not in REVIEW_STATUS:
        return "draft"    # no valid review metadata: never treat it as approved
    deadline = review_by(item)
    if status == "approved" and deadline is not None and deadline < on:
        return EXPIRED
    return status


def is_published(item: Item, on: date) -> bool:
    return review_state(item, on) == "approved"


def published(content: Content, on: date) -> Content:
    """The content readers get: approved, unexpired items, with links to hidden items removed."""
    return only(content, {item_id for item_id, item in content.items.items() if is_published(item, on)})


def only(content: Content, visible: set[str]) -> Content:
    """The content with only the `visible` items, and no reference to any other."""
    items = {item_id: _without_hidden_refs(item, visible) for item_id, item in content.items.items() if item_id in visible}
    return dataclasses.replace(content, items=items)


def _without_hidden_refs(item: Item, visible: set[str]) -> Item:
    hidden = any(isinstance(ref, str) and ref not in visible
                 for pattern in REFERENCES for _path, ref in walk_refs(item.data, pattern))
    if not hidden:
        return item       # nothing to drop: the item as read (a large set is mostly this)
    data = copy.deepcopy(item.data)
    for pattern in REFERENCES:
        _drop_refs(data, pattern, visible)
    return dataclasses.replace(item, data=data)


def _drop_refs(data, pattern: tuple, visible: set[str]) -> None:
    """Remove references at `pattern` that point to hidden items: list entries are left out,
    single-value fields (reports_to, owner_role, steps[].who) are removed."""
    head, rest = pattern[0], pattern[1:]
    if head == "*":
        if not isinstance(data, list):
            return
        if rest:
            for entry in data:
                _drop_refs(entry, rest, visible)
        else:
            data[:] = [ref for ref in data if not isinstance(ref, str) or ref in visible]
    elif isinstance(data, dict) and head in data:
        if rest:
            _drop_refs(data[head], rest, visible)
        elif isinstance(data[head], str) and data[head] not in visible:
            del data[head]


REQUIRED_HINTS = {
    "reviewer": N_("an approved item names who approved it and when; otherwise set status: in_review"),
    "reviewed_on": N_("an approved item names who approved it and when; otherwise set status: in_review"),
    "review_by": N_("an approved item is reviewed again by a set date, e.g. one year after reviewed_on; without it it would never expire"),
}


def check_review_fields(items: dict[str, Item]) -> list[Problem]:
    """Rules for review metadata the schema cannot express."""
    problems = []
    for item in items.values():
        review = _review(item)
        if review.get("status") == "approved":
            for name in ("reviewer", "reviewed_on", "review_by"):
                if name not in review:
                    problems.append(Problem(item.file, *item.position(("review",)), f"review.{name}",
                                            _("expected '{name}' for an approved item, received none").format(name=name),
                                            _(REQUIRED_HINTS[name])))
        approved_on, deadline = _day(review.get("reviewed_on")), review_by(item)
        if approved_on and deadline and deadline <= approved_on:
            problems.append(Problem(item.file, *item.position(("review", "review_by")), "review.review_by",
                                    _("expected a date after reviewed_on ({approved_on}), received {deadline}").format(approved_on=approved_on.isoformat(), deadline=deadline.isoformat()),
                                    _("review_by is the date by which the item must be reviewed again")))
    return problems


# --- the trainer's overview: `kb.py review` -------------------------------------------------

@dataclass(frozen=True)
class Entry:
    item: Item
    state: str
    owner: str
    deadline: date | None
    days_left: int | None


@dataclass
class ReviewReport:
    on: date
    within_days: int
    in_review: list[Entry]
    drafts: list[Entry]
    expired: list[Entry]
    expiring: list[Entry]
    published: int
    total: int


def review_report(content: Content, on: date, within_days: int = EXPIRING_WITHIN_DAYS) -> ReviewReport:
    groups: dict[str, list[Entry]] = defaultdict(list)
    for item in sorted(content.items.values(), key=lambda i: (i.kind, i.id)):
        deadline = review_by(item)
        entry = Entry(item, review_state(item, on), _review(item).get("owner") or _("(not filled in)"),
                      deadline, (deadline - on).days if deadline else None)
        groups[entry.state].append(entry)
        if entry.state == "approved" and deadline is not None and deadline <= on + timedelta(days=within_days):
            groups["expiring"].append(entry)
    by_deadline = sorted(groups["expiring"], key=lambda e: (e.deadline, e.item.id))
    return ReviewReport(on, within_days, groups["in_review"], groups["draft"], groups[EXPIRED], by_deadline,
                        len(groups["approved"]), len(content.items))


def format_review_report(report: ReviewReport) -> str:
    """The report as text for the terminal, in the trainer's language."""
    lines = [_("Content review overview (today {today}): {total} items, {published} published.").format(
        today=report.on.isoformat(), total=report.total, published=report.published), ""]
    expired = N_(", review by {date} ({days} days ago)")
    expiring = N_(", review by {date} ({days} days left)")
    sections = [
        (_("Waiting for review"), report.in_review, lambda e: ""),
        (_("Drafts"), report.drafts, lambda e: ""),
        (_("Expired, not published"), report.expired, lambda e: _(expired).format(date=e.deadline.isoformat(), days=-e.days_left)),
        (_("Expiring within {days} days").format(days=report.within_days), report.expiring,
         lambda e: _(expiring).format(date=e.deadline.isoformat(), days=e.days_left)),
    ]
    for title, entries, when in sections:
        lines.append(_("{title} ({count}):").format(title=title, count=len(entries)))
        lines += ["  - " + _("{file}  {title}, owner {owner}{when}").format(file=e.item.file, title=e.item.title, owner=e.owner, when=when(e))
                  for e in entries] or ["  " + _("none")]
        lines.append("")
    owners = _by_owner(report)
    lines.append(_("By owner:"))
    lines += ["  " + _("{owner}: {counts}").format(owner=owner, counts=_(", ").join(f"{_(title)} {count}" for title, count in counts.items() if count))
              for owner, counts in owners.items()] or ["  " + _("nothing needs attention.")]
    return "\n".join(lines)


OWNER_COLUMNS = (N_("waiting for review"), N_("drafts"), N_("expired"), N_("expiring soon"))


def _by_owner(report: ReviewReport) -> dict[str, dict[str, int]]:
    owners: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(OWNER_COLUMNS, 0))
    for title, entries in zip(OWNER_COLUMNS, (report.in_review, report.drafts, report.expired, report.expiring)):
        for entry in entries:
            owners[entry.owner][title] += 1
    return dict(sorted(owners.items()))
