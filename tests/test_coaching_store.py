"""`kb.py results import`: good records are merged, each bad one is reported once and skipped."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from kb.quiz.records import record_digest


def record(n: int, learner: str = "李娜", **changes) -> dict:
    data = {"record_version": 1, "attempt_id": f"{n:08x}-1111-4222-8333-444455556666", "learner": learner, "role": "sales",
            "quiz_id": "sales", "quiz_version": "3f2a9c", "seed": 1, "mode": "practice", "source": "web",
            "submitted_at": "2026-09-08T20:15:00+08:00", "score": 50, "passed": False, "pass_mark": 70,
            "items": [{"item_id": "p-1", "topic": "products", "content_id": "hydra-serum", "response": "B", "correct": True},
                      {"item_id": "s-1", "topic": "scripts", "content_id": "objection-too-expensive", "response": "C", "correct": False}]}
    data.update(changes)
    data["digest"] = record_digest(data)
    return data


def line(data) -> str:
    return json.dumps(data, ensure_ascii=False)


def import_(root: Path, *files: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "kb.py"), "--root", str(root), "results", "import", *files],
                          cwd=root, capture_output=True, text=True, input=stdin, timeout=60)


def store_ids(root: Path) -> list[str]:
    return [json.loads(text)["attempt_id"][:8] for text in (root / "results" / "store.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def good_records(tmp_path) -> Path:
    path = tmp_path / "good.jsonl"
    path.write_text(line(record(1)) + "\n\n" + line(record(2, "王强")) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def tampered_record(tmp_path) -> Path:
    changed = record(3)
    changed["score"] = 100            # edited after submission: the digest no longer matches
    path = tmp_path / "tampered.jsonl"
    path.write_text(line(record(4)) + "\n" + line(changed) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def malformed_line(tmp_path) -> Path:
    path = tmp_path / "malformed.jsonl"
    path.write_text(line(record(5)) + "\n" + line(record(6))[:-20] + "\n", encoding="utf-8")
    return path


@pytest.fixture
def schema_violation(tmp_path) -> Path:
    wrong_topic = record(7)
    wrong_topic["items"][1]["topic"] = "product"
    wrong_topic["digest"] = record_digest(wrong_topic)
    path = tmp_path / "schema.jsonl"
    path.write_text(line(wrong_topic) + "\n" + line(record(8, submitted_at="next Monday")) + "\n" + "[1, 2]\n", encoding="utf-8")
    return path


@pytest.fixture
def conflicting_record(tmp_path) -> Path:
    path = tmp_path / "conflict.jsonl"
    path.write_text(line(record(1, score=75)) + "\n", encoding="utf-8")     # attempt 1 again, different content
    return path


def test_good_records_are_stored(tmp_path, good_records):
    result = import_(tmp_path, str(good_records))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == "ok: imported 2 new record(s), 0 graded, 0 duplicate(s) skipped, 0 rejected; results/store.jsonl holds 2 record(s)\n"
    assert store_ids(tmp_path) == ["00000001", "00000002"]


def test_duplicate_records_are_skipped_with_a_warning(tmp_path, good_records):
    import_(tmp_path, str(good_records))
    before = (tmp_path / "results" / "store.jsonl").read_bytes()
    result = import_(tmp_path, str(good_records))
    assert result.returncode == 0
    assert result.stderr.splitlines() == [
        "good.jsonl:1:1: warning: attempt_id: expected a new attempt, received attempt '00000001-1111-4222-8333-444455556666' which is already in results/store.jsonl:1; skipped the copy",
        "    hint: nothing to do: each attempt is kept once",
        "good.jsonl:3:1: warning: attempt_id: expected a new attempt, received attempt '00000002-1111-4222-8333-444455556666' which is already in results/store.jsonl:2; skipped the copy",
        "    hint: nothing to do: each attempt is kept once"]
    assert (tmp_path / "results" / "store.jsonl").read_bytes() == before


def test_tampered_record_is_rejected_and_the_good_one_kept(tmp_path, tampered_record):
    result = import_(tmp_path, str(tampered_record))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "tampered.jsonl:2:1: digest: expected the digest of the record's content, received one that does not match: the record was changed after it was submitted",
        "    hint: import the learner's original file; an edited record cannot be trusted",
        "imported 1 new record(s), 0 graded, 0 duplicate(s) skipped, 1 rejected; results/store.jsonl holds 1 record(s)"]
    assert store_ids(tmp_path) == ["00000004"]


def test_malformed_line_is_rejected_and_the_good_one_kept(tmp_path, malformed_line):
    result = import_(tmp_path, str(malformed_line))
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == "malformed.jsonl:2:1: expected one JSON object per line, received text that is not JSON (Unterminated string starting at: column 538)"
    assert store_ids(tmp_path) == ["00000005"]


def test_schema_violations_give_one_message_per_record(tmp_path, schema_violation):
    result = import_(tmp_path, str(schema_violation))
    assert result.returncode == 1
    assert [text for text in result.stderr.splitlines() if not text.startswith("    hint")] == [
        "schema.jsonl:1:1: items[1].topic: expected one of products, scripts, cases, rules, sops, roles, received the text 'product'",
        "schema.jsonl:2:1: submitted_at: expected an ISO 8601 time such as 2026-09-08T20:15:00+08:00, received the text 'next Monday'",
        "schema.jsonl:3:1: expected a JSON object (one attempt record), received a list of 2 item(s)",
        "imported 0 new record(s), 0 graded, 0 duplicate(s) skipped, 3 rejected; results/store.jsonl holds 0 record(s)"]
    assert not (tmp_path / "results" / "store.jsonl").exists()


def test_conflicting_attempt_id_is_rejected(tmp_path, good_records, conflicting_record):
    result = import_(tmp_path, str(good_records), str(conflicting_record))
    assert result.returncode == 1
    assert result.stderr.splitlines()[:2] == [
        "conflict.jsonl:1:1: attempt_id: expected a new attempt id, received '00000001-1111-4222-8333-444455556666' which good.jsonl:1 already holds with different content",
        "    hint: two different records claim one attempt: import only the one you trust"]
    assert store_ids(tmp_path) == ["00000001", "00000002"]


def test_all_failure_modes_at_once_keep_every_good_record(tmp_path, good_records, tampered_record, malformed_line, schema_violation):
    result = import_(tmp_path, str(good_records), str(tampered_record), str(malformed_line), str(schema_violation))
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == "imported 4 new record(s), 0 graded, 0 duplicate(s) skipped, 5 rejected; results/store.jsonl holds 4 record(s)"
    assert store_ids(tmp_path) == ["00000001", "00000002", "00000004", "00000005"]


def test_graded_certification_record_replaces_the_ungraded_one(tmp_path):
    ungraded = record(9, mode="certify")
    for key in ("score", "passed"):
        del ungraded[key]
    for item in ungraded["items"]:
        del item["correct"]
    ungraded["digest"] = record_digest(ungraded)
    graded = record(9, mode="certify")
    (tmp_path / "answers.jsonl").write_text(line(ungraded) + "\n", encoding="utf-8")
    (tmp_path / "graded.jsonl").write_text(line(graded) + "\n", encoding="utf-8")
    assert import_(tmp_path, "answers.jsonl").returncode == 0
    result = import_(tmp_path, "graded.jsonl")
    assert result.stdout == "ok: imported 0 new record(s), 1 graded, 0 duplicate(s) skipped, 0 rejected; results/store.jsonl holds 1 record(s)\n"
    stored = json.loads((tmp_path / "results" / "store.jsonl").read_text(encoding="utf-8"))
    assert stored["score"] == 50 and stored["digest"] == graded["digest"]


def test_a_downloaded_record_from_standard_input(tmp_path):
    pretty = json.dumps(record(10), ensure_ascii=False, indent=2)     # a saved download may be pretty-printed
    result = import_(tmp_path, "-", stdin=pretty)
    assert result.returncode == 0, result.stderr
    assert store_ids(tmp_path) == ["0000000a"]


def test_missing_file(tmp_path):
    result = import_(tmp_path, "nowhere.jsonl")
    assert result.returncode == 1
    assert result.stderr.splitlines()[:2] == [
        "nowhere.jsonl: the file cannot be read: No such file or directory",
        "    hint: check the path and that it is the .jsonl file the quiz wrote"]


def test_the_store_itself_is_not_imported(tmp_path, good_records):
    import_(tmp_path, str(good_records))
    result = import_(tmp_path, "results/store.jsonl")
    assert result.returncode == 0
    assert result.stderr.splitlines()[0] == "results/store.jsonl: warning: expected a file of new records, received the results store itself; skipped it"
    assert store_ids(tmp_path) == ["00000001", "00000002"]
