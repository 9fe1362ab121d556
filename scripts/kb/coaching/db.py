"""The results database: one SQLite file, results/results.sqlite3 (standard library sqlite3).

Tables: attempts (one row per attempt, UNIQUE attempt_id, the record as received), answers
(one row per answer), results (the grade of an attempt: self-taken practice re-graded at import,
or certification graded and signed by the trainer), questions (question texts per quiz version).
WAL mode, so the report reads while an import writes; every import and every grade is one
`BEGIN IMMEDIATE` transaction, so concurrent runs queue for the write lock instead of losing or
doubling records. The schema carries a version, and MIGRATIONS bring any older file up to date;
an existing results/store.jsonl (the format before the database) is moved in on first use.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

DATABASE = Path("results") / "results.sqlite3"
LEGACY_STORE = Path("results") / "store.jsonl"
BUSY_SECONDS = 120          # a second import waits this long for the first one's transaction

MIGRATIONS: tuple[str, ...] = (
    # 1: the first schema
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE attempts (
        id INTEGER PRIMARY KEY,
        attempt_id TEXT NOT NULL UNIQUE,
        learner TEXT NOT NULL,
        role TEXT NOT NULL,
        team TEXT,
        quiz_id TEXT NOT NULL,
        quiz_version TEXT NOT NULL,
        seed INTEGER NOT NULL,
        mode TEXT NOT NULL CHECK (mode IN ('practice', 'certify')),
        source TEXT NOT NULL,
        submitted_at TEXT NOT NULL,
        digest TEXT NOT NULL,
        imported_at TEXT NOT NULL,
        record TEXT NOT NULL
    );
    CREATE INDEX attempts_by_learner ON attempts (learner, quiz_id);
    CREATE INDEX attempts_by_role ON attempts (role, mode);
    CREATE TABLE answers (
        attempt INTEGER NOT NULL REFERENCES attempts (id),
        position INTEGER NOT NULL,
        item_id TEXT NOT NULL,
        topic TEXT NOT NULL,
        content_id TEXT NOT NULL,
        response TEXT NOT NULL,
        PRIMARY KEY (attempt, position)
    ) WITHOUT ROWID;
    CREATE TABLE results (
        attempt INTEGER PRIMARY KEY REFERENCES attempts (id),
        grader TEXT NOT NULL CHECK (grader IN ('self', 'trainer', 'legacy')),
        right_answers INTEGER NOT NULL,
        questions INTEGER NOT NULL,
        score REAL NOT NULL,
        passed INTEGER NOT NULL,
        pass_mark REAL NOT NULL,
        marks TEXT NOT NULL,
        graded_at TEXT NOT NULL,
        signature TEXT,
        record TEXT
    );
    CREATE TABLE questions (
        quiz_id TEXT NOT NULL,
        quiz_version TEXT NOT NULL,
        item_id TEXT NOT NULL,
        type TEXT NOT NULL,
        stem TEXT NOT NULL,
        PRIMARY KEY (quiz_id, quiz_version, item_id)
    ) WITHOUT ROWID;
    """,
    # 2: the answers' identity of certification attempts (a handed-in .ipynb and its .jsonl are one attempt)
    "migrate_answers_key",
)
SCHEMA_VERSION = len(MIGRATIONS)


def answers_key(record: dict) -> str:
    """What identifies one certification attempt whatever file it came in: the learner, the quiz
    version and the answers (the .ipynb a learner hands in and the .jsonl it saved agree on them)."""
    text = "|".join([record["quiz_id"], record["quiz_version"], " ".join(record["learner"].split())]
                    + [entry["response"] for entry in record["items"]])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def migrate_answers_key(connection: sqlite3.Connection) -> None:
    connection.execute("ALTER TABLE attempts ADD COLUMN answers_key TEXT")
    rows = connection.execute("SELECT id, record FROM attempts WHERE mode = 'certify'").fetchall()
    connection.executemany("UPDATE attempts SET answers_key = ? WHERE id = ?", [(answers_key(json.loads(text)), row) for row, text in rows])
    connection.execute("CREATE INDEX attempts_by_answers ON attempts (answers_key)")


def now() -> str:
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")


@contextmanager
def transaction(connection: sqlite3.Connection):
    """One write transaction that holds the database's write lock from its first statement;
    a write SQLite refuses (disk full, read-only file) rolls back and becomes one message."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield connection
        connection.execute("COMMIT")
    except sqlite3.OperationalError as error:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        from ..i18n import _
        from ..problems import ContentError, Problem
        raise ContentError([Problem(str(DATABASE), 0, 0, "", _("the results database cannot be written: {reason}").format(reason=error),
                                    _("check the free disk space and that the file can be written; nothing of this run was stored"))]) from None
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise


def _prepare(connection: sqlite3.Connection) -> None:
    """Settings and schema. Two runs that open a new database at once can meet here, and SQLite
    may answer "database is locked" at once, without waiting for the busy timeout (switching to
    WAL needs the file to itself): wait and try again, as long as a busy write would wait."""
    import time
    deadline = time.monotonic() + BUSY_SECONDS
    while True:
        try:
            connection.execute(f"PRAGMA busy_timeout = {BUSY_SECONDS * 1000}")
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")
            connection.execute("PRAGMA foreign_keys = ON")
            migrate(connection)
            return
        except sqlite3.OperationalError as error:
            busy = "locked" in str(error) or "busy" in str(error)
            if not busy or time.monotonic() > deadline:
                raise
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            time.sleep(0.05)


def connect(root: Path, path: Path | None = None, migrate_legacy: bool = True) -> sqlite3.Connection:
    """The database, created or migrated to the current schema (and the old JSON Lines store
    moved in) as needed."""
    target = path or root / DATABASE
    target.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(target, timeout=BUSY_SECONDS, isolation_level=None)
    try:
        _prepare(connection)
    except sqlite3.DatabaseError as error:
        connection.close()
        from ..i18n import _
        from ..problems import ContentError, Problem
        raise ContentError([Problem(str(DATABASE if path is None else path), 0, 0, "", _("expected a results database, received a file SQLite cannot use: {error}").format(error=error),
                                    _("restore results/results.sqlite3 from your backup, or move it away and import the learners' files again"))]) from None
    if migrate_legacy and path is None:
        migrate_legacy_store(root, connection)
    return connection


def schema_version(connection: sqlite3.Connection) -> int:
    connection.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    row = connection.execute("SELECT MAX(version) FROM schema_version").fetchone()
    return row[0] or 0


def migrate(connection: sqlite3.Connection) -> int:
    """Apply the migrations the file has not had yet, each in the same transaction as the
    version it records; returns the version reached."""
    if schema_version(connection) == SCHEMA_VERSION:
        return SCHEMA_VERSION
    with transaction(connection):
        version = schema_version(connection)       # another process may have migrated meanwhile
        if version > SCHEMA_VERSION:
            from ..i18n import _
            from ..problems import ContentError, Problem
            raise ContentError([Problem(str(DATABASE), 0, 0, "", _("expected a results database of schema version {ours} or older, received version {theirs}").format(
                ours=SCHEMA_VERSION, theirs=version), _("update this program (git pull) before using this database"))])
        for number in range(version, SCHEMA_VERSION):
            step = MIGRATIONS[number]
            if step.startswith("migrate_"):          # a migration written in Python (it needs more than SQL)
                globals()[step](connection)
                step = ""
            for statement in step.split(";"):
                if statement.strip():
                    connection.execute(statement)
            connection.execute("INSERT INTO schema_version (version) VALUES (?)", (number + 1,))
    return SCHEMA_VERSION


def migrate_legacy_store(root: Path, connection: sqlite3.Connection) -> int:
    """Move results/store.jsonl into the database once (then rename it *.migrated). Practice
    records keep their self-computed score marked 'legacy'; certification scores from that
    file could have been forged, so those attempts come in ungraded, to be graded again."""
    store = root / LEGACY_STORE
    if not store.exists():
        return 0
    from .store import read_store
    entries = read_store(store, str(LEGACY_STORE))
    moved = 0
    with transaction(connection):
        if connection.execute("SELECT 1 FROM meta WHERE key = 'legacy_store'").fetchone():
            return 0
        for entry in entries:
            record = entry.record
            result = None
            if record["mode"] == "practice" and "score" in record:
                result = Grade.of(record, "legacy")
            elif record["mode"] == "certify":
                record = ungraded(record)
            if insert_attempt(connection, record, None, result) is not None:
                moved += 1
        connection.execute("INSERT INTO meta (key, value) VALUES ('legacy_store', ?)", (f"{moved} records moved {now()}",))
    store.rename(store.with_name(store.name + ".migrated"))
    return moved


def ungraded(record: dict) -> dict:
    from ..quiz.records import seal_record
    body = {k: v for k, v in record.items() if k not in ("score", "passed", "signature")}
    body["items"] = [{k: v for k, v in entry.items() if k != "correct"} for entry in record["items"]]
    return seal_record(body)


def record_text(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class Grade:
    """What the results table holds for one attempt."""
    grader: str                    # self (practice, re-graded at import), trainer (signed), legacy
    right: int
    questions: int
    score: float
    passed: bool
    pass_mark: float
    marks: str                     # "1"/"0" per answer, in quiz order
    signature: str | None = None
    record: str | None = None      # the signed graded record (certification)

    @classmethod
    def of(cls, record: dict, grader: str, signed: bool = False) -> "Grade":
        marks = "".join("1" if entry.get("correct") else "0" for entry in record["items"])
        return cls(grader, marks.count("1"), len(marks), float(record["score"]), bool(record["passed"]),
                   float(record.get("pass_mark", 0)), marks, record.get("signature") if signed else None,
                   record_text(record) if signed else None)


def insert_attempt(connection: sqlite3.Connection, record: dict, team: str | None, grade: Grade | None) -> int | None:
    """Insert one attempt with its answers (and grade); None when its attempt id is taken."""
    cursor = connection.execute(
        "INSERT INTO attempts (attempt_id, learner, role, team, quiz_id, quiz_version, seed, mode, source, submitted_at, digest, imported_at, record, answers_key)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (attempt_id) DO NOTHING",
        (record["attempt_id"], record["learner"], record["role"], team, record["quiz_id"], record["quiz_version"], record["seed"],
         record["mode"], record["source"], record["submitted_at"], record["digest"], now(), record_text(record),
         answers_key(record) if record["mode"] == "certify" else None))
    if not cursor.rowcount:
        return None
    row = cursor.lastrowid
    connection.executemany("INSERT INTO answers (attempt, position, item_id, topic, content_id, response) VALUES (?, ?, ?, ?, ?, ?)",
                           [(row, position, e["item_id"], e["topic"], e["content_id"], e["response"]) for position, e in enumerate(record["items"])])
    if grade is not None:
        insert_grade(connection, row, grade)
    return row


def insert_grade(connection: sqlite3.Connection, attempt: int, grade: Grade) -> None:
    connection.execute(
        "INSERT INTO results (attempt, grader, right_answers, questions, score, passed, pass_mark, marks, graded_at, signature, record)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (attempt, grade.grader, grade.right, grade.questions, grade.score, int(grade.passed), grade.pass_mark, grade.marks, now(),
         grade.signature, grade.record))


def save_questions(connection: sqlite3.Connection, key: dict) -> None:
    """Question texts of a quiz version, from its key (the report shows them instead of ids)."""
    connection.executemany("INSERT OR IGNORE INTO questions (quiz_id, quiz_version, item_id, type, stem) VALUES (?, ?, ?, ?, ?)",
                           [(key["quiz_id"], key["quiz_version"], item["id"], item["type"], item.get("stem") or "") for item in key["items"]])


@dataclass(frozen=True)
class Held:
    """What the database holds under an attempt id."""
    row: int
    digest: str
    mode: str
    graded: bool
    record: dict


def held(connection: sqlite3.Connection, attempt_ids: list[str]) -> dict[str, Held]:
    found = {}
    for start in range(0, len(attempt_ids), 500):
        chunk = attempt_ids[start:start + 500]
        rows = connection.execute(
            f"SELECT a.id, a.attempt_id, a.digest, a.mode, r.attempt IS NOT NULL, a.record FROM attempts a"
            f" LEFT JOIN results r ON r.attempt = a.id WHERE a.attempt_id IN ({','.join('?' * len(chunk))})", chunk)
        for row, attempt_id, digest, mode, graded, text in rows:
            found[attempt_id] = Held(row, digest, mode, bool(graded), json.loads(text))
    return found


def same_answers(connection: sqlite3.Connection, record: dict) -> Held | None:
    """The certification attempt already held with this record's answers (under another id)."""
    if record["mode"] != "certify":
        return None
    row = connection.execute("SELECT a.attempt_id FROM attempts a WHERE a.answers_key = ? AND a.attempt_id != ? ORDER BY a.id LIMIT 1",
                             (answers_key(record), record["attempt_id"])).fetchone()
    return held(connection, [row[0]])[row[0]] if row else None


def count_attempts(connection: sqlite3.Connection) -> int:
    return connection.execute("SELECT COUNT(*) FROM attempts").fetchone()[0]


# ---- reading for the report and export ----

@dataclass(frozen=True)
class Filters:
    roles: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    since: str | None = None       # YYYY-MM-DD, inclusive
    until: str | None = None       # YYYY-MM-DD, inclusive
    mode: str | None = None        # practice / certify


def _where(filters: Filters) -> tuple[str, list]:
    clauses, values = [], []
    if filters.roles:
        clauses.append(f"a.role IN ({','.join('?' * len(filters.roles))})")
        values += filters.roles
    if filters.teams:
        clauses.append(f"a.team IN ({','.join('?' * len(filters.teams))})")
        values += filters.teams
    if filters.since:
        clauses.append("substr(a.submitted_at, 1, 10) >= ?")
        values.append(filters.since)
    if filters.until:
        clauses.append("substr(a.submitted_at, 1, 10) <= ?")
        values.append(filters.until)
    if filters.mode:
        clauses.append("a.mode = ?")
        values.append(filters.mode)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", values


def report_records(connection: sqlite3.Connection, filters: Filters = Filters()) -> list[dict]:
    """The records the report analyses: practice as verified at import, certification as the
    trainer's signed grade (or ungraded, pending); each with `grader` and `team` added."""
    from .table import paused_gc
    where, values = _where(filters)
    query = ("SELECT COALESCE(r.record, a.record), r.grader, a.team, r.attempt IS NULL FROM attempts a"
             " LEFT JOIN results r ON r.attempt = a.id" + where + " ORDER BY a.submitted_at, a.id")
    loads = json.loads
    records = []
    with paused_gc():
        for text, grader, team, ungraded_ in connection.execute(query, values):
            record = loads(text)
            if ungraded_ and "score" in record:     # a claimed score nobody verified never counts
                record = ungraded(record)
            record["grader"] = grader or ""
            record["team"] = team or ""
            records.append(record)
    return records


def report_count(connection: sqlite3.Connection, filters: Filters = Filters()) -> int:
    where, values = _where(filters)
    return connection.execute("SELECT COUNT(*) FROM attempts a" + where, values).fetchone()[0]


def question_texts(connection: sqlite3.Connection) -> dict[tuple[str, str], str]:
    """(quiz id, item id) -> question text (the latest version's wording wins)."""
    return {(quiz, item): stem for quiz, item, stem in
            connection.execute("SELECT quiz_id, item_id, stem FROM questions ORDER BY quiz_version") if stem}


EXPORT_COLUMNS = ("attempt_id", "learner", "team", "role", "quiz_id", "quiz_version", "seed", "mode", "source", "submitted_at",
                  "grader", "right_answers", "questions", "score", "passed", "pass_mark", "responses", "marks", "signature")


def export_rows(connection: sqlite3.Connection, filters: Filters = Filters()):
    where, values = _where(filters)
    query = ("SELECT a.attempt_id, a.learner, a.team, a.role, a.quiz_id, a.quiz_version, a.seed, a.mode, a.source, a.submitted_at,"
             " r.grader, r.right_answers, r.questions, r.score, r.passed, r.pass_mark, a.record, r.marks, r.signature, r.record"
             " FROM attempts a LEFT JOIN results r ON r.attempt = a.id" + where + " ORDER BY a.submitted_at, a.id")
    yield from connection.execute(query, values)


def export(connection: sqlite3.Connection, fmt: str, out: io.TextIOBase, filters: Filters = Filters()) -> int:
    """Every attempt as JSON Lines (the record itself, the signed graded one when there is one,
    so the file imports again) or CSV (one row per attempt with team, grader and answers)."""
    count = 0
    if fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(EXPORT_COLUMNS)
        for row in export_rows(connection, filters):
            record = json.loads(row[16])
            responses = " ".join(entry["response"] or "-" for entry in record["items"])
            passed = "" if row[14] is None else ("yes" if row[14] else "no")
            writer.writerow([*(value if value is not None else "" for value in row[:14]), passed,
                             "" if row[15] is None else row[15], responses, row[17] or "", row[18] or ""])
            count += 1
        return count
    for row in export_rows(connection, filters):
        out.write((row[19] or row[16]) + "\n")       # the record itself: `results import` reads it back
        count += 1
    return count
