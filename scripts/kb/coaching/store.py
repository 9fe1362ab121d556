"""The results store: quiz attempt records (JSON Lines) validated, de-duplicated and merged.

Reading and checking are pure (text in, records and problems out); `import_files` is the one
function that writes, through writers.atomic_write. The store lives in results/, outside
content/ and git-ignored, because records hold learners' names.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..problems import ContentError, Problem, path_text
from ..quiz.records import record_digest
from ..boundedread import json_lines, loads, read_text
from ..schema import describe, is_valid, validator
from ..i18n import N_, _

STORE = Path("results") / "store.jsonl"
DEMO_STORE = Path("results") / "demo" / "store.jsonl"
RESEND_HINT = N_("ask the learner to export the record again from the quiz notebook or the self-check page; do not edit records by hand")


@dataclass(frozen=True)
class Entry:
    """One record as found in a file: where it came from, and the exact line to keep."""
    record: dict
    file: str
    line: int
    text: str

    @property
    def attempt_id(self) -> str:
        return self.record["attempt_id"]

    @property
    def graded(self) -> bool:
        return "score" in self.record


# --- reading -------------------------------------------------------------------------------

def split_records(text: str, file: str) -> tuple[list[tuple[int, object, str]], list[Problem]]:
    """(line, parsed value, line text) for each non-blank line; a file holding one pretty-printed
    object or a list of objects (a saved download) is accepted as well."""
    stripped = text.lstrip("\ufeff").strip()
    if stripped.startswith(("[", "{")) and "\n" in stripped:
        try:
            whole = loads(stripped)
        except ValueError:
            whole = None
        if isinstance(whole, dict):
            return [(1, whole, record_line(whole))], []
        if isinstance(whole, list):
            return [(1, value, record_line(value)) for value in whole], []
    return json_lines(text.lstrip("\ufeff"), file, _(RESEND_HINT))


def record_line(record) -> str:
    """A record as one line of the store (canonical JSON, readable Chinese)."""
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))



def record_problem(value, file: str, line: int) -> Problem | None:
    """The first reason a parsed value is not a trustworthy record, or None (one message per record)."""
    if not isinstance(value, dict):
        return Problem(file, line, 1, "", _("expected a JSON object (one attempt record), received {value}").format(value=describe(value)), _(RESEND_HINT))
    errors = [] if is_valid("result", value) else sorted(validator("result").iter_errors(value), key=lambda e: (len(e.absolute_path) > 0, [str(p) for p in e.absolute_path]))
    if errors:
        return _schema_problem(errors[0], file, line, more=len(errors) - 1)
    try:
        datetime.fromisoformat(value["submitted_at"])
    except ValueError:
        return Problem(file, line, 1, "submitted_at", _("expected an ISO 8601 time such as 2026-09-08T20:15:00+08:00, received {value}").format(value=describe(value['submitted_at'])), _(RESEND_HINT))
    if record_digest(value) != value["digest"]:
        return Problem(file, line, 1, "digest", _("expected the digest of the record's content, received one that does not match: the record was changed after it was submitted"),
                       _("import the learner's original file; an edited record cannot be trusted"))
    return None


def _schema_problem(error, file: str, line: int, more: int) -> Problem:
    from ..schema import _message
    path = list(error.absolute_path)
    if error.validator == "pattern" and path and path[-1] in ("attempt_id", "digest"):
        what = _("a hexadecimal digest of 64 characters") if path[-1] == "digest" else _("an attempt id (a UUID)")
        found = [(path, _("expected {expected}, received {received}").format(expected=what, received=describe(error.instance)), _(RESEND_HINT))]
    else:
        result = _message(error)
        found = result if isinstance(result, list) else [result]
    where, message, hint = found[0]
    if more:
        message += _(" (and {more} more problem(s) in this record)").format(more=more)
    return Problem(file, line, 1, path_text(where), message, hint or _(RESEND_HINT))


def read_entries(text: str, file: str) -> tuple[list[Entry], list[Problem]]:
    """Valid records of one file and one problem for each bad one."""
    found, problems = split_records(text, file)
    entries = []
    for line, value, line_text in found:
        problem = record_problem(value, file, line)
        if problem:
            problems.append(problem)
        else:
            entries.append(Entry(value, file, line, record_line(value) if "\n" in line_text else line_text))
    if not found and not problems:
        problems.append(Problem(file, 0, 0, "", _("expected at least one record, received an empty file"),
                                _("check that you chose the file the quiz wrote (a .jsonl file)"), severity="warning"))
    return entries, problems


def read_store(path: Path, shown: str) -> list[Entry]:
    """The store's records, trusted (they were checked on import) but parsed strictly: a line
    that is not a JSON object stops everything rather than being dropped."""
    if not path.exists():
        return []
    entries, problems = [], []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            value, detail = None, _("text that is not JSON ({msg}: column {colno})").format(msg=error.msg, colno=error.colno)
        else:
            detail = describe(value)
        if not isinstance(value, dict) or not isinstance(value.get("attempt_id"), str):
            problems.append(Problem(shown, number, 1, "", _("expected an attempt record on this line, received {detail}").format(detail=detail),
                                    _("the store was edited by hand: restore it from a backup or remove the line; nothing was changed")))
            continue
        entries.append(Entry(value, shown, number, line))
    if problems:
        raise ContentError(problems)
    return entries


def read_records(path: Path, shown: str) -> list[dict]:
    """The store's records for the report: the fast path (one json.loads per line, the GC
    paused while a million small objects are made); any bad line falls back to read_store's message."""
    from .table import paused_gc
    if not path.exists():
        return []
    with paused_gc():
        try:
            records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        except json.JSONDecodeError:
            records = None
        if records is None or not all(isinstance(r, dict) and isinstance(r.get("attempt_id"), str) for r in records):
            return [entry.record for entry in read_store(path, shown)]
    return records


def count_records(path: Path) -> int:
    """Number of non-blank lines, without parsing them (the report's early check)."""
    if not path.exists():
        return 0
    with path.open("rb") as handle:
        return sum(1 for line in handle if line.strip())


# --- merging -------------------------------------------------------------------------------

@dataclass
class MergeReport:
    added: list[Entry] = field(default_factory=list)
    graded: list[Entry] = field(default_factory=list)     # a graded copy replaced an ungraded one
    problems: list[Problem] = field(default_factory=list)
    total: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def summary(self, store: str) -> str:
        rejected = len(self.errors)
        skipped = len(self.problems) - rejected
        return (_("imported {added} new record(s), {graded} graded, {skipped} duplicate(s) skipped, {rejected} rejected; {store} holds {total} record(s)").format(
            added=len(self.added), graded=len(self.graded), skipped=skipped, rejected=rejected, store=store, total=self.total))


def _same_answers(one: dict, other: dict) -> bool:
    keep = ("attempt_id", "learner", "role", "quiz_id", "quiz_version", "seed", "submitted_at")
    answers = lambda r: [(i["item_id"], i["response"]) for i in r["items"]]
    return all(one[k] == other[k] for k in keep) and answers(one) == answers(other)


def merge(existing: list[Entry], incoming: list[Entry]) -> tuple[list[Entry], MergeReport]:
    """The store after adding `incoming`: new attempts appended, exact copies skipped with a
    warning, a graded copy of an ungraded certification attempt replacing it, and a different
    record under a known attempt id rejected."""
    report = MergeReport()
    merged = list(existing)
    position = {entry.attempt_id: index for index, entry in enumerate(merged)}
    for entry in incoming:
        index = position.get(entry.attempt_id)
        if index is None:
            position[entry.attempt_id] = len(merged)
            merged.append(entry)
            report.added.append(entry)
            continue
        held = merged[index]
        where = f"{held.file}:{held.line}"
        if held.record["digest"] == entry.record["digest"]:
            report.problems.append(Problem(entry.file, entry.line, 1, "attempt_id", _("expected a new attempt, received attempt '{attempt_id}' which is already in {where}; skipped the copy").format(attempt_id=entry.attempt_id, where=where),
                                           _("nothing to do: each attempt is kept once"), severity="warning"))
        elif _same_answers(held.record, entry.record) and entry.graded and not held.graded:
            merged[index] = entry
            report.graded.append(entry)
        else:
            report.problems.append(Problem(entry.file, entry.line, 1, "attempt_id", _("expected a new attempt id, received '{attempt_id}' which {where} already holds with different content").format(attempt_id=entry.attempt_id, where=where),
                                           _("two different records claim one attempt: import only the one you trust")))
    report.total = len(merged)
    return merged, report


def store_text(entries: list[Entry]) -> str:
    return "".join(entry.text + "\n" for entry in entries)


# --- the one writer ------------------------------------------------------------------------

class RecordsRejected(ContentError):
    """Some records were bad; the good ones were imported all the same."""

    def __init__(self, problems: list[Problem], summary: str):
        super().__init__(problems)
        self.summary = summary

    def report(self) -> str:
        return "\n".join([p.format() for p in self.problems] + [self.summary])


def _shown(path: Path, root: Path) -> str:
    try:
        return os.path.relpath(path, root) if path.is_absolute() else str(path)
    except ValueError:
        return str(path)


def import_files(root: Path, files: list[Path], store: Path = STORE, stdin_text: str | None = None, stdin=None) -> MergeReport:
    """`kb.py results import`: merge the good records of `files` into the store and write it;
    raise RecordsRejected (after writing) when some records were bad."""
    from ..writers import atomic_write
    store_path = root / store
    existing = read_store(store_path, _shown(store_path, root))
    incoming, problems = [], []
    for file in files:
        shown = "<stdin>" if str(file) == "-" else _shown(file, root)
        if str(file) != "-" and (file if file.is_absolute() else root / file).resolve() == store_path.resolve():
            problems.append(Problem(shown, 0, 0, "", _("expected a file of new records, received the results store itself; skipped it"),
                                    _("leave results/store.jsonl out of the list (for example when using results/*.jsonl)"), severity="warning"))
            continue
        if str(file) == "-" and stdin_text is not None:
            text = stdin_text
        else:        # bounded: standard input or a file may be endless
            text, unreadable = read_text(None if str(file) == "-" else (file if file.is_absolute() else root / file), shown,
                                         _("check the path and that it is the .jsonl file the quiz wrote"),
                                         stream=stdin if str(file) == "-" else None)
            if unreadable:
                problems += unreadable
                continue
        entries, found = read_entries(text or "", shown)
        incoming += entries
        problems += found
    merged, report = merge(existing, incoming)
    report.problems = problems + report.problems
    if report.added or report.graded:
        atomic_write(store_path, store_text(merged).encode("utf-8"))
    if report.errors:
        raise RecordsRejected(report.problems, report.summary(_shown(store_path, root)))
    return report
