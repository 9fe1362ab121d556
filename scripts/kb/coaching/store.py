"""`results import`: attempt records (JSON Lines) read, validated, verified and added to the
results database (coaching/db.py).

Reading and checking are pure (text in, records and problems out); `verify` re-grades practice
records and checks certification signatures; `import_files` and `store_graded` are the two
writers, each one database transaction. The database lives in results/, outside content/ and
git-ignored, because records hold learners' names.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..problems import ContentError, Problem, path_text
from ..quiz.records import record_digest
from ..schema import describe, is_valid, validator
from ..boundedread import json_lines, loads, read_text
from ..i18n import N_, _

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
    object or a list of objects (a saved download) is accepted as well, and so is text pasted
    from WeChat that holds 成绩码 (quiz/resultcode.py): then only the codes are read."""
    from ..quiz.resultcode import decode, find_codes
    codes = find_codes(text)
    if codes:
        found, problems = [], []
        for number, code in codes:
            try:
                value = loads(decode(code))
            except ValueError:
                problems.append(Problem(file, number, 1, "", _("expected a complete result code (KB1.…), received one that is cut short or changed"),
                                        _("copy the whole result text again from the self-check page (its copy button)")))
                continue
            found.append((number, value, record_line(value) if isinstance(value, dict) else code))
        return found, problems
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
    errors = [] if is_valid("result", value) else \
        sorted(validator("result").iter_errors(value), key=lambda e: (len(e.absolute_path) > 0, [str(p) for p in e.absolute_path]))
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
    """The JSON Lines store of the format before the database (moved in by db.migrate_legacy_store),
    parsed strictly: a line that is not a JSON object stops everything rather than being dropped."""
    if not path.exists():
        return []
    entries, problems = [], []
    text, unreadable = read_text(path, shown, _("the store was edited by hand: restore it from a backup or remove the line; nothing was changed"))
    if unreadable:
        raise ContentError(unreadable)
    for number, line in enumerate(text.splitlines(), start=1):
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


# --- merging into the database -------------------------------------------------------------

@dataclass
class MergeReport:
    added: list[Entry] = field(default_factory=list)
    graded: list[Entry] = field(default_factory=list)     # a signed grade joined an ungraded attempt
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
    keep = ("attempt_id", "learner", "role", "quiz_id", "quiz_version", "seed")
    answers = lambda r: [(i["item_id"], i["response"]) for i in r["items"]]
    return all(one[k] == other[k] for k in keep) and answers(one) == answers(other)


def verify(entry: Entry, keys, secret: bytes, root: Path):
    """(grade to store or None, problem or None) for one schema-valid, digest-valid record:
    practice is re-graded from its answers; a certification score counts only when the
    trainer's `kb.py grade` signed it."""
    from ..quiz.grade import practice_problem
    from ..quiz.keys import signature_valid
    from .db import Grade
    record = entry.record
    if record["mode"] == "practice":
        key = keys.key(record)
        problem = practice_problem(record, key, entry.file, entry.line, root)
        return (None, problem) if problem else (Grade.of(record, "self"), None)
    claims = "score" in record or "passed" in record or "signature" in record or any("correct" in e for e in record["items"])
    if not claims:
        return None, None
    if "score" in record and signature_valid(record, secret):
        return Grade.of(record, "trainer", signed=True), None
    return None, Problem(entry.file, entry.line, 1, "signature",
                         _("expected an ungraded certification attempt or one graded by kb.py grade on this machine, "
                           "received a score without the trainer's signature: it was not graded here"),
                         _("certification counts only after kb.py grade; import the learner's ungraded record and grade it"))


def merge_into(connection, incoming: list[tuple[Entry, object]], team: str | None, shown: str) -> MergeReport:
    """Add verified records in the current transaction: new attempts inserted, exact copies
    skipped with a warning, a signed grade joining the ungraded copy of its attempt, and a
    different record under a known attempt id rejected."""
    from .db import held, insert_attempt, insert_grade, same_answers
    report = MergeReport()
    existing = held(connection, [entry.attempt_id for entry, _ in incoming])
    placed: dict[str, Entry] = {}
    for entry, grade in incoming:
        record = entry.record
        before = placed.get(entry.attempt_id)
        old = existing.get(entry.attempt_id)
        twin = same_answers(connection, record) if old is None and before is None else None
        if twin is not None:          # the same certification attempt, handed in as another file
            if grade is not None and grade.grader == "trainer" and not twin.graded:
                insert_grade(connection, twin.row, grade)
                report.graded.append(entry)
            else:
                report.problems.append(Problem(entry.file, entry.line, 1, "attempt_id", _(
                    "expected a new attempt, received the same learner, quiz version and answers as attempt '{held}' in {where}; skipped the copy").format(
                    held=twin.record["attempt_id"], where=shown), _("nothing to do: a handed-in notebook and the record it saved are one attempt"), severity="warning"))
            continue
        if old is None and before is None:
            insert_attempt(connection, record if grade is None or grade.grader != "trainer" else _ungraded(record), team, grade)
            placed[entry.attempt_id] = entry
            report.added.append(entry)
            continue
        where = f"{before.file}:{before.line}" if before else shown
        same_digest = (before.record["digest"] if before else old.digest) == record["digest"]
        signed = grade is not None and grade.grader == "trainer" and _same_answers(before.record if before else old.record, record)
        if same_digest or (signed and (before is not None or old.graded)):
            report.problems.append(Problem(entry.file, entry.line, 1, "attempt_id", _("expected a new attempt, received attempt '{attempt_id}' which is already in {where}; skipped the copy").format(
                attempt_id=entry.attempt_id, where=where), _("nothing to do: each attempt is kept once"), severity="warning"))
        elif signed:
            insert_grade(connection, old.row, grade)
            report.graded.append(entry)
        else:
            report.problems.append(Problem(entry.file, entry.line, 1, "attempt_id", _("expected a new attempt id, received '{attempt_id}' which {where} already holds with different content").format(
                attempt_id=entry.attempt_id, where=where), _("two different records claim one attempt: import only the one you trust")))
    return report


def _ungraded(record: dict) -> dict:
    from .db import ungraded
    return ungraded(record)


# --- the writers ---------------------------------------------------------------------------

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


def import_files(root: Path, files: list[Path], stdin_text: str | None = None, team: str | None = None, stdin=None) -> MergeReport:
    """`kb.py results import`: check every record (schema, digest, practice re-graded, certification
    signature), then add the good ones to the database in one transaction; raise RecordsRejected
    (after committing the good ones) when some records were bad."""
    from ..quiz.grade import KeyRing
    from ..quiz.keys import grading_secret
    from .db import DATABASE, connect, count_attempts, save_questions, transaction
    connection = connect(root)
    keys = KeyRing(root)
    secret = grading_secret(root)
    incoming, problems = [], []
    for file in files:
        shown = "<stdin>" if str(file) == "-" else _shown(file, root)
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
        problems += found
        for entry in entries:
            grade, problem = verify(entry, keys, secret, root)
            if problem:
                problems.append(problem)
            else:
                incoming.append((entry, grade))
    try:
        with transaction(connection):
            report = merge_into(connection, incoming, team, str(DATABASE))
            for key in keys.cache.values():
                if key:
                    save_questions(connection, key)
            report.total = count_attempts(connection)
    finally:
        connection.close()
    report.problems = problems + report.problems
    if report.errors:
        raise RecordsRejected(report.problems, report.summary(str(DATABASE)))
    return report


def store_graded(root: Path, graded: list[dict], keys: list[dict]) -> int:
    """`kb.py grade`: the signed results of one run in one transaction; an attempt not imported
    yet comes in with its grade; one graded already keeps its first grade. Returns new grades."""
    from .db import Grade, connect, held, insert_attempt, insert_grade, same_answers, save_questions, transaction, ungraded
    connection = connect(root)
    fresh = 0
    try:
        with transaction(connection):
            existing = held(connection, [record["attempt_id"] for record in graded])
            for record in graded:
                grade = Grade.of(record, "trainer", signed=True)
                old = existing.get(record["attempt_id"]) or same_answers(connection, record)
                if old is None:
                    insert_attempt(connection, ungraded(record), None, grade)
                    fresh += 1
                elif not old.graded and old.mode == "certify":
                    insert_grade(connection, old.row, grade)
                    fresh += 1
            for key in keys:
                save_questions(connection, key)
    finally:
        connection.close()
    return fresh
