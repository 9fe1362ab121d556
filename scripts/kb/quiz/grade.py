"""`kb.py grade`: score certification attempts with the key that stays on the trainer's machine.

Learners hand in the records their notebook or offline page saved (JSON Lines) or the
notebook itself. Each record is checked (schema, digest, quiz and version), graded against
the key, resealed and appended to the graded results file; a bad record is reported with its
file and line and never stops the good ones from being graded.
"""
from __future__ import annotations

import ast
import datetime
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from ..problems import ContentError, Problem
from ..schema import validate_data
from .records import digest_matches, seal_record
from .runtime import new_record, normalize, score_tenths, score_value
from ..i18n import _, os_reason

GRADED = Path("results") / "graded.jsonl"


@dataclass
class Graded:
    records: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    other_quizzes: int = 0
    duplicates: int = 0
    written: int = 0


class _AtLine:
    """Positions for schema messages about a record: the line it is on."""

    def __init__(self, line: int):
        self.line = line
        self.key_at: dict = {}

    def position(self, path) -> tuple[int, int]:
        return self.line, 1


def load_key(path: Path, root: Path) -> dict:
    shown = _shown(path, root)
    try:
        key = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ContentError([Problem(shown, 0, 0, "", _("the key cannot be read: {reason}").format(reason=os_reason(error)),
                                    _("pass the file written by kb.py quiz --certify, e.g. --key keys/sales-certify.json"))]) from None
    except ValueError as error:
        raise ContentError([Problem(shown, 0, 0, "", _("expected a key file (JSON), received text that is not JSON: {error}").format(error=error),
                                    _("use the file kb.py quiz --certify wrote into keys/"))]) from None
    if not isinstance(key, dict) or key.get("key_version") != 1 or not isinstance(key.get("items"), list):
        raise ContentError([Problem(shown, 0, 0, "", _("expected a certification key (key_version 1 with items)"),
                                    _("use the file kb.py quiz --certify wrote into keys/"))])
    return key


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root))
    except ValueError:
        return str(path)


def check_record(record, file: str, line: int, key: dict) -> list[Problem]:
    """Why a record cannot be graded with this key ([] when it can)."""
    if not isinstance(record, dict):
        return [Problem(file, line, 1, "", _("expected a record (a JSON object), received another JSON value"), _("each line holds one attempt record"))]
    problems = validate_data("result", record, file, _AtLine(line))
    if problems:
        return problems
    if not digest_matches(record):
        return [Problem(file, line, 1, "digest", _("the record was changed after it was saved: its digest does not match"),
                        _("ask the learner for the file exactly as the quiz saved it"))]
    if record["mode"] != "certify":
        return [Problem(file, line, 1, "mode", _("expected a certification attempt (mode certify), received a practice attempt"),
                        _("practice quizzes grade themselves; only kb.py quiz --certify attempts are graded here"))]
    if record["quiz_version"] != key["quiz_version"]:
        return [Problem(file, line, 1, "quiz_version", _("expected version {quiz_version} of quiz {quiz_id}, received version {received}").format(
                            quiz_version=key['quiz_version'], quiz_id=key['quiz_id'], received=record['quiz_version']),
                        _("the learner took another version of the quiz: grade it with the key written together with that version"))]
    expected = [item["id"] for item in key["items"]]
    if [entry["item_id"] for entry in record["items"]] != expected:
        return [Problem(file, line, 1, "items", _("expected the questions of the key in the same order, received other questions"),
                        _("the record does not belong to this key"))]
    return []


def grade_record(record: dict, key: dict) -> dict:
    """The record with each answer marked, the score and pass/fail, resealed."""
    entries = []
    for entry, item in zip(record["items"], key["items"]):
        response = normalize(item["type"], entry["response"])
        entries.append({**entry, "correct": bool(response) and response == item["answer"]})
    tenths = score_tenths(entries)
    return seal_record({**record, "items": entries, "score": score_value(tenths), "pass_mark": key["pass_mark"],
                        "passed": tenths >= key["pass_mark"] * 10})


def read_records(path: Path, shown: str) -> tuple[list[tuple[int, object]], list[Problem]]:
    """(line, parsed JSON) for each non-empty line of a .jsonl (or a single-record .json)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return [], [Problem(shown, 0, 0, "", _("the file cannot be read: {reason}").format(reason=os_reason(error)), _("check the path and that it is a text file"))]
    if path.suffix == ".json":      # one record (or a list of them) in a .json file
        parsed = _loads_or_text(text)
        if not isinstance(parsed, str):
            text = "\n".join(json.dumps(one, ensure_ascii=False) for one in (parsed if isinstance(parsed, list) else [parsed]))
    found, problems = [], []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            found.append((number, json.loads(line)))
        except ValueError as error:
            problems.append(Problem(shown, number, 1, "", _("expected one JSON record per line, received text that is not JSON ({msg})").format(msg=error.msg),
                                    _("the file must hold the records exactly as the quiz saved them, one per line")))
    return found, problems


def _loads_or_text(text: str):
    try:
        return json.loads(text)
    except ValueError:
        return text


def record_from_notebook(path: Path, shown: str, key: dict) -> tuple[dict | None, list[Problem]]:
    """A certification record made from the answer cells of a handed-in notebook."""
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        cells = notebook["cells"]
        meta = notebook["metadata"]["kb_quiz"]
    except (OSError, ValueError, KeyError, TypeError):
        return None, [Problem(shown, 0, 0, "", _("expected a quiz notebook written by kb.py quiz, received another file"),
                              _("hand in the .ipynb the learner worked in, or the .jsonl record it saved"))]
    if meta.get("quiz_version") != key["quiz_version"] or meta.get("mode") != "certify":
        return None, [Problem(shown, 0, 0, "", _("expected a notebook of quiz {quiz_id} version {quiz_version}, received {received_quiz} version {received_version}").format(
                                  quiz_id=key['quiz_id'], quiz_version=key['quiz_version'], received_quiz=meta.get('quiz_id'),
                                  received_version=meta.get('quiz_version')),
                              _("grade it with the key written together with that quiz"))]
    values, problems = {}, []
    for cell in cells:
        role = (cell.get("metadata", {}).get("kb_quiz") or {}).get("cell")
        if role in ("learner", "answer"):
            name = "learner" if role == "learner" else cell["metadata"]["kb_quiz"]["item"]
            value, problem = _assigned_value("".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"])
            values[name] = value
            if problem:
                problems.append(Problem(shown, 0, 0, _("cell {cell}").format(cell=cell.get('id', '?')), problem, _("write the answer as text in quotes, e.g. \"B\"")))
    learner = str(values.get("learner") or "").strip()
    if not learner:
        problems.append(Problem(shown, 0, 0, "learner", _("expected the learner's name in the name cell, received nothing"),
                                _("ask the learner to write their name in the notebook and hand it in again")))
    if problems:
        return None, problems
    quiz = {"role": key["role"], "quiz_id": key["quiz_id"], "quiz_version": key["quiz_version"], "seed": key["seed"],
            "mode": "certify", "pass_mark": key["pass_mark"]}
    entries = [{"item_id": item["id"], "topic": item["topic"], "content_id": item["content_id"],
                "response": normalize(item["type"], values.get(item["id"], ""))} for item in key["items"]]
    data = path.read_bytes()
    attempt = str(uuid.uuid5(uuid.NAMESPACE_URL, "kb-notebook:" + hashlib.sha256(data).hexdigest()))
    saved = datetime.datetime.fromtimestamp(path.stat().st_mtime).astimezone().isoformat(timespec="seconds")
    return new_record(quiz, learner, entries, "notebook", submitted_at=saved, attempt_id=attempt), []


def _assigned_value(source: str):
    """The literal assigned in an answer cell such as `q03 = "B"` (value, problem or '')."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return "", _("expected a cell like q01 = \"B\", received code that does not run")
    for node in tree.body:
        if isinstance(node, ast.Assign):
            try:
                return ast.literal_eval(node.value), ""
            except ValueError:
                return "", _("expected a text in quotes, received an expression")
    return "", ""


def grade_files(root: Path, files: list[Path], key_path: Path, out: Path | None = None) -> Graded:
    """Grade every certification attempt in `files` and append the graded records to `out`."""
    from ..writers import atomic_write
    key = load_key(key_path, root)
    result = Graded()
    seen = set()
    for path in files:
        shown = _shown(path, root)
        if path.suffix == ".ipynb":
            record, problems = record_from_notebook(path, shown, key)
            found = [(0, record)] if record else []
        else:
            found, problems = read_records(path, shown)
        result.problems += problems
        for line, record in found:
            if isinstance(record, dict) and record.get("quiz_id") != key["quiz_id"]:
                result.other_quizzes += 1      # a learner's results file also holds practice attempts
                continue
            problems = check_record(record, shown, line, key)
            if problems:
                result.problems += problems
            elif record["attempt_id"] in seen:
                result.duplicates += 1
            else:
                seen.add(record["attempt_id"])
                result.records.append(grade_record(record, key))
    target = out or root / GRADED
    existing = target.read_text(encoding="utf-8") if target.exists() else ""
    known = {json.loads(line).get("attempt_id") for line in existing.splitlines() if line.strip().startswith("{")}
    fresh = [record for record in result.records if record["attempt_id"] not in known]
    if fresh:
        addition = "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in fresh)
        atomic_write(target, (existing + ("" if not existing or existing.endswith("\n") else "\n") + addition).encode("utf-8"))
    result.written = len(fresh)
    return result


def summary(result: Graded, key: dict) -> str:
    """One line per graded attempt, with the pages each learner should reread."""
    titles = {item["id"]: (item["title"], item["url"]) for item in key["items"]}
    lines = []
    for record in sorted(result.records, key=lambda r: (r["learner"], r["submitted_at"])):
        right = sum(entry["correct"] for entry in record["items"])
        verdict = _("passed") if record["passed"] else _("not passed")
        lines.append(_("{learner}: {score} points, {verdict} ({right}/{total} right, {submitted})").format(
            learner=record["learner"], score=record["score"], verdict=verdict, right=right, total=len(record["items"]),
            submitted=record["submitted_at"]))
        pages = dict.fromkeys(titles[entry["item_id"]] for entry in record["items"] if not entry["correct"])
        lines += ["    " + _("reread: {title}  {url}").format(title=title, url=url) for title, url in pages]
    extra = []
    if result.other_quizzes:
        extra.append(_("{other_quizzes} record(s) of other quizzes ignored").format(other_quizzes=result.other_quizzes))
    if result.duplicates:
        extra.append(_("{duplicates} duplicate(s) graded once").format(duplicates=result.duplicates))
    lines.append(_("graded {count} attempt(s) of {quiz_id}; {written} new record(s) written").format(count=len(result.records), quiz_id=key['quiz_id'], written=result.written)
                 + (_("; ") + _("; ").join(extra) if extra else ""))
    return "\n".join(lines)
