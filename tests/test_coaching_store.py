"""`kb.py results import` into the results database: good records are added in one transaction,
each bad one is reported once and skipped, concurrent imports lose and double nothing, the old
JSON Lines store is migrated, and `results export` gets everything out again."""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, make_project, run_kb
from resultcheck import attempt, db_rows, full_marks, many_attempts, quiz_payload, write_jsonl

from kb.coaching.db import SCHEMA_VERSION
from kb.quiz.records import record_digest, seal_record

DB = "results/results.sqlite3"


@pytest.fixture(scope="module")
def quizzed(tmp_path_factory) -> Path:
    root = make_project(tmp_path_factory.mktemp("store") / "project", FIXTURES / "mini")
    for args in (("quiz",), ("quiz", "--certify")):
        assert run_kb(root, *args).returncode == 0
    return root


@pytest.fixture
def root(quizzed) -> Path:
    """The quizzed project with an empty results folder for each test."""
    shutil.rmtree(quizzed / "results", ignore_errors=True)
    return quizzed


@pytest.fixture(scope="module")
def practice(quizzed):
    return quiz_payload(quizzed)


def import_(root: Path, *files: str, stdin: str = "", extra: tuple = ()) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(root / "scripts" / "kb.py"), "--root", str(root), "results", "import", *extra, *files],
                          cwd=root, capture_output=True, text=True, input=stdin, timeout=600)


def ids(root: Path) -> list[str]:
    return [row[0] for row in db_rows(root, "SELECT learner FROM attempts ORDER BY id")]


def shown(root: Path, path: Path) -> str:
    return os.path.relpath(path, root)


@pytest.fixture
def good_records(practice, tmp_path) -> Path:
    path = tmp_path / "good.jsonl"
    path.write_text(json.dumps(attempt(*practice, "李娜", 3), ensure_ascii=False) + "\n\n"
                    + json.dumps(attempt(*practice, "王强", 5), ensure_ascii=False) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def tampered_record(practice, tmp_path) -> Path:
    changed = attempt(*practice, "张改", 2)
    changed["score"] = 100            # edited after submission: the digest no longer matches
    return write_jsonl(tmp_path / "tampered.jsonl", [attempt(*practice, "赵好", 2), changed])


@pytest.fixture
def malformed_line(practice, tmp_path) -> Path:
    path = tmp_path / "malformed.jsonl"
    path.write_text(json.dumps(attempt(*practice, "钱好", 1), ensure_ascii=False) + "\n"
                    + json.dumps(attempt(*practice, "钱坏", 1), ensure_ascii=False)[:-20] + "\n", encoding="utf-8")
    return path


@pytest.fixture
def schema_violation(practice, tmp_path) -> Path:
    wrong_topic = attempt(*practice, "孙", 1)
    wrong_topic["items"][1]["topic"] = "product"
    wrong_topic["digest"] = record_digest(wrong_topic)
    late = seal_record({**attempt(*practice, "周", 1), "submitted_at": "next Monday"})
    path = tmp_path / "schema.jsonl"
    path.write_text(json.dumps(wrong_topic, ensure_ascii=False) + "\n" + json.dumps(late, ensure_ascii=False) + "\n[1, 2]\n", encoding="utf-8")
    return path


@pytest.fixture
def conflicting_record(good_records, tmp_path) -> Path:
    first = json.loads(good_records.read_text(encoding="utf-8").splitlines()[0])
    other = seal_record({**first, "learner": "冒名"})          # attempt 1 again, different content
    return write_jsonl(tmp_path / "conflict.jsonl", [other])


def test_good_records_are_stored(root, good_records):
    result = import_(root, str(good_records))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == f"ok: imported 2 new record(s), 0 graded, 0 duplicate(s) skipped, 0 rejected; {DB} holds 2 record(s)\n"
    assert ids(root) == ["李娜", "王强"]
    assert db_rows(root, "SELECT COUNT(*) FROM answers") == [(12,)]
    assert db_rows(root, "SELECT grader, right_answers, questions FROM results ORDER BY attempt") == [("self", 3, 6), ("self", 5, 6)]
    assert db_rows(root, "PRAGMA journal_mode") == [("wal",)]
    assert db_rows(root, "SELECT MAX(version) FROM schema_version") == [(SCHEMA_VERSION,)]


def test_duplicate_records_are_skipped_with_a_warning(root, good_records):
    import_(root, str(good_records))
    result = import_(root, str(good_records))
    assert result.returncode == 0
    first, second = [json.loads(text)["attempt_id"] for text in good_records.read_text(encoding="utf-8").split("\n") if text]
    path = shown(root, good_records)
    assert result.stderr.splitlines() == [
        f"{path}:1:1: warning: attempt_id: expected a new attempt, received attempt '{first}' which is already in {DB}; skipped the copy",
        "    hint: nothing to do: each attempt is kept once",
        f"{path}:3:1: warning: attempt_id: expected a new attempt, received attempt '{second}' which is already in {DB}; skipped the copy",
        "    hint: nothing to do: each attempt is kept once"]
    assert ids(root) == ["李娜", "王强"]


def test_tampered_record_is_rejected_and_the_good_one_kept(root, tampered_record):
    result = import_(root, str(tampered_record))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{shown(root, tampered_record)}:2:1: digest: expected the digest of the record's content, received one that does not match: the record was changed after it was submitted",
        "    hint: import the learner's original file; an edited record cannot be trusted",
        f"imported 1 new record(s), 0 graded, 0 duplicate(s) skipped, 1 rejected; {DB} holds 1 record(s)"]
    assert ids(root) == ["赵好"]


def test_malformed_line_is_rejected_and_the_good_one_kept(root, malformed_line):
    result = import_(root, str(malformed_line))
    assert result.returncode == 1
    assert result.stderr.splitlines()[0].startswith(f"{shown(root, malformed_line)}:2:1: expected one JSON object per line, received text that is not JSON (Unterminated string")
    assert ids(root) == ["钱好"]


def test_schema_violations_give_one_message_per_record(root, schema_violation):
    result = import_(root, str(schema_violation))
    assert result.returncode == 1
    path = shown(root, schema_violation)
    assert [text for text in result.stderr.splitlines() if not text.startswith("    hint")] == [
        f"{path}:1:1: items[1].topic: expected one of products, scripts, cases, rules, sops, roles, received the text 'product'",
        f"{path}:2:1: submitted_at: expected an ISO 8601 time such as 2026-09-08T20:15:00+08:00, received the text 'next Monday'",
        f"{path}:3:1: expected a JSON object (one attempt record), received a list of 2 item(s)",
        f"imported 0 new record(s), 0 graded, 0 duplicate(s) skipped, 3 rejected; {DB} holds 0 record(s)"]


def test_conflicting_attempt_id_is_rejected(root, good_records, conflicting_record):
    result = import_(root, str(good_records), str(conflicting_record))
    assert result.returncode == 1
    attempt_id = json.loads(conflicting_record.read_text(encoding="utf-8"))["attempt_id"]
    assert result.stderr.splitlines()[:2] == [
        f"{shown(root, conflicting_record)}:1:1: attempt_id: expected a new attempt id, received '{attempt_id}' which {shown(root, good_records)}:1 already holds with different content",
        "    hint: two different records claim one attempt: import only the one you trust"]
    assert ids(root) == ["李娜", "王强"]


def test_all_failure_modes_at_once_keep_every_good_record(root, good_records, tampered_record, malformed_line, schema_violation):
    result = import_(root, str(good_records), str(tampered_record), str(malformed_line), str(schema_violation))
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == f"imported 4 new record(s), 0 graded, 0 duplicate(s) skipped, 5 rejected; {DB} holds 4 record(s)"
    assert ids(root) == ["李娜", "王强", "赵好", "钱好"]


def test_a_downloaded_record_from_standard_input(root, practice):
    pretty = json.dumps(attempt(*practice, "下载", 2), ensure_ascii=False, indent=2)     # a saved download may be pretty-printed
    result = import_(root, "-", stdin=pretty)
    assert result.returncode == 0, result.stderr
    assert ids(root) == ["下载"]


def test_missing_file(root):
    result = import_(root, "nowhere.jsonl")
    assert result.returncode == 1
    assert result.stderr.splitlines()[:2] == [
        "nowhere.jsonl: the file cannot be read: No such file or directory",
        "    hint: check the path and that it is the .jsonl file the quiz wrote"]


def test_team_is_recorded_for_the_report_filters(root, good_records):
    assert import_(root, str(good_records), extra=("--team", "华东一组")).returncode == 0
    assert db_rows(root, "SELECT DISTINCT team FROM attempts") == [("华东一组",)]


# ---- concurrency ----

@pytest.fixture
def two_disjoint_batches(practice, tmp_path) -> tuple[Path, Path]:
    """20,000 records each, no attempt id in common."""
    return (write_jsonl(tmp_path / "a.jsonl", many_attempts(*practice, 20_000, seed=1, prefix="甲")),
            write_jsonl(tmp_path / "b.jsonl", many_attempts(*practice, 20_000, seed=2, prefix="乙")))


def test_two_concurrent_imports_lose_and_double_nothing(root, two_disjoint_batches):
    first, second = two_disjoint_batches
    command = [sys.executable, str(root / "scripts" / "kb.py"), "--root", str(root), "results", "import"]
    runs = [subprocess.Popen([*command, str(path)], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for path in (first, second)]
    outputs = [run.communicate(timeout=900) for run in runs]
    for run, (out, err) in zip(runs, outputs):
        assert run.returncode == 0, err
        assert out.startswith("ok: imported 20000 new record(s), 0 graded, 0 duplicate(s) skipped, 0 rejected;")
    assert sorted(out.rsplit("holds ", 1)[1] for out, _ in outputs) == ["20000 record(s)\n", "40000 record(s)\n"]
    assert db_rows(root, "SELECT COUNT(*), COUNT(DISTINCT attempt_id) FROM attempts") == [(40_000, 40_000)]
    assert db_rows(root, "SELECT COUNT(*) FROM answers") == [(240_000,)]
    assert db_rows(root, "SELECT COUNT(*) FROM results") == [(40_000,)]


# ---- migration and export ----

@pytest.fixture
def legacy_store(root, practice, tmp_path) -> list[dict]:
    """results/store.jsonl as the importer wrote it before the database: one practice record and
    one certification record 'graded' in the file (which nothing could vouch for)."""
    practice_record = attempt(*practice, "老学员", 4)
    certify_payload, certify_quiz = quiz_payload(root, mode="certify")
    claimed = attempt(certify_payload, certify_quiz, "老学员", 2)
    claimed = full_marks(claimed)
    (root / "results").mkdir(exist_ok=True)
    write_jsonl(root / "results" / "store.jsonl", [practice_record, claimed])
    return [practice_record, claimed]


def test_the_old_store_is_migrated_on_first_use(root, legacy_store, good_records):
    result = import_(root, str(good_records))
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith(f"{DB} holds 4 record(s)\n")
    assert not (root / "results" / "store.jsonl").exists() and (root / "results" / "store.jsonl.migrated").exists()
    rows = db_rows(root, "SELECT a.learner, a.mode, r.grader FROM attempts a LEFT JOIN results r ON r.attempt = a.id ORDER BY a.id")
    assert rows == [("老学员", "practice", "legacy"), ("老学员", "certify", None), ("李娜", "practice", "self"), ("王强", "practice", "self")]
    again = import_(root, str(good_records))
    assert again.stdout.endswith(f"{DB} holds 4 record(s)\n")


@pytest.fixture
def version_1_database(root) -> dict:
    """A database written by schema version 1 holding one ungraded certification attempt."""
    from kb.coaching.db import MIGRATIONS, record_text
    record = attempt(*quiz_payload(root, mode="certify"), "旧库学员", 3)
    (root / "results").mkdir()
    connection = sqlite3.connect(root / DB, isolation_level=None)
    connection.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    connection.executescript(MIGRATIONS[0])
    connection.execute("INSERT INTO schema_version (version) VALUES (1)")
    connection.execute("INSERT INTO attempts (attempt_id, learner, role, quiz_id, quiz_version, seed, mode, source, submitted_at, digest, imported_at, record)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (record["attempt_id"], record["learner"], record["role"], record["quiz_id"], record["quiz_version"], record["seed"],
                        record["mode"], record["source"], record["submitted_at"], record["digest"], "2026-09-01T00:00:00+00:00", record_text(record)))
    connection.close()
    return record


def test_a_version_1_database_is_migrated(root, version_1_database, tmp_path):
    """Migration 2 adds the answers' identity and fills it in for the attempts already held, so
    the same attempt handed in again under another id is recognised."""
    twin = seal_record({**version_1_database, "attempt_id": "0123abcd-0000-4000-8000-000000000000"})
    result = import_(root, str(write_jsonl(tmp_path / "twin.jsonl", [twin])))
    assert result.returncode == 0, result.stderr
    assert "skipped the copy" in result.stderr
    assert db_rows(root, "SELECT version FROM schema_version ORDER BY version") == [(n,) for n in range(1, SCHEMA_VERSION + 1)]
    assert db_rows(root, "SELECT COUNT(*), COUNT(answers_key) FROM attempts") == [(1, 1)]


def test_export_writes_every_attempt_as_jsonl_and_csv(root, good_records, tmp_path):
    assert import_(root, str(good_records)).returncode == 0
    exported = run_kb(root, "results", "export", "--out", str(tmp_path / "all.jsonl"))
    assert exported.returncode == 0, exported.stderr
    originals = [json.loads(text) for text in good_records.read_text(encoding="utf-8").splitlines() if text]
    assert [json.loads(text) for text in (tmp_path / "all.jsonl").read_text(encoding="utf-8").splitlines()] == originals
    table = run_kb(root, "results", "export", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(table.stdout)))
    assert [(r["learner"], r["mode"], r["grader"], r["right_answers"], r["questions"], r["passed"]) for r in rows] == [
        ("李娜", "practice", "self", "3", "6", "no"), ("王强", "practice", "self", "5", "6", "yes")]
    shutil.rmtree(root / "results")
    again = import_(root, str(tmp_path / "all.jsonl"))             # nothing is locked in: the export imports again
    assert again.returncode == 0 and ids(root) == ["李娜", "王强"]


# ---- damaged files: one clear message, no traceback ----

@pytest.fixture
def corrupt_database(root) -> Path:
    (root / "results").mkdir()
    (root / DB).write_bytes(b"this is not an SQLite database, it was overwritten by hand\n" * 100)
    return root / DB


def test_a_corrupt_database_is_one_clear_message(root, corrupt_database, good_records):
    result = import_(root, str(good_records))
    assert result.returncode == 1
    assert result.stderr.splitlines()[:2] == [
        f"{DB}: expected a results database, received a file SQLite cannot use: file is not a database",
        "    hint: restore results/results.sqlite3 from your backup, or move it away and import the learners' files again"]
    assert "Traceback" not in result.stderr


@pytest.fixture
def damaged_grading_secret(quizzed):
    secret = quizzed / "keys" / "grading.secret"
    kept = secret.read_bytes()
    secret.write_text("not a secret\n", encoding="ascii")
    yield secret
    secret.write_bytes(kept)


def test_a_damaged_grading_secret_is_one_clear_message(root, damaged_grading_secret, good_records):
    result = import_(root, str(good_records))
    assert result.returncode == 1
    assert result.stderr.splitlines()[:2] == [
        "keys/grading.secret: expected a grading secret (64 hexadecimal characters), received other text",
        "    hint: restore keys/grading.secret from your backup: grades signed with the old secret can only be checked with it"]


def test_runs_that_open_a_new_database_at_once_all_get_it(tmp_path):
    """Two imports starting together both create and switch the new file to WAL; SQLite answers
    the loser "database is locked" at once (no busy wait), which used to fail that import."""
    code = ("import sys; sys.path.insert(0, sys.argv[2]); from pathlib import Path; from kb.coaching import db\n"
            "target = Path(sys.argv[1]); db.connect(target.parent, path=target, migrate_legacy=False).close(); print('ok')\n")
    for trial in range(10):
        target = tmp_path / f"trial-{trial}" / "results.sqlite3"
        target.parent.mkdir()
        runs = [subprocess.Popen([sys.executable, "-c", code, str(target), str(ROOT / "scripts")], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True) for _ in range(6)]
        outputs = [run.communicate(timeout=300) for run in runs]
        assert [out.strip() for out, _ in outputs] == ["ok"] * 6, [err for _, err in outputs if err]
