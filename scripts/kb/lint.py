"""Compliance lint: forbidden wording (absolute, medical, guaranteed-income claims) in content.

The term list is data (data/compliance.yml). Each hit is reported as
`file:line:col: field: "…最…" — reason — suggestion`. Errors block approved items only; drafts
and items in review get warnings, so trainers can save work in progress. An item may list
reviewed exceptions in `compliance_exceptions`.
"""
from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .model import Item
from .problems import Problem, path_text
from .i18n import _, os_reason
from .textnorm import character_name, invisible_characters, normalized

RULES_FILE = Path(__file__).parent / "data" / "compliance.yml"
PLACEHOLDER = re.compile(r"【填写：[^】]*】")     # left over from a `kb.py new` template
CONTEXT_CHARS = 8                                 # characters shown either side of a hit
QUOTES = re.compile(r"“[^”]{1,30}”|「[^」]{1,30}」|\"[^\"]{1,30}\"|‘[^’]{1,30}’")


@dataclass(frozen=True)
class Rule:
    term: str
    level: str
    reason: str
    suggestion: str
    regex: re.Pattern
    customer_facing_only: bool = False


@dataclass(frozen=True)
class ConsumerTip:
    """Wording that only tells customers how or when to use a product or how long to keep it:
    the absolute terms it names are allowed inside it (SAMR 2023 guidance on 绝对化用语)."""
    name: str
    terms: tuple[str, ...]
    regex: re.Pattern


@dataclass(frozen=True)
class Rules:
    terms: tuple[Rule, ...]
    allowed: tuple[str, ...]
    exempt_fields: tuple[str, ...]
    quoted_mentions_in: tuple[str, ...]
    customer_facing_kinds: tuple[str, ...]
    consumer_tips: tuple[ConsumerTip, ...] = ()

    @property
    def any_term(self) -> re.Pattern:
        """One pattern for all terms: most texts have no hit and are passed over in one scan."""
        return _any_term(self.terms)


@lru_cache(maxsize=8)
def _any_term(terms: tuple[Rule, ...]) -> re.Pattern:
    return re.compile("|".join(f"(?:{rule.regex.pattern})" for rule in terms))


@dataclass(frozen=True)
class Hit:
    rule: Rule
    path: tuple
    start: int
    end: int
    text: str          # the whole field value


# --- the term list --------------------------------------------------------------------------

def load_rules(path: Path = RULES_FILE) -> tuple[Rules | None, list[Problem]]:
    """Read and validate the term list; problems point into the YAML file."""
    stamp = path.stat().st_mtime_ns if path.exists() else 0
    return _load_rules(path, stamp)


@lru_cache(maxsize=4)
def _load_rules(path: Path, _stamp: int) -> tuple[Rules | None, list[Problem]]:
    from .schema import validate_data
    from .yamlread import read_yaml
    shown = _shown_path(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        return None, [Problem(shown, 0, 0, "", _("the compliance term list cannot be read: {reason}").format(reason=os_reason(err)),
                              _("restore scripts/kb/data/compliance.yml"))]
    document, problems = read_yaml(raw, shown)
    if document is None:
        return None, problems
    problems += validate_data("compliance", document.data, shown, document)
    if problems:
        return None, problems
    data = document.data
    terms = []
    for index, entry in enumerate(data["terms"]):
        try:
            regex = re.compile(entry.get("pattern") or re.escape(entry["term"]))
        except re.error as err:
            problems.append(Problem(shown, *document.position(("terms", index, "pattern")), f"terms[{index}].pattern",
                                    _("expected a regular expression, received one with an error: {error}").format(error=err.msg),
                                    _("fix the pattern or remove it to match the term literally")))
            continue
        terms.append(Rule(entry["term"], entry["level"], entry["reason"], entry["suggestion"], regex,
                          entry.get("customer_facing_only", False)))
    known = {rule.term for rule in terms}
    tips = []
    for index, entry in enumerate(data.get("consumer_tips", [])):
        try:
            regex = re.compile(entry["pattern"])
        except re.error as err:
            problems.append(Problem(shown, *document.position(("consumer_tips", index, "pattern")), f"consumer_tips[{index}].pattern",
                                    _("expected a regular expression, received one with an error: {reason}").format(reason=err.msg), _("fix the pattern")))
            continue
        for position, term in enumerate(entry["terms"]):
            if term not in known:
                problems.append(Problem(shown, *document.position(("consumer_tips", index, "terms", position)),
                                        f"consumer_tips[{index}].terms[{position}]",
                                        _("expected a term listed under terms:, received '{term}'").format(term=term), _("copy the term exactly")))
        tips.append(ConsumerTip(entry["name"], tuple(entry["terms"]), regex))
    if problems:
        return None, problems
    return Rules(tuple(terms), tuple(data["allowed"]), tuple(data["exempt_fields"]),
                 tuple(data["quoted_mentions_in"]), tuple(data["customer_facing_kinds"]), tuple(tips)), []


def _shown_path(path: Path) -> str:
    try:
        return os.path.relpath(path, Path(__file__).resolve().parents[2])
    except ValueError:
        return str(path)


# --- finding hits ---------------------------------------------------------------------------

def _strings(data, path=()):
    """(path, text) for every text value in an item."""
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(value, path + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _strings(value, path + (index,))


def _generic(path: tuple) -> str:
    out = ""
    for part in path:
        out += "[*]" if isinstance(part, int) or part == "*" else ("." if out else "") + str(part)
    return out


def _matches_field(path: tuple, patterns: tuple[str, ...]) -> bool:
    """True if the path or one of its parents is listed (so 'review' covers review.owner)."""
    return _listed(tuple("*" if isinstance(part, int) else part for part in path), patterns)


@lru_cache(maxsize=4096)
def _listed(shape: tuple, patterns: tuple[str, ...]) -> bool:
    return any(_generic(shape[:length]) in patterns for length in range(1, len(shape) + 1))


def _spans(text: str, words) -> list[tuple[int, int]]:
    spans = []
    for word in words:
        start = text.find(word)
        while start != -1:
            spans.append((start, start + len(word)))
            start = text.find(word, start + 1)
    return spans


def _inside(start: int, end: int, spans) -> bool:
    return any(a <= start and end <= b for a, b in spans)


def find_hits(item: Item, rules: Rules) -> list[Hit]:
    hits = []
    customer_facing = item.kind in rules.customer_facing_kinds
    any_term = rules.any_term
    for path, written in _strings(item.data):
        norm = normalized(written)          # what a reader sees: invisible characters cannot split a term
        text = norm.text
        if not path or not any_term.search(text) or _matches_field(path, rules.exempt_fields):
            continue
        allowed = _spans(text, rules.allowed)
        quoted = [m.span() for m in QUOTES.finditer(text)] if _matches_field(path, rules.quoted_mentions_in) else []
        tips = _tip_spans(text, rules.consumer_tips)
        found = []
        for rule in rules.terms:
            if rule.customer_facing_only and not customer_facing:
                continue
            for match in rule.regex.finditer(text):
                start, end = match.span()
                if start == end or _inside(start, end, allowed) or _inside(start, end, quoted):
                    continue
                if any(rule.term in terms and a <= start and end <= b for a, b, terms in tips):
                    continue      # a consumer tip (how or when to use, how long to keep): allowed
                found.append(Hit(rule, path, *norm.span(start, end), written))
        # a hit inside a longer hit is the same claim (保证 inside 保证收入): keep the longer one
        hits += [h for h in found if not any(o is not h and _inside(h.start, h.end, [(o.start, o.end)])
                                                 and (o.end - o.start) > (h.end - h.start) for o in found)]
    return hits


def _tip_spans(text: str, tips: tuple[ConsumerTip, ...]) -> list[tuple[int, int, tuple[str, ...]]]:
    """(start, end, terms it excuses) of every consumer-tip wording in a text."""
    return [(*match.span(), tip.terms) for tip in tips for match in tip.regex.finditer(text)]


def excerpt(text: str, start: int, end: int) -> str:
    """The hit with a little context, on one line: …全网最低价…"""
    left, right = max(0, start - CONTEXT_CHARS), min(len(text), end + CONTEXT_CHARS)
    shown = re.sub(r"\s+", " ", text[left:right]).strip()
    for _index, hidden in invisible_characters(shown):     # shown by name, so the report shows what hides
        shown = shown.replace(hidden, f"[U+{ord(hidden):04X}]")
    return ("…" if left > 0 else "") + shown + ("…" if right < len(text) else "")


# --- positions in the file ------------------------------------------------------------------

def _offset(lines: list[str], position: tuple[int, int]) -> int:
    line, column = position
    return sum(len(part) for part in lines[:line - 1]) + column - 1


def locate(source: str, value_start: tuple[int, int], text: str, start: int, end: int,
           next_start: tuple[int, int] | None = None) -> tuple[int, int]:
    """Line and column of a hit inside a value, found in the file text between where the value
    starts and where the next key or value starts; falls back to the value's own position
    when the value is written differently (escapes in double quotes)."""
    if not source or value_start[0] < 1:
        return value_start
    lines = source.splitlines(keepends=True)
    offset = _offset(lines, value_start)
    limit = _offset(lines, next_start) if next_start else len(source)
    word = text[start:end]
    nth = text.count(word, 0, start)       # earlier occurrences of the same words in the value
    found = offset - 1
    for _index in range(nth + 1):
        found = source.find(word, found + 1)
        if found == -1 or found + len(word) > limit:
            return value_start
    hit_line = source.count("\n", 0, found) + 1
    return hit_line, found - (source.rfind("\n", 0, found) + 1) + 1


# --- problems -------------------------------------------------------------------------------

def _status(item: Item) -> str | None:
    review = item.data.get("review")
    return review.get("status") if isinstance(review, dict) else None


def _exceptions(item: Item) -> list[tuple[int, dict]]:
    entries = item.data.get("compliance_exceptions")
    return [(i, e) for i, e in enumerate(entries) if isinstance(e, dict)] if isinstance(entries, list) else []


def _excused(hit: Hit, exceptions) -> int | None:
    """Index of the exception that covers a hit, if any."""
    for index, entry in exceptions:
        if entry.get("term") == hit.rule.term and entry.get("field") in (None, path_text(hit.path)):
            return index
    return None


def lint_item(item: Item, source: str | bytes = "", rules: Rules | None = None) -> list[Problem]:
    """All compliance problems of one item. `source` is the file's text, for exact columns."""
    if rules is None:
        rules, _problems = load_rules()
        if rules is None:
            return []          # the broken term list is reported once by rules_problems()
    if isinstance(source, bytes):
        source = source.decode("utf-8", errors="replace").removeprefix("\ufeff")
    blocking = _status(item) == "approved"
    exceptions = _exceptions(item)
    used: set[int] = set()
    problems = []
    for hit in find_hits(item, rules):
        index = _excused(hit, exceptions)
        if index is not None:
            used.add(index)
            continue
        severity = "error" if hit.rule.level == "error" and blocking else "warning"
        problems.append(_problem(item, source, hit, hit.rule.reason, hit.rule.suggestion, severity))
    problems += _placeholders(item, source, blocking)
    problems += invisible_problems(item, source)
    problems += _unused_exceptions(item, rules, exceptions, used)
    return problems


def _next_start(item: Item, start: tuple[int, int]) -> tuple[int, int] | None:
    """Where the next key or value after `start` begins: the end of the value at `start`."""
    document = item.document
    if document is None:
        return None
    later = [p for p in (*document.value_at.values(), *document.key_at.values()) if p > start]
    return min(later, default=None)


def _problem(item: Item, source: str, hit: Hit, reason: str, suggestion: str, severity: str) -> Problem:
    start = item.position(hit.path)
    line, column = locate(source, start, hit.text, hit.start, hit.end, _next_start(item, start))
    message = f"\"{excerpt(hit.text, hit.start, hit.end)}\" — {reason} — {suggestion}"
    return Problem(item.file, line, column, path_text(hit.path), message, "", severity)


PLACEHOLDER_RULE = Rule("【填写：…】", "error", "模板里的占位文字还没有替换", "换成实际内容", PLACEHOLDER)


def _placeholders(item: Item, source: str, blocking: bool) -> list[Problem]:
    problems = []
    for path, text in _strings(item.data):
        for match in PLACEHOLDER.finditer(text):
            hit = Hit(PLACEHOLDER_RULE, path, *match.span(), text)
            problems.append(_problem(item, source, hit, PLACEHOLDER_RULE.reason, PLACEHOLDER_RULE.suggestion,
                                     "error" if blocking else "warning"))
    return problems


def invisible_problems(item: Item, source: str) -> list[Problem]:
    """A warning for each invisible format character (zero-width space, soft hyphen, word
    joiner…): it is copied to customers with the text and can hide a word from this lint."""
    problems = []
    for path, text in _strings(item.data):
        for index, char in invisible_characters(text):
            value_start = item.position(path)
            line, column = locate(source, value_start, text, index, index + 1, _next_start(item, value_start))
            shown = excerpt(text, index, index + 1)
            problems.append(Problem(item.file, line, column, path_text(path),
                                    _("expected visible text only, received the invisible character U+{code} ({name}) at character "
                                      "{position}: \"{excerpt}\"").format(code=f"{ord(char):04X}", name=character_name(char),
                                                                          position=index + 1, excerpt=shown),
                                    _("delete it: it is copied to customers with the text and can hide a word from the compliance check"),
                                    "warning"))
    return problems


def _unused_exceptions(item: Item, rules: Rules, exceptions, used: set[int]) -> list[Problem]:
    """An exception that excuses nothing would silently excuse a future problem: report it."""
    known = [rule.term for rule in rules.terms]
    problems = []
    for index, entry in exceptions:
        term = entry.get("term")
        if index in used or not isinstance(term, str):
            continue
        path = ("compliance_exceptions", index, "term")
        if term not in known:
            close = difflib.get_close_matches(term, known, n=1, cutoff=0.5)
            message = _("expected a term listed in scripts/kb/data/compliance.yml, received '{term}'").format(term=term)
            hint = (_("did you mean '{suggestion}'?").format(suggestion=close[0]) if close else
                    _("copy the term from the lint message"))
        else:
            where = _("field {field}").format(field=entry["field"]) if entry.get("field") else _("this item")
            message = _("the exception for '{term}' is not used: the term does not occur in {where}").format(term=term, where=where)
            hint = _("remove the entry, so it cannot excuse a later change by accident")
        problems.append(Problem(item.file, *item.position(path), path_text(path), message, hint, "warning"))
    return problems


def rules_problems() -> list[Problem]:
    """Problems with the term list itself (reported once per check)."""
    return load_rules()[1]
