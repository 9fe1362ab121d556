#!/usr/bin/env python3
"""Message catalogs of the CLI (gettext, Babel).

    python scripts/messages.py update     # re-extract msgids from scripts/kb into every .po; lists what to translate
    python scripts/messages.py compile    # compile the .po files to .mo (also done on first use)
    python scripts/messages.py check      # exit 1 when a msgid lacks a proper translation
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from kb.i18n import ENGLISH, available_languages  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description="Maintain the kb message catalogs.")
    parser.add_argument("action", choices=["update", "compile", "check"])
    parser.add_argument("--lang", action="append", help="only this language (default: every catalog, e.g. zh_CN)")
    args = parser.parse_args()
    from kb import catalogs
    languages = args.lang or [lang for lang in available_languages() if lang != ENGLISH]
    if args.action == "compile":
        for path in catalogs.compile_all(languages):
            print(f"compiled {path}")
        return 0
    if args.action == "update":
        todo = catalogs.update(languages)
    else:
        template = catalogs.extract()
        todo = {lang: [str(gap) for gap in catalogs.missing(catalogs.read_catalog(lang), template)] for lang in languages}
    for language, msgids in todo.items():
        print(f"{catalogs.po_path(language)}: {len(msgids)} message(s) to translate")
        for msgid in msgids:
            print(f"  {msgid!r}" if args.action == "update" else f"  {msgid}")
    return 1 if args.action == "check" and any(todo.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
