"""Text as a reader sees it: NFKC-normalized, with invisible format characters removed.

A zero-width space inside 根治, a soft hyphen in 治愈 or full-width digits (１００％) look the
same on the page but defeat a plain search. The compliance lint (and anything else that
compares trainer text with words, such as tag names) works on `normalized` text, and maps
what it finds back to positions in the text as written.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Unicode's format characters (category Cf), listed so the common case (none present) is one
# regex search; the slow path checks unicodedata.category itself, so this list only needs to
# be a superset of what matters in practice.
_MAYBE_FORMAT = re.compile("[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
                           "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
                           "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
                           "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]")


@dataclass(frozen=True)
class Normalized:
    text: str                  # what the lint reads
    origin: tuple[int, ...]    # origin[i]: index in the written text of text[i]; len(text)+1 entries

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The span in the written text of text[start:end] (end exclusive)."""
        if start >= end:
            return self.origin[start], self.origin[start]
        return self.origin[start], self.origin[end - 1] + 1


def is_format_character(char: str) -> bool:
    return unicodedata.category(char) == "Cf"


@lru_cache(maxsize=65536)
def normalized(text: str) -> Normalized:
    """The text NFKC-normalized character by character, format characters removed."""
    if text.isascii() or (unicodedata.is_normalized("NFKC", text) and not _MAYBE_FORMAT.search(text)):
        return Normalized(text, tuple(range(len(text) + 1)))
    out, origin = [], []
    for index, char in enumerate(text):
        if is_format_character(char):
            continue
        for piece in unicodedata.normalize("NFKC", char):
            out.append(piece)
            origin.append(index)
    origin.append(len(text))
    return Normalized("".join(out), tuple(origin))


def invisible_characters(text: str) -> list[tuple[int, str]]:
    """(index, character) of every format character, except a zero-width joiner inside an
    emoji sequence (👩‍💻), where it is part of the picture."""
    if not _MAYBE_FORMAT.search(text):
        return []
    found = []
    for index, char in enumerate(text):
        if not is_format_character(char):
            continue
        if char == "\u200d" and 0 < index < len(text) - 1 and _pictographic(text[index - 1]) and _pictographic(text[index + 1]):
            continue
        found.append((index, char))
    return found


def _pictographic(char: str) -> bool:
    return ord(char) >= 0x1F000 or char == "\ufe0f" or unicodedata.category(char) == "So"


def character_name(char: str) -> str:
    return unicodedata.name(char, "format character").lower()


def plain(text: str) -> str:
    """The normalized text alone: the key under which texts that look the same are one (tags,
    group names), so an invisible character cannot make a second, identical-looking entry."""
    return normalized(text).text
