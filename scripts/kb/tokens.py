"""The finder's tokenizer. book/_static/finder.js holds the same function for the browser;
tests/test_finder_tokens.py runs both on a corpus and requires identical tokens.

Chinese is not segmented into words (the browser has no dictionary): every run of CJK
characters gives its single characters and its character pairs (bigrams), every run of
Latin letters or digits gives the whole word. A trainer's synonym group adds one token
"~<group's first term>" when any of its terms occurs in the text, so 退款 in a query meets
退货 in a script. Nothing here depends on word boundaries, so no query word has to match.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# CJK unified ideographs (with extension A and compatibility ideographs) / ASCII letters and digits
_RUNS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[a-z0-9]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
MAX_QUERY_CHARS = 200     # a pasted essay is cut: the customer's point is in its first sentences


def normalize(text: str) -> str:
    """Full-width letters and digits to ASCII (NFKC), lower case. JS: normalize("NFKC").toLowerCase()."""
    return unicodedata.normalize("NFKC", text).lower()


def tokenize(text: str, synonyms: list[list[str]] = ()) -> list[str]:
    """Tokens of a text in order of appearance, repeats kept (they are term frequencies).
    `synonyms` are groups of already normalized terms (index["synonyms"])."""
    text = normalize(text)
    tokens: list[str] = []
    for match in _RUNS.finditer(text):
        run = match.group()
        if _CJK.match(run):
            tokens.extend(run)
            tokens.extend(run[i:i + 2] for i in range(len(run) - 1))
        else:
            tokens.append(run)
    for marker, pattern in _group_patterns(tuple(map(tuple, synonyms))):
        if pattern.search(text):
            tokens.append(marker)
    return tokens


@lru_cache(maxsize=8)
def _group_patterns(groups: tuple[tuple[str, ...], ...]) -> list[tuple[str, re.Pattern]]:
    """One compiled alternation per group: "does any of its terms occur" in one C-speed search."""
    return [("~" + group[0], re.compile("|".join(map(re.escape, group)))) for group in groups if group]
