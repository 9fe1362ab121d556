"""Search keywords for a script: the customer's phrases cut into clauses and words.

They become Sphinx index entries next to the script's anchor, so the browser search lands
on the exact script for short queries such as 太贵, 考虑一下, 过敏, 退货.
"""
from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path

USER_DICT = Path(__file__).parent / "data" / "search_words.txt"
_CLAUSE_SPLIT = re.compile(r"[^\w]+")     # \w keeps CJK, letters and digits
_STOP = {"一下", "这个", "那个", "什么", "怎么", "可以", "你们", "我们", "还是", "就是", "是不是", "有没有", "不是", "没有", "一个"}


@lru_cache(maxsize=1)
def _jieba():
    import jieba
    jieba.setLogLevel(logging.WARNING)
    jieba.load_userdict(str(USER_DICT))
    return jieba


def clauses(text: str) -> list[str]:
    return [part for part in _CLAUSE_SPLIT.split(text) if len(part) >= 2]


def keywords(phrases: list[str], limit: int = 24) -> list[str]:
    """Clauses first, then words of two or more characters, deduplicated, in a stable order."""
    found: list[str] = []
    for phrase in phrases:
        found += clauses(phrase)
    for phrase in phrases:
        found += [w for w in _jieba().cut_for_search(phrase) if len(w) >= 2 and w not in _STOP and _CLAUSE_SPLIT.fullmatch(w) is None]
    unique = list(dict.fromkeys(w.lower() for w in found if not _CLAUSE_SPLIT.search(w)))
    return unique[:limit]
