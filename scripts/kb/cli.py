"""Thin command line: parses arguments, calls the library, turns known failures into messages.

Exit codes: 0 success, 1 content or build problems, 2 usage errors.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .i18n import N_, _

ROOT = Path(__file__).resolve().parents[2]


def _day(text: str):
    from datetime import date
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("expected a date written YYYY-MM-DD, received '{text}'").format(text=text)) from None


def _bounded(low: int, high: int, message: str):
    """An argument type for whole numbers in [low, high]: anything else is a usage error.
    `message` is an N_() text with {low}, {high} and {received}."""
    def parse(text: str) -> int:
        digits = text[1:] if text.startswith("-") else text
        if not (digits.isascii() and digits.isdigit()) or len(digits) > 12 or not low <= int(text) <= high:
            raise argparse.ArgumentTypeError(_(message).format(low=low, high=high, received=text[:40]))
        return int(text)
    return parse


_count = _bounded(0, 10**9, N_("expected a whole number from {low} to {high}, received '{received}'"))
_port = _bounded(0, 65535, N_("expected a port number from {low} to {high}, received '{received}'"))
_days = _bounded(0, 36500, N_("expected a number of days from {low} to {high}, received '{received}'"))


def _site_url(text: str) -> str:
    """Only web addresses (http, https) or addresses relative to the page: a javascript: or
    data: address in a link would run or show whatever it holds."""
    from urllib.parse import urlsplit
    try:
        parts = urlsplit(text)
    except ValueError:
        parts = None
    if parts is None or any(ord(c) < 0x20 or c in "\x7f\\" for c in text) or (
            parts.scheme and (parts.scheme.lower() not in ("http", "https") or not parts.netloc)):
        raise argparse.ArgumentTypeError(_("expected an http(s) address such as https://kb.example.com/ or a relative one "
                                           "such as ../html/, received '{received}'").format(received=text[:60]))
    return text


def describe_failure(error: BaseException) -> str:
    """One line for a failure no part of the program turned into a message itself."""
    if isinstance(error, OSError):
        where = f": {error.filename}" if error.filename else ""
        reason = error.strerror or str(error) or type(error).__name__
        return _("error: {reason}\n    hint: check the path, its permissions and the free disk space; --debug shows the details").format(
            reason=reason + where)
    if isinstance(error, RecursionError):
        return _("error: the input is nested too deeply to read\n    hint: --debug shows where")
    reason = str(error) or type(error).__name__
    return _("error: {reason}\n    hint: --debug shows the details").format(reason=reason[:300])


def _choose_language(argv: list[str]) -> list[str]:
    """Apply `--lang` before the parser is built (its help texts are translated), and let
    argparse's own texts (usage, errors) speak the same language. `--lang` may be written
    anywhere (`kb.py check --lang en`): it is moved in front of the command for the parser."""
    from . import i18n
    rest, chosen, index = [], None, 0
    while index < len(argv):
        word = argv[index]
        if word.startswith("--lang="):
            chosen = word.split("=", 1)[1]
        elif word == "--lang" and index + 1 < len(argv):
            chosen = argv[index + 1]
            index += 1
        else:
            rest.append(word)
        index += 1
    if chosen is not None:
        try:
            i18n.set_language(chosen)
        except ValueError:
            pass                                      # the parser reports it with the choices
    argparse._ = i18n.gettext
    argparse.ngettext = i18n.ngettext
    return rest if chosen is None else ["--lang", chosen, *rest]


def _language(text: str) -> str:
    from .i18n import available_languages, normalize
    if normalize(text) is None:
        raise argparse.ArgumentTypeError(_("expected one of {choices}, received '{text}'").format(choices=", ".join(available_languages()), text=text))
    return text


def _min_n(text: str) -> int:
    if not text.isdigit() or int(text) < 3:
        raise argparse.ArgumentTypeError(_("expected a whole number 3 or more, received '{text}'").format(text=text))
    return int(text)


def _filters(command) -> None:
    command.add_argument("--role", action="append", default=[], metavar="ROLE", help=_("only this role (repeatable)"))
    command.add_argument("--team", action="append", default=[], metavar="TEAM", help=_("only this team (repeatable; set with results import --team)"))
    command.add_argument("--since", type=_day, help=_("only attempts on or after this day (YYYY-MM-DD)"))
    command.add_argument("--until", type=_day, help=_("only attempts on or before this day (YYYY-MM-DD)"))


def _filter_values(args):
    from .coaching.db import Filters
    return Filters(tuple(args.role), tuple(args.team), args.since.isoformat() if args.since else None,
                   args.until.isoformat() if args.until else None)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kb.py", description=_("Sales-training knowledge base: validate, build, quiz."))
    parser.add_argument("--root", type=Path, default=ROOT, help=_("project folder (default: this repository)"))
    parser.add_argument("--lang", type=_language, metavar="LANG",
                        help=_("language of the messages: zh_CN or en (default: KB_LANG, else the locale, else zh_CN)"))
    parser.add_argument("--debug", action="store_true", help=_("show the Python traceback of an unexpected failure"))
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("check", help=_("validate content/ only; writes nothing"))
    build = commands.add_parser("build", help=_("validate, render pages and build the site into _build/html"))
    build.add_argument("--preview", action="store_true",
                       help=_("show drafts, items in review and expired items with a banner, in _build/preview (never published)"))
    build.add_argument("--force", action="store_true",
                       help=_("build again even when content, code and date are those of the site already published"))
    build.add_argument("--today", type=_day, help=argparse.SUPPRESS)   # tests: the date expiry is measured against
    review = commands.add_parser("review", help=_("list items waiting for review, expired or expiring soon, by owner"))
    review.add_argument("--days", type=_days, default=30, help=_("report items whose review_by date is within this many days (default 30)"))
    review.add_argument("--today", type=_day, help=argparse.SUPPRESS)
    new = commands.add_parser("new", help=_("write a commented template for a new item into content/"))
    new.add_argument("kind", choices=["script", "product", "case", "role", "rule", "sop"], help=_("what to create"))
    new.add_argument("id", help=_("the new id, e.g. objection-need-discount (also the file name)"))
    serve = commands.add_parser("serve", help=_("build, serve the site on 127.0.0.1 and rebuild when content changes"))
    serve.add_argument("--port", type=_port, default=8000, help=_("port to listen on (default 8000; 0 picks a free one)"))
    serve.add_argument("--preview", action="store_true", help=_("serve the preview build (drafts with banners) instead"))
    serve.add_argument("--max-seconds", type=float, default=None, help=_("stop by itself after this many seconds (for tests)"))
    quiz = commands.add_parser("quiz", help=_("write each role's self-graded quiz notebook into quizzes/"))
    variant = quiz.add_mutually_exclusive_group()
    variant.add_argument("--seed", type=_count, default=0, metavar="N", help=_("seed of the quiz (default 0, the one on the site); another seed gives an equivalent variant"))
    variant.add_argument("--variant", type=_count, dest="seed", default=argparse.SUPPRESS, metavar="N", help=_("same as --seed: variant N for a retake, written as quizzes/<role>-vN.ipynb"))
    quiz.add_argument("--certify", action="store_true", help=_("certification: notebooks and offline pages that only record answers (quizzes/certify/), key in keys/"))
    quiz.add_argument("--role", action="append", metavar="ROLE", help=_("only this role (repeatable; default: every role)"))
    quiz.add_argument("--site-url", type=_site_url, help=_("address of the published site for the links to reread (default: html.baseurl in _config.yml, else the local _build/html)"))
    grade = commands.add_parser("grade", help=_("certification: score answer records with the trainer's key"))
    grade.add_argument("files", nargs="+", type=Path, metavar="FILE", help=_("records (.jsonl) saved by certification notebooks or pages, or the learners' .ipynb files"))
    grade.add_argument("--key", type=Path, help=_("a key file to use besides keys/ (default: the key of the version each record names, from keys/<quiz>/<version>.json)"))
    grade.add_argument("--out", type=Path, help=_("also append the signed graded records to this JSON Lines file"))
    results = commands.add_parser("results", help=_("quiz results: import attempt records into the results database, export them"))
    results_actions = results.add_subparsers(dest="results_action", required=True, metavar="ACTION")
    importer = results_actions.add_parser("import", help=_("check attempt records (JSON Lines), re-grade practice ones and add them to results/results.sqlite3"))
    importer.add_argument("files", nargs="+", type=Path, metavar="FILE", help=_("a .jsonl file from a quiz notebook or a self-check page; - reads standard input"))
    importer.add_argument("--team", help=_("the team these learners belong to (the report filters by it)"))
    exporter = results_actions.add_parser("export", help=_("write every attempt as JSON Lines (importable) or CSV"))
    exporter.add_argument("--format", choices=["jsonl", "csv"], default="jsonl", help=_("jsonl (default) or csv"))
    exporter.add_argument("--out", type=Path, help=_("file to write (default: standard output)"))
    _filters(exporter)
    report = commands.add_parser("report", help=_("coaching report: reports/coaching.ipynb and reports/coaching.html, and a page per learner"))
    report.add_argument("--demo", action="store_true", help=_("use simulated results (results/demo/), never mixed with real ones"))
    report.add_argument("--public", action="store_true", help=_("a version without learners' names or personal data"))
    report.add_argument("--site-url", type=_site_url, help=_("address of the published site for reading-list links (default: the local _build/html)"))
    report.add_argument("--min-n", type=_min_n, default=10, metavar="N", help=_("smallest sample a statistic is shown for (default 10; 3 at least, below 10 with a caution)"))
    _filters(report)
    deck = commands.add_parser("deck", help=_("Anki decks per role: decks/<role>.apkg (scripts and product facts)"))
    deck.add_argument("--role", action="append", metavar="ROLE", help=_("only this role (repeatable; default: every role)"))
    practice = commands.add_parser("practice", help=_("drill notebooks per role (quizzes/drills/), or a learner's personal practice set"))
    practice.add_argument("--role", action="append", metavar="ROLE", help=_("only this role (repeatable; default: every role)"))
    practice.add_argument("--learner", metavar="NAME", help=_("the learner whose quiz attempts in the results store make the personal practice set"))
    return parser


def _practice(root: Path, args) -> int:
    """kb.py practice: drill notebooks, or with --learner the learner's 错题本."""
    if args.learner is None:
        from .practice.generate import write_drill_notebooks
        written = write_drill_notebooks(root, args.role)
        changed = sum(written.values())
        print(_("ok: {count} drill notebook(s) in {folder} ({written} written, {unchanged} unchanged)").format(
            count=len(written), folder=root / "quizzes" / "drills", written=changed, unchanged=len(written) - changed))
        return 0
    from .practice.generate import write_mistakes
    report = write_mistakes(root, args.learner)
    for item_id in report.gone:
        print(_("note: missed item {item} is no longer in the quiz pool (its content changed); it is left out").format(item=item_id), file=sys.stderr)
    if not report.missed:
        print(_("ok: {learner} has {attempts} attempt(s) and no missed question to practise").format(learner=report.learner, attempts=report.attempts))
        return 0
    print(_("ok: {learner}: {missed} missed question(s), {variants} variant(s), {drills} drill(s) from the scripts behind them").format(
        learner=report.learner, missed=len(report.missed), variants=report.variants, drills=report.drills))
    for path in report.written:
        print(f"  {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run one command. The error boundary: every failure becomes a message and an exit code
    (1 problems, 2 usage), never a traceback unless --debug asks for it."""
    argv = _choose_language(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return 2 if exit_.code not in (0, None) else 0
    try:
        code = _run(args)
        sys.stdout.flush()          # a closed pipe shows here, inside the boundary
        return code
    except BrokenPipeError:
        # the reader went away (kb.py review | head): stop quietly; later writes go nowhere
        import os
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except (OSError, ValueError, OverflowError, RecursionError, MemoryError) as error:
        if args.debug:
            import traceback
            traceback.print_exc()
        print(describe_failure(error), file=sys.stderr)
        return 1


def _run(args) -> int:
    from .pipeline import Progress
    from .problems import ContentError
    from .site import BuildError, BuildLocked
    root = args.root.resolve()
    progress = Progress()
    try:
        if args.command == "check":
            from .pipeline import check
            check(root, progress)
            print(_("ok: content is valid"))
        elif args.command == "build":
            from .pipeline import build
            build(root, progress, preview=args.preview, today=args.today, force=args.force)
            if args.preview:
                print(_("ok: preview built in {page} (not published)").format(page=root / "_build" / "preview" / "index.html"))
            else:
                print(_("ok: site built in {page}").format(page=root / "_build" / "html" / "index.html"))
        elif args.command == "review":
            from .pipeline import review_overview
            print(review_overview(root, on=args.today, within_days=args.days))
        elif args.command == "new":
            from .scaffold import create
            created = create(root, args.kind, args.id)
            print(_("ok: wrote {file}; replace every 【填写…】, then run python scripts/kb.py check").format(file=created))
        elif args.command == "serve":
            from .serve import serve
            return serve(root, port=args.port, preview=args.preview, max_seconds=args.max_seconds)
        elif args.command == "quiz":
            from .quiz.generate import write_quizzes
            written = write_quizzes(root, progress, seed=args.seed, certify=args.certify, site_url=args.site_url, roles=args.role)
            done = _("ok: {count} quiz file(s) in {folder}").format(count=len(written), folder=root / "quizzes")
            if args.certify:
                done += _("; the answer keys are in {folder} (keep them private)").format(folder=root / "keys")
            print(done)
        elif args.command == "grade":
            from .quiz.grade import grade_files, summary
            from .safetext import safe_text
            graded = grade_files(root, [f.resolve() for f in args.files], args.key.resolve() if args.key else None, args.out.resolve() if args.out else None)
            for problem in graded.problems:
                print(safe_text(problem.format(), keep_newlines=True), file=sys.stderr)
            print(summary(graded))
            return 1 if graded.errors else 0
        elif args.command == "results" and args.results_action == "export":
            from .coaching.db import connect, export
            connection = connect(root)
            if args.out:
                with args.out.open("w", encoding="utf-8", newline="") as handle:
                    count = export(connection, args.format, handle, _filter_values(args))
                print(_("ok: exported {count} attempt(s) to {path}").format(count=count, path=args.out), file=sys.stderr)
            elif sys.stdout.isatty():        # on a terminal, learners' text is shown escaped
                import io
                from .safetext import safe_text
                buffer = io.StringIO()
                export(connection, args.format, buffer, _filter_values(args))
                sys.stdout.write(safe_text(buffer.getvalue(), keep_newlines=True))
            else:                              # into a file or a pipe: the data exactly as stored
                export(connection, args.format, sys.stdout, _filter_values(args))
        elif args.command == "results":
            from .coaching.db import DATABASE
            from .coaching.store import import_files
            from .safetext import safe_text
            files = [f if str(f) == "-" else f.resolve() for f in args.files]
            imported = import_files(root, files, stdin=sys.stdin.buffer, team=args.team)
            for problem in imported.problems:
                print(safe_text(problem.format(), keep_newlines=True), file=sys.stderr)
            print(_("ok: {summary}").format(summary=imported.summary(str(DATABASE))))
        elif args.command == "report":
            from .coaching.report import build_report
            made = build_report(root, demo=args.demo, public=args.public, site_url=args.site_url, progress=progress,
                                min_n=args.min_n, filters=_filter_values(args))
            print(_("ok: report in {page} (notebook: {notebook})").format(page=made.page, notebook=made.notebook))
            if made.learner_pages:
                print(_("ok: {count} one-to-one page(s) in {folder}").format(count=made.learner_pages, folder=made.learner_folder))
        elif args.command == "deck":
            from .practice.deck import write_decks
            written = write_decks(root, args.role)
            for path, notes in written.items():
                print(_("{path}: {notes} notes").format(path=path, notes=notes))
            print(_("ok: {count} deck(s) in {folder}; import them in Anki (File → Import), a rebuilt deck updates the same cards").format(
                count=len(written), folder=root / "decks"))
        elif args.command == "practice":
            return _practice(root, args)
        return 0
    except ContentError as error:
        from .safetext import safe_text
        print(safe_text(error.report(), keep_newlines=True), file=sys.stderr)
        return 1
    except (BuildError, BuildLocked) as error:
        print(_("error: {error}").format(error=error), file=sys.stderr)
        print(_("The previous site in _build/html was left as it was."), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(_("interrupted; the previous site in _build/html was left as it was."), file=sys.stderr)
        return 130
