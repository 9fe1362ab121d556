"""Grading with the keys that stay on the trainer's machine.

`kb.py grade` (certification): learners hand in the records their notebook or offline page
saved (JSON Lines) or the notebook itself. Each record is checked (schema, digest, quiz), graded
against the key of the version it names (keys/<quiz>/<version>.json), signed with the
trainer's secret (HMAC) and stored in the results database in one transaction; a bad record is
reported with its file and line and never stops the good ones from being graded.

`results import` (practice): KeyRing finds or rebuilds the key of the version a record names,
and `practice_problem` re-grades the record from its answers; a claimed score that disagrees is
refused.
"""
from __future__ import annotations

import datetime
import hashlib
import json
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from ..problems import ContentError, Problem
from ..schema import is_valid, validate_data
from ..safetext import safe_text
from .keys import cell_digest, find_key, grading_secret, known_versions, read_key, sign
from .. import boundedread
from ..boundedread import json_document, json_lines, read_text
from ..i18n import N_, _
from .answers import LEARNER, answer_name, assignments, read_cell
from .records import digest_matches, seal_record
from .runtime import new_record, normalize, score_tenths, score_value

GRADED = Path("results") / "graded.jsonl"


@dataclass
class Graded:
    records: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    other_quizzes: int = 0
    duplicates: int = 0
    written: int = 0
    keys: dict = field(default_factory=dict)        # quiz version -> key, for the summary

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


class _AtLine:
    """Positions for schema messages about a record: the line it is on."""

    def __init__(self, line: int):
        self.line = line
        self.key_at: dict = {}

    def position(self, path) -> tuple[int, int]:
        return self.line, 1


KEY_HINT = N_("pass a file kb.py quiz --certify wrote, e.g. --key keys/sales-certify/<version>.json, or leave --key out")


def load_key(path: Path, root: Path) -> dict:
    """A key file named on the command line (--key), read within bounds and checked against
    schemas/certify-key.schema.json."""
    shown = _shown(path, root)
    key = None
    text, problems = read_text(path, shown, _(KEY_HINT), unreadable=N_("the key cannot be read: {reason}"))
    if text is not None:
        key, problems = json_document(text, shown, N_("expected a key file (JSON), received text that is not JSON: {reason}"),
                                      _("use a file kb.py quiz --certify wrote into keys/"))
    if not problems:
        if not isinstance(key, dict) or key.get("key_version") not in (1, 2):
            problems = [Problem(shown, 0, 0, "", _("expected a certification key (key_version 1 or 2 with items)"),
                                _("use a file kb.py quiz --certify wrote into keys/"))]
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


class KeyRing:
    """Keys by (quiz id, version): the archive under keys/, a key named with --key, and for
    practice quizzes the key rebuilt from the current content, seed and version (then archived)."""

    def __init__(self, root: Path, extra: list[dict] = ()):
        self.root = root
        self.cache: dict[tuple[str, str], dict | None] = {(k["quiz_id"], k["quiz_version"]): k for k in extra}
        self._pool = None

    def key(self, record: dict) -> dict | None:
        wanted = (record["quiz_id"], record["quiz_version"])
        if wanted not in self.cache:
            key = find_key(self.root, *wanted)
            if key is None and record["mode"] == "practice":
                key = self._rebuild(record)
            self.cache[wanted] = key
        return self.cache[wanted]

    def _content(self):
        if self._pool is None:
            from ..content import load_content
            from ..review import published, today
            from .bank import load_bank
            from .blueprint import item_pool
            from .generate import site_links, site_url_from_config
            everything = load_content(self.root)
            content = published(everything, today())
            self._pool = (content, item_pool(content, load_bank(self.root, everything)),
                          site_links(content, site_url_from_config(self.root), "."))
        return self._pool

    def _rebuild(self, record: dict) -> dict | None:
        from .blueprint import build_quiz
        from .keys import archive_key, key_data
        content, items, link_of = self._content()
        role = content.items.get(record["role"])
        if role is None or role.kind != "role" or not isinstance(record["seed"], int) or record["seed"] < 0:
            return None
        quiz, _ = build_quiz(content, items, role, record["seed"], "practice")
        if quiz is None or quiz.quiz_id != record["quiz_id"] or quiz.version != record["quiz_version"]:
            return None
        key = key_data(quiz, link_of)
        archive_key(self.root, key)
        return key


def missing_key_problem(record: dict, file: str, line: int, root: Path) -> Problem:
    known = known_versions(root, record["quiz_id"])
    folder = f"keys/{record['quiz_id']}/"
    have = (_("; {folder} holds version(s) {versions}").format(folder=folder, versions=", ".join(known)) if known
            else _("; {folder} holds no key").format(folder=folder))
    if record["mode"] == "practice":
        hint = _("this version is not the current quiz and its key was never kept here: run kb.py quiz (it keeps every "
                 "version's key in keys/) before changing content, and import results soon after a quiz changes")
    else:
        hint = _("grade on the machine that ran kb.py quiz --certify for this version (its keys/ folder holds the key)")
    return Problem(file, line, 1, "quiz_version", _("expected a version of quiz {quiz} whose key is known, received version {version}").format(
        quiz=record["quiz_id"], version=safe_text(record["quiz_version"])) + have, hint)


def check_record(record, file: str, line: int, key: dict | None, root: Path) -> list[Problem]:
    """Why a record cannot be graded as a certification attempt ([] when it can)."""
    if not isinstance(record, dict):
        return [Problem(file, line, 1, "", _("expected a record (a JSON object), received another JSON value"), _("each line holds one attempt record"))]
    problems = [] if is_valid("result", record) else validate_data("result", record, file, _AtLine(line))
    if problems:
        return problems
    if not digest_matches(record):
        return [Problem(file, line, 1, "digest", _("the record was changed after it was saved: its digest does not match"),
                        _("ask the learner for the file exactly as the quiz saved it"))]
    if record["mode"] != "certify":
        return [Problem(file, line, 1, "mode", _("expected a certification attempt (mode certify), received a practice attempt"),
                        _("practice quizzes grade themselves; only kb.py quiz --certify attempts are graded here"))]
    if key is None:
        return [missing_key_problem(record, file, line, root)]
    return items_problem(record, key, file, line)


def items_problem(record: dict, key: dict, file: str, line: int) -> list[Problem]:
    expected = [item["id"] for item in key["items"]]
    if [entry["item_id"] for entry in record["items"]] != expected:
        return [Problem(file, line, 1, "items", _("expected the {count} questions of quiz {quiz} version {version} in order, received other questions").format(
            count=len(expected), quiz=key["quiz_id"], version=key["quiz_version"]),
            _("the record does not belong to this quiz version; ask the learner for the file exactly as the quiz saved it"))]
    return []


def marked(record: dict, key: dict) -> tuple[list[dict], int]:
    """The record's answers marked with the key, and the score in tenths of a percent."""
    entries = []
    for entry, item in zip(record["items"], key["items"]):
        response = normalize(item["type"], entry["response"])
        entries.append({**entry, "correct": bool(response) and response == item["answer"]})
    return entries, score_tenths(entries)


def grade_record(record: dict, key: dict, secret: bytes | None = None) -> dict:
    """The record with each answer marked, the score and pass/fail, signed (with `secret`) and resealed."""
    entries, tenths = marked(record, key)
    graded = {k: v for k, v in record.items() if k not in ("digest", "signature")}
    graded.update(items=entries, score=score_value(tenths), pass_mark=key["pass_mark"], passed=tenths >= key["pass_mark"] * 10)
    if secret is not None:
        graded["signature"] = sign(graded, secret)
    return seal_record(graded)


def practice_problem(record: dict, key: dict | None, file: str, line: int, root: Path) -> Problem | None:
    """None when a practice record's claimed result is what its answers earn with the key."""
    if key is None:
        return missing_key_problem(record, file, line, root)
    wrong = items_problem(record, key, file, line)
    if wrong:
        return wrong[0]
    entries, tenths = marked(record, key)
    claimed = [entry.get("correct") for entry in record["items"]]
    earned = [entry["correct"] for entry in entries]
    passed = tenths >= key["pass_mark"] * 10
    if claimed != earned or record.get("score") != score_value(tenths) or record.get("passed") != passed:
        differ = [str(i + 1) for i, (a, b) in enumerate(zip(claimed, earned)) if a != b]
        detail = _("; question(s) {numbers} marked otherwise").format(numbers=", ".join(differ)) if differ else ""
        verdict = lambda ok: _("passed") if ok else _("not passed")  # noqa: E731
        return Problem(file, line, 1, "score", _("expected the score its answers earn, {earned} ({earned_verdict}), received {claimed} ({claimed_verdict}){detail}: the result was changed").format(
            earned=score_value(tenths), earned_verdict=verdict(passed), claimed=safe_text(record.get("score")),
            claimed_verdict=verdict(record.get("passed")), detail=detail),
            _("an edited practice record is refused; ask the learner to take the quiz again"))
    return None


RECORDS_HINT = N_("the file must hold the records exactly as the quiz saved them, one per line")


def read_records(path: Path, shown: str) -> tuple[list[tuple[int, object]], list[Problem]]:
    """(line, parsed JSON) for each non-empty line of a .jsonl (or a single-record .json), read within bounds."""
    text, problems = read_text(path, shown, _("check the path and that it is a text file"))
    if text is None:
        return [], problems
    if path.suffix == ".json":      # one record (or a list of them) in a .json file
        parsed, not_json = json_document(text, shown, N_("expected records, received text that is not JSON ({reason})"), _(RECORDS_HINT))
        if not not_json and isinstance(parsed, (list, dict)):
            text = "\n".join(json.dumps(one, ensure_ascii=False) for one in (parsed if isinstance(parsed, list) else [parsed]))
    found, problems = json_lines(text, shown, _(RECORDS_HINT))
    return [(number, value) for number, value, _line in found], problems


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(map(str, source)) if isinstance(source, list) else str(source)


def _mark(cell: dict) -> dict:
    """The kb_quiz metadata of a cell ({} when the learner's file has none or a broken one)."""
    meta = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
    return meta.get("kb_quiz") if isinstance(meta.get("kb_quiz"), dict) else {}


def read_answer_cell(text: str, expected: str, count: int) -> tuple[str, str, str]:
    """(name the cell assigns, answer, problem) read the way the notebook itself reads it
    (answers.py: `q03 = B`, `q03 = "B"` or just `B`); the cell is the learner's, so its length
    is bounded first."""
    longest = boundedread.LIMITS.max_cell_chars
    if len(text) > longest:
        return "", "", _("expected a short answer cell, received {length} characters (at most {limit})").format(
            length=f"{len(text):,}", limit=f"{longest:,}")
    named = [(name, value) for name, value in assignments(text, count) if name != LEARNER]
    if not named or any(name == expected for name, _value in named):
        return expected, read_cell(text, expected, count), ""
    return named[-1][0], named[-1][1], ""


def notebook_findings(cells: list, key: dict) -> tuple[dict[str, object], list[str], list[tuple[str, str, str]]]:
    """What a handed-in notebook holds: the answer of each question it could find, what is
    wrong with it (missing, relabelled or duplicated questions, edited locked cells), and the
    problems that stop it from being graded ((field, message, hint): no name, a hostile cell)."""
    order = {item["id"]: index for index, item in enumerate(key["items"])}
    count = len(key["items"])
    values: dict[str, object] = {}
    seen: dict[str, int] = {}
    findings, blocking = [], []
    for cell in cells:
        mark = _mark(cell)
        role = mark.get("cell")
        if role == "learner":
            values["learner"] = read_cell(_source(cell)[:boundedread.LIMITS.max_cell_chars], LEARNER, count)
        elif role == "answer":
            item_id = str(mark.get("item"))
            if item_id not in order:
                findings.append(_("an answer cell names a question that is not in this quiz ('{item}'): not graded").format(item=safe_text(item_id)))
                continue
            number = order[item_id] + 1
            seen[item_id] = seen.get(item_id, 0) + 1
            if seen[item_id] > 1:
                findings.append(_("question {number} has {count} answer cells: the first one was graded").format(number=number, count=seen[item_id]))
                continue
            expected = answer_name(order[item_id], count)
            name, value, problem = read_answer_cell(_source(cell), expected, count)
            if problem:              # a hostile cell: this notebook is not graded
                blocking.append((_("cell {cell}").format(cell=safe_text(cell.get("id", "?"))), problem,
                                 _("write the answer as text in quotes, e.g. \"B\"")))
                continue
            if name and name != expected:
                findings.append(_("question {number}'s answer cell was relabelled ({found} instead of {expected}): graded as question {number}").format(
                    number=number, found=safe_text(name), expected=expected))
            values[item_id] = value
    for item_id, index in order.items():
        if item_id not in seen:
            findings.append(_("question {number}'s answer cell is missing: counted as unanswered").format(number=index + 1))
    locked = key.get("locked_cells") or {}
    by_id = {cell.get("id"): cell for cell in cells if isinstance(cell.get("id"), str)}
    for cell_id, digest in locked.items():
        cell = by_id.get(cell_id)
        if cell is None:
            findings.append(_("the locked cell '{cell}' was deleted").format(cell=cell_id))
        elif cell_digest(_source(cell)) != digest:
            findings.append(_("the locked cell '{cell}' was edited (the answers were graded with the trainer's key all the same)").format(cell=cell_id))
    if not str(values.get("learner") or "").strip():
        blocking.append(("learner", _("expected the learner's name in the name cell, received nothing"),
                         _("ask the learner to write their name in the notebook and hand it in again")))
    return values, findings, blocking


def record_from_notebook(path: Path, shown: str, keys: KeyRing) -> tuple[dict | None, list[Problem]]:
    """A certification record made from the answer cells of a handed-in notebook (read within
    bounds), and one warning listing everything that is not as the quiz wrote it."""
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
        probe = {"quiz_id": str(meta["quiz_id"]), "quiz_version": str(meta["quiz_version"]), "mode": "certify"}
    except (KeyError, TypeError):
        return None, problems or [Problem(shown, 0, 0, "", _("expected a quiz notebook written by kb.py quiz, received another file"), hint)]
    if meta.get("mode") != "certify":
        return None, [Problem(shown, 0, 0, "mode", _("expected a certification notebook, received a practice notebook"),
                              _("practice notebooks grade themselves; import their records with kb.py results import"))]
    key = keys.key(probe)
    if key is None:
        return None, [missing_key_problem({**probe, "mode": "certify"}, shown, 0, keys.root)]
    values, findings, blocking = notebook_findings(cells, key)
    if blocking:
        return None, [Problem(shown, 0, 0, field, message, hint) for field, message, hint in blocking]
    learner = str(values["learner"]).strip()
    quiz = {"role": key["role"], "quiz_id": key["quiz_id"], "quiz_version": key["quiz_version"], "seed": key["seed"],
            "mode": "certify", "pass_mark": key["pass_mark"]}
    entries = [{"item_id": item["id"], "topic": item["topic"], "content_id": item["content_id"],
                "response": normalize(item["type"], values.get(item["id"], ""))} for item in key["items"]]
    saved = datetime.datetime.fromtimestamp(path.stat().st_mtime).astimezone().isoformat(timespec="seconds")
    record = new_record(quiz, learner, entries, "notebook", submitted_at=saved,
                        attempt_id=notebook_attempt_id({**quiz, "learner": learner, "items": entries}))
    problems = []
    if findings:
        problems.append(Problem(shown, 0, 0, "", _("the notebook is not as the quiz wrote it: {findings}").format(findings="; ".join(findings)),
                                _("the answers that could be found were graded; check with the learner"), severity="warning"))
    return record, problems


def notebook_attempt_id(record: dict) -> str:
    """One attempt id per set of answers of one learner to one quiz version: the .ipynb and
    the .jsonl record of the same attempt are the same attempt."""
    from ..coaching.db import answers_key
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "kb-attempt:" + answers_key(record)))


def grade_files(root: Path, files: list[Path], key_path: Path | None = None, out: Path | None = None) -> Graded:
    """Grade every certification attempt in `files` with the key of the version each names,
    store the signed results in the database (one transaction) and append them to `out`."""
    extra = [load_key(key_path, root)] if key_path else []
    if out is not None:
        graded_ids(out, _shown(out, root))          # before any work: a bad --out stops here
    keys = KeyRing(root, extra)
    secret = grading_secret(root)
    result = Graded()
    seen: dict[str, str] = {}
    for path in files:
        shown = _shown(path, root)
        if path.suffix == ".ipynb":
            record, problems = record_from_notebook(path, shown, keys)
            found = [(0, record)] if record else []
        else:
            found, problems = read_records(path, shown)
        result.problems += problems
        for line, record in found:
            if isinstance(record, dict) and record.get("mode") == "practice":
                result.other_quizzes += 1      # a learner's results file also holds practice attempts
                continue
            valid = isinstance(record, dict) and is_valid("result", record)
            key = keys.key(record) if valid and record.get("mode") == "certify" else None
            problems = check_record(record, shown, line, key, root)
            if problems:
                result.problems += problems
                continue
            same = notebook_attempt_id(record)
            if record["attempt_id"] in seen or same in seen:
                result.duplicates += 1
                continue
            seen[record["attempt_id"]] = seen[same] = record["attempt_id"]
            result.keys[key["quiz_version"]] = key
            result.records.append(grade_record(record, key, secret))
    from ..coaching.store import store_graded
    result.written = store_graded(root, result.records, [result.keys[r["quiz_version"]] for r in result.records])
    if out is not None:
        append_jsonl(out, result.records)
    return result


def graded_ids(target: Path, shown: str) -> set:
    """Attempt ids already in the --out file. A --out that is a folder, sits in a folder that
    does not exist (a typo would create folders anywhere) or holds lines that are not records is
    refused before anything is graded or written."""
    hint = _("--out names the graded results file, e.g. results/graded.jsonl")
    if target.is_dir():
        raise ContentError([Problem(shown, 0, 0, "", _("expected a file for --out, received a folder"), hint)])
    if not target.parent.is_dir():
        raise ContentError([Problem(shown, 0, 0, "", _("expected --out in an existing folder, received a path in '{folder}' which does not exist").format(
            folder=target.parent), _("create the folder first, or correct the path"))])
    if not target.exists():
        return set()
    text, problems = read_text(target, shown, hint)
    found = []
    if text is not None:
        restore = _("this file should only hold what kb.py grade wrote: restore it or choose another --out")
        found, problems = json_lines(text, shown, restore)
        problems += [Problem(shown, number, 1, "", _("expected a graded record (a JSON object with an attempt_id), received another JSON value"), restore)
                     for number, value, _line in found if not isinstance(value, dict) or not isinstance(value.get("attempt_id"), str)]
    if problems:
        raise ContentError(problems)
    return {value["attempt_id"] for _number, value, _line in found}


def append_jsonl(target: Path, records: list[dict]) -> int:
    """Append the records not yet in `target`, under an exclusive lock (two runs never lose lines)."""
    import fcntl
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("a+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        known = set()
        for line in handle:
            try:
                known.add(json.loads(line).get("attempt_id"))
            except (ValueError, AttributeError):
                continue
        fresh = [record for record in records if record["attempt_id"] not in known]
        handle.seek(0, 2)
        handle.write("".join(json.dumps(record, ensure_ascii=False) + "\n" for record in fresh))
        handle.flush()
        os.fsync(handle.fileno())
    return len(fresh)


def summary(result: Graded) -> str:
    """One line per graded attempt, with the pages each learner should reread."""
    lines = []
    for record in sorted(result.records, key=lambda r: (r["learner"], r["submitted_at"])):
        titles = {item["id"]: (item["title"], item["url"]) for item in result.keys[record["quiz_version"]]["items"]}
        right = sum(entry["correct"] for entry in record["items"])
        verdict = _("passed") if record["passed"] else _("not passed")
        lines.append(safe_text(_("{learner}: {score} points, {verdict} ({right}/{total} right, {submitted})").format(
            learner=record["learner"], score=record["score"], verdict=verdict, right=right, total=len(record["items"]),
            submitted=record["submitted_at"])))
        pages = dict.fromkeys(titles[entry["item_id"]] for entry in record["items"] if not entry["correct"])
        lines += ["    " + _("reread: {title}  {url}").format(title=title, url=url) for title, url in pages]
    extra = []
    if result.other_quizzes:
        extra.append(_("{count} practice record(s) ignored").format(count=result.other_quizzes))
    if result.duplicates:
        extra.append(_("{count} duplicate(s) graded once").format(count=result.duplicates))
    if result.records:
        quizzes = ", ".join(sorted({r["quiz_id"] for r in result.records}))
        done = _("graded {count} attempt(s) of {quizzes}; {written} new result(s) stored").format(
            count=len(result.records), quizzes=quizzes, written=result.written)
    else:
        done = _("no attempt graded")
    lines.append(done + (_("; ") + _("; ").join(extra) if extra else ""))
    return "\n".join(lines)
