"""Turn untrusted trainer text into MyST that renders as exactly that text.

Every ASCII punctuation character is backslash-escaped (CommonMark allows it for all of
them), so no Markdown, HTML, MyST role/directive, substitution or link syntax survives;
line breaks are flattened so text cannot start a new block. Code blocks use a fence
longer than any backtick run inside the text.
"""
from __future__ import annotations

import re

_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")   # all ASCII punctuation
_SPACES = re.compile(r"\s+")
_BACKTICKS = re.compile(r"`+")


class Raw(str):
    """MyST the project itself wrote (links, fences, labels): passed through unescaped."""


def escape(value) -> Raw:
    if isinstance(value, Raw):
        return value
    text = _SPACES.sub(" ", str(value)).strip()
    return Raw(_SPECIAL.sub(r"\\\1", text))


def paragraphs(value) -> Raw:
    """Multi-line text as separate escaped paragraphs."""
    lines = [line for line in str(value).splitlines() if line.strip()]
    return Raw("\n\n".join(escape(line) for line in lines))


def code_block(value, language: str = "text") -> Raw:
    text = str(value).replace("\r\n", "\n").strip("\n")
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * max(3, longest + 1)
    return Raw(f"{fence}{language}\n{text}\n{fence}")


def table(header: list[str], rows: list[list]) -> Raw:
    lines = ["| " + " | ".join(escape(h) for h in header) + " |",
             "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(escape(cell) for cell in row) + " |" for row in rows]
    return Raw("\n".join(lines))
