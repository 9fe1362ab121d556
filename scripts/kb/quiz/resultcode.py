"""成绩码: the compact code a self-check page puts in the result text a rep pastes into WeChat.

KB1.<base64url of the attempt record's JSON, raw-deflate compressed> (KB0. when the browser
cannot compress: the JSON itself). `kb.py results import` finds the codes in pasted text and
checks the records inside like any other record (schema, digest)."""
from __future__ import annotations

import base64
import binascii
import re
import zlib

CODE = re.compile(r"KB([01])\.([A-Za-z0-9_-]+)")
MAX_JSON = 1_000_000          # a record is a few KB; refuse to inflate a bomb


def find_codes(text: str) -> list[tuple[int, str]]:
    """(line number, code) of every result code in the text."""
    return [(number, match.group(0)) for number, line in enumerate(text.splitlines(), 1) for match in CODE.finditer(line)]


def decode(code: str) -> str:
    """The record's JSON text; ValueError when the code is cut short or damaged."""
    match = CODE.fullmatch(code.strip())
    if not match:
        raise ValueError("not a result code")
    try:
        data = base64.urlsafe_b64decode(match.group(2) + "=" * (-len(match.group(2)) % 4))
        if match.group(1) == "1":
            inflater = zlib.decompressobj(wbits=-15)
            data = inflater.decompress(data, MAX_JSON)
            if inflater.unconsumed_tail or not inflater.eof:
                raise ValueError("incomplete")
        return data.decode("utf-8")
    except (binascii.Error, zlib.error, UnicodeDecodeError, ValueError) as error:
        raise ValueError(str(error)) from None
