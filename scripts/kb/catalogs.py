"""Maintaining the message catalogs (Babel): extract the msgids from the code, update the .po
files, compile them, and list what a catalog lacks. Used by `scripts/messages.py` and the tests.

What is extracted: every `_()`, `ngettext()` and `N_()` in `scripts/kb/**.py` (the mapping in
`locale/babel.cfg`), the field descriptions of the JSON Schemas in `schemas/` (shown in hints),
and the messages of Python's own `argparse` (usage, errors, help), which the CLI shows translated.
"""
from __future__ import annotations

import argparse as _argparse_module
import io
import json
import re
from pathlib import Path

from .i18n import DOMAIN, LOCALE_DIR, po_path, save_compiled

PACKAGE_DIR = Path(__file__).resolve().parent
MAPPING = LOCALE_DIR / "babel.cfg"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
ARGPARSE_LOCATION = "<python>/argparse.py"


def extract():
    """A template Catalog of every msgid in the code and in argparse."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir, extract_from_file
    from babel.messages.frontend import parse_mapping_cfg
    with MAPPING.open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    template = Catalog(project="kb", domain=DOMAIN, fuzzy=False)
    found = extract_from_dir(str(PACKAGE_DIR), method_map, options_map, keywords=KEYWORDS)
    for filename, lineno, message, comments, context in found:
        template.add(message, None, [(f"scripts/kb/{filename}", lineno)], auto_comments=comments, context=context)
    for lineno, message, comments, context in extract_from_file("python", _argparse_module.__file__, keywords=KEYWORDS):
        template.add(message, None, [(ARGPARSE_LOCATION, lineno)], auto_comments=comments, context=context)
    for path in sorted((PACKAGE_DIR / "schemas").glob("*.schema.json")):
        for description in schema_descriptions(json.loads(path.read_text(encoding="utf-8"))):
            template.add(description, None, [(f"scripts/kb/schemas/{path.name}", None)],
                         auto_comments=["a field's description in the JSON Schema, shown in hints"])
    return template


def schema_descriptions(schema) -> list[str]:
    """Every "description" text in a JSON Schema (schema.py shows them translated in hints)."""
    found = []
    if isinstance(schema, dict):
        if isinstance(schema.get("description"), str):
            found.append(schema["description"])
        for key, value in schema.items():
            if key != "description":
                found += schema_descriptions(value)
    elif isinstance(schema, list):
        for value in schema:
            found += schema_descriptions(value)
    return found


def read_catalog(language: str):
    from babel.messages.pofile import read_po
    with po_path(language).open("rb") as handle:
        return read_po(handle, locale=language, domain=DOMAIN)


def write_catalog(catalog, path: Path) -> None:
    """Locations without line numbers and sorted entries keep diffs and merges small."""
    from babel.messages.pofile import write_po
    out = io.BytesIO()
    write_po(out, catalog, width=100, sort_output=True, ignore_obsolete=True, include_lineno=False,
             include_previous=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())


def update(languages: list[str]) -> dict[str, list[str]]:
    """Merge the extracted msgids into each language's .po (new ones empty, changed ones fuzzy,
    gone ones dropped). Returns, per language, the msgids still to translate."""
    from babel.messages.catalog import Catalog
    template = extract()
    todo = {}
    for language in languages:
        path = po_path(language)
        if path.exists():
            catalog = read_catalog(language)
            template.creation_date = catalog.creation_date   # no header churn between runs
        else:
            catalog = Catalog(locale=language, domain=DOMAIN, project="kb", fuzzy=False)
        catalog.update(template, update_header_comment=False)
        write_catalog(catalog, path)
        todo[language] = [problem.msgid for problem in missing(catalog, template)]
    return todo


def compile_all(languages: list[str]) -> list[Path]:
    for language in languages:
        save_compiled(language)
    return [po_path(language).with_suffix(".mo") for language in languages]


_BRACE = re.compile(r"\{(?:[A-Za-z_]\w*|\d*)(?:![rsa])?(?::[^{}]*)?\}")   # {name}, {0}, {x!r}, {n:>3}; not a lone '{'
_PERCENT = re.compile(r"%(?:\([^)]*\))?[#0 +-]*\d*(?:\.\d+)?[sdrifgeExXoc%]")


def placeholders(text: str) -> list[str]:
    """The `{name}` fields and `%(name)s` / `%s` conversions of a message, sorted."""
    found = _BRACE.findall(text.replace("{{", "").replace("}}", ""))
    found += [m for m in _PERCENT.findall(text) if m != "%%"]
    return sorted(found)


class Gap:
    def __init__(self, msgid, reason: str):
        self.msgid = msgid
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.msgid!r}: {self.reason}"


def missing(catalog, template) -> list[Gap]:
    """Every msgid of the template that the catalog does not translate properly: absent, empty,
    fuzzy, with other placeholders, or with other leading/trailing newlines."""
    gaps = []
    for message in template:
        if not message.id:
            continue
        entry = catalog.get(message.id, message.context)
        if entry is None:
            gaps.append(Gap(message.id, "no translation"))
            continue
        if entry.fuzzy:
            gaps.append(Gap(message.id, "marked fuzzy: check it and remove the fuzzy flag"))
            continue
        ids = entry.id if isinstance(entry.id, (list, tuple)) else [entry.id]
        strs = entry.string if isinstance(entry.string, (list, tuple)) else [entry.string]
        if not strs or not all(strs):
            gaps.append(Gap(message.id, "empty translation"))
            continue
        for text in strs:
            if placeholders(text) != placeholders(ids[-1]) and placeholders(text) != placeholders(ids[0]):
                gaps.append(Gap(message.id, f"placeholders {placeholders(text)} differ from {placeholders(ids[0])}"))
            elif text.startswith("\n") != ids[0].startswith("\n") or text.endswith("\n") != ids[0].endswith("\n"):
                gaps.append(Gap(message.id, "leading or trailing newline differs"))
    return gaps
