"""Learner text made safe to print or render: the one function for it.

Names and answers are typed on learners' machines. Before they reach a terminal, a report or a
message, control characters (ANSI escapes could clear the screen and print a fake result),
bidirectional overrides (which reorder what a reader sees) and zero-width characters (which
make two different names look alike) are shown escaped as visible \\uXXXX text. Everything
else, Chinese included, is kept as typed.
"""
from __future__ import annotations

import re

# bidi embeddings/overrides/isolates and marks, zero-width and invisible formatting characters
_INVISIBLE = "\u061c\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064" \
             "\u2066\u2067\u2068\u2069\u206a\u206b\u206c\u206d\u206e\u206f\ufeff\u180e\u00ad"
_UNSAFE = re.compile("[\u0000-\u001f\u007f-\u009f" + _INVISIBLE + "\U000e0000-\U000e007f\ud800-\udfff]")
_UNSAFE_KEEP_LINES = re.compile("[\u0000-\u0009\u000b-\u001f\u007f-\u009f" + _INVISIBLE + "\U000e0000-\U000e007f\ud800-\udfff]")


def _escaped(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def safe_text(text, keep_newlines: bool = False) -> str:
    """`text` with every control, bidi-override and zero-width character shown as an escape
    (\\x1b, \\u202e, \\u200b …); `keep_newlines` keeps line breaks (multi-line messages)."""
    text = str(text)
    pattern = _UNSAFE_KEEP_LINES if keep_newlines else _UNSAFE
    if pattern.search(text) is None:
        return text
    return pattern.sub(_escaped, text)
