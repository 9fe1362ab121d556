"""Bounded reading of the JSON that learners hand in: JSON Lines records and notebooks.

Everything here is untrusted: a file may be endless (/dev/zero, a pipe), one line may be a
gigabyte, or nested 100,000 levels deep (json.loads would raise RecursionError). Every limit
is a setting (LIMITS) with its own message; a bad line is one problem and the good lines of
the same file are kept. Readers only: nothing here writes.
"""
from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

from .i18n import N_, _, os_reason
from .problems import Problem


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 64 * 1024 * 1024     # one file or standard input
    max_line_chars: int = 1024 * 1024          # one JSON Lines record
    max_depth: int = 32                        # nesting of [ and { in one JSON value
    max_cell_chars: int = 10_000               # one answer cell of a handed-in notebook


LIMITS = Limits()
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def _mib(size: int) -> str:
    return f"{size / 1024 / 1024:g} MB"


def read_text(path: Path | None, shown: str, hint: str, limits: Limits | None = None, stream=None,
              unreadable: str = N_("the file cannot be read: {reason}")) -> tuple[str | None, list[Problem]]:
    """The text of a file (or of `stream`, a binary file object such as sys.stdin.buffer), read
    to at most limits.max_file_bytes; (None, [problem]) when it is too big, unreadable or not UTF-8."""
    limits = limits or LIMITS     # read at call time: a setting tests and callers may change
    try:
        if stream is None:
            with open(path, "rb") as handle:
                mode = os.fstat(handle.fileno()).st_mode
                if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
                    kind = _("a folder") if stat.S_ISDIR(mode) else _("a device or other special file")
                    return None, [Problem(shown, 0, 0, "", _("expected a file, received {kind}").format(kind=kind), hint)]
                data = handle.read(limits.max_file_bytes + 1)
        else:
            data = stream.read(limits.max_file_bytes + 1)
    except OSError as error:
        return None, [Problem(shown, 0, 0, "", _(unreadable).format(reason=os_reason(error)), hint)]
    if len(data) > limits.max_file_bytes:
        return None, [Problem(shown, 0, 0, "", _("expected at most {size}, received more; nothing of it was read").format(size=_mib(limits.max_file_bytes)),
                              _("split the file, or check that you chose the file the quiz wrote"))]
    try:
        return data.decode("utf-8").removeprefix("\ufeff"), []
    except UnicodeDecodeError as error:
        return None, [Problem(shown, 0, 0, "", _("expected UTF-8 text, received bytes that are not (at byte {position})").format(position=error.start), hint)]


def depth(text: str) -> int:
    """Deepest nesting of [ and { outside JSON strings (fast: only the brackets are walked)."""
    if text.count("[") + text.count("{") <= 1:
        return text.count("[") + text.count("{")
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(_STEP[b] for b in brackets), default=0)


def loads(text: str, limits: Limits | None = None):
    """json.loads with the nesting limit checked first; raises ValueError with a readable reason."""
    limits = limits or LIMITS     # read at call time: a setting tests and callers may change
    if text.count("[") + text.count("{") > limits.max_depth and depth(text) > limits.max_depth:
        raise ValueError(_("nested more than {depth} levels deep").format(depth=limits.max_depth))
    try:
        return json.loads(text)
    except RecursionError:         # cannot happen after the check; kept so it never escapes
        raise ValueError(_("nested more than {depth} levels deep").format(depth=limits.max_depth)) from None
    except json.JSONDecodeError as error:
        raise ValueError(f"{error.msg}: column {error.colno}") from None


def json_lines(text: str, shown: str, hint: str, limits: Limits | None = None) -> tuple[list[tuple[int, object, str]], list[Problem]]:
    """(line number, value, line text) for each non-blank line; one problem per bad line."""
    limits = limits or LIMITS     # read at call time: a setting tests and callers may change
    found, problems = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if len(line) > limits.max_line_chars:
            problems.append(Problem(shown, number, 1, "", _("expected a record of at most {limit} characters, received a line of {length}").format(
                limit=f"{limits.max_line_chars:,}", length=f"{len(line):,}"), hint))
            continue
        try:
            found.append((number, loads(line, limits), line.strip()))
        except ValueError as error:
            problems.append(Problem(shown, number, 1, "", _("expected one JSON object per line, received text that is not JSON ({reason})").format(reason=error), hint))
    return found, problems


def json_document(text: str, shown: str, not_json: str, hint: str, limits: Limits | None = None) -> tuple[object, list[Problem]]:
    """One JSON value (a notebook, a key); (None, [problem]) when it is not JSON or too deep.
    `not_json` is an N_() message with {reason}."""
    limits = limits or LIMITS     # read at call time: a setting tests and callers may change
    try:
        return loads(text, limits), []
    except ValueError as error:
        return None, [Problem(shown, 0, 0, "", _(not_json).format(reason=error), hint)]
