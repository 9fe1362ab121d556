"""The one place that decides what a date, an id and a line of text are.

The schemas name these checks with `"format": "kb-…"`; the fast validator (fastjsonschema)
and the detailed one (jsonschema) both call the functions here, so they can never disagree,
and `kb.py new` uses the same id check. JSON Schema's `pattern` cannot do this alone: Python's
`$` also matches before a trailing newline, and no pattern knows that 2025-02-30 is no day.
"""
from __future__ import annotations

import re
from datetime import date

from .i18n import _

ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Page names the site generates inside content folders (book/kb/<folder>/index.md).
RESERVED_IDS = ("index", "practice")      # practice: the 对练 index page's label
# Prefixes of the labels the site generates (render.py: quiz-<role>, stage-<stage>, tag-<hash>;
# practice/page.py: practice-<role>);
# an item's label would collide with them and break the build far from the file that caused it.
RESERVED_PREFIXES = ("quiz-", "stage-", "tag-", "practice-")     # practice-<role>: a role's 对练 page
# Control characters: never in trainer text (tab and line breaks only where several lines are allowed).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAK = re.compile(r"[\r\n\u2028\u2029\x85]")

Problem = tuple[str, str]     # (message, hint)


def _shown(value: str) -> str:
    """Like schema.describe, which imports this module."""
    return _("the text {value}").format(value=repr(value if len(value) <= 40 else value[:40] + "…"))


def _control_problem(value: str) -> Problem | None:
    found = _CONTROL.search(value)
    if found:
        return (_("expected text without control characters, received {value} with U+{code} at character {position}").format(
                    value=_shown(value), code=f"{ord(found.group()):04X}", position=found.start() + 1),
                _("delete the invisible character (it often comes from copying out of a chat or a PDF)"))
    return None


def line_problem(value: str) -> Problem | None:
    """One line of text: no line break (a trailing one included), no control character."""
    found = _LINE_BREAK.search(value)
    if found:
        if found.start() == len(value) - 1:
            message = _("expected one line of text, received {value} with a line break at the end")
        else:
            message = _("expected one line of text, received {value} with a line break at character {position}")
        return (message.format(value=_shown(value), position=found.start() + 1),
                _("write it on one line; in YAML, remove the | or the quoted line break"))
    return _control_problem(value)


def text_problem(value: str) -> Problem | None:
    """A paragraph: line breaks and tabs allowed, other control characters not."""
    return _control_problem(value.replace("\t", " "))


def date_problem(value: str) -> Problem | None:
    """A real calendar day written YYYY-MM-DD."""
    if not DATE_PATTERN.fullmatch(value):
        return _("expected a date written YYYY-MM-DD, received {received}").format(received=_shown(value)), _("for example 2026-03-01")
    try:
        date.fromisoformat(value)
    except ValueError:
        return (_("expected a real calendar date, received {value}").format(value=_shown(value)),
                _("check the day and month, e.g. February has 28 or 29 days"))
    return None


def ref_problem(value: str) -> Problem | None:
    """The id of another item as written in a reference."""
    if not ID_PATTERN.fullmatch(value):
        return (_("expected an id of lowercase letters, digits and hyphens, received {received}").format(received=_shown(value)),
                _("for example price-too-high"))
    return None


def id_problem(value: str) -> Problem | None:
    """An item's own id: a valid reference that is not a name the site uses for its own pages."""
    problem = ref_problem(value)
    if problem:
        return problem
    if value in RESERVED_IDS:
        return (_("expected an id the site does not use itself, received {value} (the name of the folder's index page)").format(value=_shown(value)),
                _("choose a more specific id, e.g. {example}").format(example=f"{value}-guide"))
    prefix = next((p for p in RESERVED_PREFIXES if value.startswith(p)), None)
    if prefix:
        return (_("expected an id that does not start with '{prefix}', received {value} (the site names its own {label} labels so)").format(
                    prefix=prefix, value=_shown(value), label=prefix[:-1]),
                _("reorder the words, e.g. {example}").format(example=f"{value[len(prefix):]}-{prefix[:-1]}"))
    return None


CHECKS = {"kb-id": id_problem, "kb-ref": ref_problem, "kb-date": date_problem,
          "kb-line": line_problem, "kb-text": text_problem}


def explain(format_name: str, value) -> Problem | None:
    """(message, hint) when `value` does not fit the format; None when it does (or is no text:
    the schema's type check speaks about that)."""
    check = CHECKS.get(format_name)
    if check is None or not isinstance(value, str):
        return None
    return check(value)


def conforms(format_name: str):
    """A yes/no check for validators: fastjsonschema's `formats` and jsonschema's FormatChecker."""
    return lambda value: explain(format_name, value) is None
