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
from .. import boundedread
from ..boundedread import json_document, json_lines, read_text
from ..i18n import N_, _

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


KEY_HINT = N_("pass the file written by kb.py quiz --certify, e.g. --key keys/sales-certify.json")


def load_key(path: Path, root: Path) -> dict:
    shown = _shown(path, root)
    text, problems = read_text(path, shown, _(KEY_HINT), unreadable=N_("the key cannot be read: {reason}"))
    if text is not None:
        key, problems = json_document(text, shown, N_("expected a key file (JSON), received text that is not JSON: {reason}"),
                                      _("use the file kb.py quiz --certify wrote into keys/"))
    if not problems:
        if not isinstance(key, dict) or key.get("key_version") != 1:
            problems = [Problem(shown, 0, 0, "", _("expected a certification key (key_version 1 with items)"),
                                _("use the file kb.py quiz --certify wrote into keys/"))]
        else:
            problems = validate_data("certify-key", key, shown, _AtLine(0))
    if problems:
        raise ContentError(problems)
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


RECORDS_HINT = N_("the file must hold the records exactly as the quiz saved them, one per line")


def read_records(path: Path, shown: str) -> tuple[list[tuple[int, object]], list[Problem]]:
    """(line, parsed JSON) for each non-empty line of a .jsonl (or a single-record .json)."""
    text, problems = read_text(path, shown, _("check the path and that it is a text file"))
    if text is None:
        return [], problems
    if path.suffix == ".json":      # one record (or a list of them) in a .json file
        parsed, not_json = json_document(text, shown, N_("expected records, received text that is not JSON ({reason})"), _(RECORDS_HINT))
        if not not_json and isinstance(parsed, (list, dict)):
            text = "\n".join(json.dumps(one, ensure_ascii=False) for one in (parsed if isinstance(parsed, list) else [parsed]))
    found, problems = json_lines(text, shown, _(RECORDS_HINT))
    return [(number, value) for number, value, _line in found], problems


def record_from_notebook(path: Path, shown: str, key: dict) -> tuple[dict | None, list[Problem]]:
    """A certification record made from the answer cells of a handed-in notebook."""
    hint = _("hand in the .ipynb the learner worked in, or the .jsonl record it saved")
    text, problems = read_text(path, shown, hint)
    if text is None:
        return None, problems
    notebook, problems = json_document(text, shown, N_("expected a quiz notebook, received text that is not JSON ({reason})"), hint)
    try:
        cells = notebook["cells"]
        meta = notebook["metadata"]["kb_quiz"]
        if not isinstance(cells, list) or not isinstance(meta, dict) or not all(isinstance(c, dict) for c in cells):
            raise TypeError
    except (KeyError, TypeError):
        return None, problems or [Problem(shown, 0, 0, "", _("expected a quiz notebook written by kb.py quiz, received another file"), hint)]
    if meta.get("quiz_version") != key["quiz_version"] or meta.get("mode") != "certify":
        return None, [Problem(shown, 0, 0, "", _("expected a notebook of quiz {quiz_id} version {quiz_version}, received {received_quiz} version {received_version}").format(
                                  quiz_id=key['quiz_id'], quiz_version=key['quiz_version'], received_quiz=meta.get('quiz_id'),
                                  received_version=meta.get('quiz_version')),
                              _("grade it with the key written together with that quiz"))]
    values, problems = {}, []
    for cell in cells:
        mark = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
        mark = mark.get("kb_quiz") if isinstance(mark.get("kb_quiz"), dict) else {}
        role = mark.get("cell")
        if role in ("learner", "answer"):
            name = "learner" if role == "learner" else str(mark.get("item"))
            source = cell.get("source", "")
            value, problem = _assigned_value("".join(map(str, source)) if isinstance(source, list) else source)
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


def _assigned_value(source):
    """The literal assigned in an answer cell such as `q03 = "B"` (value, problem or '').
    The cell is the learner's: its length is bounded before Python's parser sees it (a long
    expression makes the parser and literal_eval recurse until they fail)."""
    if not isinstance(source, str):
        return "", _("expected a cell like q01 = \"B\", received a cell that is not text")
    longest = boundedread.LIMITS.max_cell_chars
    if len(source) > longest:
        return "", _("expected a short answer cell, received {length} characters (at most {limit})").format(length=f"{len(source):,}", limit=f"{longest:,}")
    try:
        tree = ast.parse(source)
        for node in tree.body:
            if isinstance(node, ast.Assign):
                return ast.literal_eval(node.value), ""
    except SyntaxError:
        return "", _("expected a cell like q01 = \"B\", received code that does not run")
    except (ValueError, TypeError, RecursionError, MemoryError):
        return "", _("expected a text in quotes, received an expression")
    return "", ""


def grade_files(root: Path, files: list[Path], key_path: Path, out: Path | None = None) -> Graded:
    """Grade every certification attempt in `files` and append the graded records to `out`."""
    from ..writers import atomic_write
    key = load_key(key_path, root)
    target = out or root / GRADED
    known = _graded_ids(target, _shown(target, root), given=out is not None)   # before any work: a bad --out stops here
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
    existing = target.read_text(encoding="utf-8") if target.exists() else ""
    fresh = [record for record in result.records if record["attempt_id"] not in known]
    if fresh:
        addition = "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in fresh)
        atomic_write(target, (existing + ("" if not existing or existing.endswith("\n") else "\n") + addition).encode("utf-8"))
    result.written = len(fresh)
    return result


def _graded_ids(target: Path, shown: str, given: bool) -> set:
    """Attempt ids already in the graded results file. A --out that is a folder, sits in a
    folder that does not exist (a typo would create folders anywhere) or holds lines that are
    not records is refused before anything is graded or written."""
    hint = _("--out names the graded results file, e.g. results/graded.jsonl")
    if target.is_dir():
        raise ContentError([Problem(shown, 0, 0, "", _("expected a file for --out, received a folder"), hint)])
    if given and not target.parent.is_dir():
        raise ContentError([Problem(shown, 0, 0, "", _("expected --out in an existing folder, received a path in '{folder}' which does not exist").format(
            folder=target.parent), _("create the folder first, or correct the path"))])
    if not target.exists():
        return set()
    text, problems = read_text(target, shown, hint)
    if text is not None:
        restore = _("this file should only hold what kb.py grade wrote: restore it or choose another --out")
        found, problems = json_lines(text, shown, restore)
        problems += [Problem(shown, number, 1, "", _("expected a graded record (a JSON object with an attempt_id), received another JSON value"), restore)
                     for number, value, _line in found if not isinstance(value, dict) or not isinstance(value.get("attempt_id"), str)]
    if problems:
        raise ContentError(problems)
    return {value["attempt_id"] for _number, value, _line in found}


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
