"""Thin command line: parses arguments, calls the library, turns known failures into messages.

Exit codes: 0 success, 1 content or build problems, 2 usage errors.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kb.py", description="Sales-training knowledge base: validate, build, quiz.")
    parser.add_argument("--root", type=Path, default=ROOT, help="project folder (default: this repository)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("check", help="validate content/ only; writes nothing")
    commands.add_parser("build", help="validate, render pages and build the site into _build/html")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return 2 if exit_.code not in (0, None) else 0
    from .pipeline import Progress
    from .problems import ContentError
    from .site import BuildError, BuildLocked
    root = args.root.resolve()
    progress = Progress()
    try:
        if args.command == "check":
            from .pipeline import check
            check(root, progress)
            print("ok: content is valid")
        elif args.command == "build":
            from .pipeline import build
            build(root, progress)
            print(f"ok: site built in {root / '_build' / 'html' / 'index.html'}")
        return 0
    except ContentError as error:
        print(error.report(), file=sys.stderr)
        return 1
    except (BuildError, BuildLocked) as error:
        print(f"error: {error}", file=sys.stderr)
        print("The previous site in _build/html was left as it was.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; the previous site in _build/html was left as it was.", file=sys.stderr)
        return 130
