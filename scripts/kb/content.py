"""Reader: every YAML file under content/ -> validated plain data (model.Content).

Collects every problem across all files and raises ContentError once.
"""
from __future__ import annotations

import dataclasses
import difflib
import hashlib
import os
import re
from functools import lru_cache
from pathlib import Path

from .model import KIND_BY_FOLDER, KIND_BY_NAME, REFERENCES, Content, Item, walk_refs
from .problems import ContentError, Problem, path_text
from .schema import validate_data
from .yamlread import read_yaml
from .lint import lint_item, rules_problems
from .review import check_review_fields
from .i18n import _, os_reason


def content_files(content_dir: Path, root: Path) -> tuple[list[tuple[str, Path]], list[Problem]]:
    """(kind, path) for each content file, and problems with the folder layout itself."""
    files, problems = [], []
    if not content_dir.is_dir():
        return [], [Problem(_rel(content_dir, root), 0, 0, "", _("expected a content folder, found none"),
                            _("run the command from the project folder, or create content/"))]
    real_content = content_dir.resolve()
    for folder in sorted(content_dir.iterdir()):
        if not folder.is_dir():
            continue
        kind = KIND_BY_FOLDER.get(folder.name)
        if kind is None:
            problems.append(Problem(_rel(folder, root), 0, 0, "", _("unknown content folder '{folder}'").format(folder=folder.name),
                                    _("expected one of {choices}").format(choices=", ".join(KIND_BY_FOLDER)) + _close(folder.name, KIND_BY_FOLDER)))
            continue
        for path in sorted(folder.iterdir()):
            if path.name.startswith(".") or path.suffix in (".md", ".txt"):
                continue
            rel = _rel(path, root)
            target = _link_target(path)
            if target is _BROKEN_LINK:
                problems.append(Problem(rel, 0, 0, "", _("the file is a link that leads round in a loop"),
                                        _("remove the link and copy the real file into content/")))
            elif target is not None and not _inside(target, real_content):
                problems.append(Problem(rel, 0, 0, "", _("the file is a link to a place outside content/"),
                                        _("copy the file into content/ instead of linking to it")))
            elif path.suffix == ".yaml":
                problems.append(Problem(rel, 0, 0, "", _("expected the extension .yml, received .yaml"),
                                        _("rename it to {name}.yml").format(name=path.stem)))
            elif path.suffix != ".yml" or not path.is_file():
                problems.append(Problem(rel, 0, 0, "", _("expected only .yml files in a content folder"), _("move or remove this file")))
            else:
                files.append((kind.name, path))
    return files, problems


_BROKEN_LINK = Path("/nonexistent")    # sentinel: a link whose target cannot be found


def _link_target(path: Path) -> Path | None:
    """Where a symbolic link leads (None for an ordinary file), _BROKEN_LINK for a link loop."""
    if not path.is_symlink():
        return None
    try:
        try:
            return path.resolve(strict=True)
        except FileNotFoundError:
            return path.resolve()        # a dangling link: judged by where it points
    except (OSError, RuntimeError):      # a link loop (Python 3.11 reports it as RuntimeError)
        return _BROKEN_LINK


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _rel(path: Path, root: Path) -> str:
    try:
        return os.path.relpath(path, root)
    except ValueError:
        return str(path)


def _close(word: str, options) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return _("; ") + _("did you mean '{suggestion}'?").format(suggestion=close[0]) if close else ""


def read_item(kind: str, raw: bytes, file: str) -> tuple[Item | None, list[Problem]]:
    """Parse and schema-validate one file (pure: bytes in, item and problems out)."""
    document, problems = read_yaml(raw, file)
    if document is None:
        return None, problems
    data = document.data
    problems += validate_data(kind, data, file, document)
    item_id = data.get("id")
    if not isinstance(item_id, str):
        return None, problems
    expected_name = os.path.basename(file).rsplit(".", 1)[0]
    if not _ID.fullmatch(expected_name):
        problems.append(Problem(file, 0, 0, "", _("expected a file name that is a valid id (lowercase letters, digits and hyphens), received '{name}'").format(name=expected_name),
                                _("rename the file, e.g. to {name}.yml, and write the same id inside").format(name=_suggested_id(expected_name))))
    elif item_id != expected_name:
        line, col = document.position(("id",))
        problems.append(Problem(file, line, col, "id", _("expected the id to match the file name '{name}', received '{id}'").format(name=expected_name, id=item_id),
                                _("rename the file to {id}.yml or change the id to {name}").format(id=item_id, name=expected_name)))
    return Item(kind, item_id, data, file, document), problems


class ReadCache:
    """The data of files that read cleanly (no problem at all from parsing, the schema and the
    lint) in an earlier run, keyed by the file's bytes, kind and name and by the code and term
    list that judged them: an unchanged file is not parsed or validated again. Plain data in
    and out; pipeline.py keeps it on disk through writers.py."""

    def __init__(self, stored: dict | None = None):
        self.stored = stored or {}
        self.used: dict[str, object] = {}

    @staticmethod
    def key(kind: str, rel: str, raw: bytes) -> str:
        return hashlib.sha1(f"{_checker_digest()}\0{kind}\0{rel}\0".encode("utf-8") + raw).hexdigest()

    @property
    def changed(self) -> bool:
        return self.used.keys() != self.stored.keys()


@lru_cache(maxsize=1)
def _checker_digest() -> str:
    here = Path(__file__).parent
    files = sorted((here / "schemas").glob("*.json")) + sorted((here / "data").glob("*"))
    files += [here / name for name in ("content.py", "schema.py", "yamlread.py", "lint.py", "textnorm.py", "model.py")]
    digest = hashlib.sha1()
    for path in files:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


class _ParsedOnDemand:
    """Positions of a file whose data came from the ReadCache: parsed only when a problem
    found across files (a broken reference…) needs its line and column."""

    def __init__(self, raw: bytes, file: str):
        self.raw, self.file, self._document = raw, file, None

    def position(self, path) -> tuple[int, int]:
        if self._document is None:
            self._document = read_yaml(self.raw, self.file)[0]
        return self._document.position(path) if self._document else (1, 1)


def _cached_read(kind: str, raw: bytes, rel: str, cache: ReadCache | None) -> tuple[Item | None, list[Problem]]:
    """read_item and the lint, or the cached data of a file that read cleanly before."""
    if cache is None:
        item, found = read_item(kind, raw, rel)
        return item, found + (lint_item(item, raw) if item is not None else [])
    key = cache.key(kind, rel, raw)
    data = cache.stored.get(key)
    if isinstance(data, dict) and isinstance(data.get("id"), str):
        cache.used[key] = data
        return Item(kind, data["id"], data, rel, _ParsedOnDemand(raw, rel)), []
    item, found = read_item(kind, raw, rel)
    if item is not None:
        found += lint_item(item, raw)
        if not found:
            cache.used[key] = item.data
    return item, found


_ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")   # the schema's id pattern; it reports other values itself


def _suggested_id(name: str) -> str:
    words = re.findall(r"[a-z0-9]+", name.lower())
    return "-".join(words) or "my-item"


def check_references(items: dict[str, Item], unreadable: frozenset = frozenset()) -> list[Problem]:
    """Every reference must name an existing item of the right kind. References to ids whose
    files could not be read, or are duplicated, are not reported again: the file's own problem
    says what to fix."""
    problems = []
    for item in items.values():
        for pattern, kinds in REFERENCES.items():
            for path, target in walk_refs(item.data, pattern):
                if not isinstance(target, str) or not _ID.fullmatch(target):
                    continue  # the schema already reported it
                if target in unreadable or (target in items and items[target].kind in kinds):
                    continue
                line, col = item.position(path)      # only for a problem: it may parse the file again
                wanted = _(" or ").join(KIND_BY_NAME[k].label for k in kinds)
                if target not in items:
                    same_kind = [i for i, other in items.items() if other.kind in kinds]
                    close = difflib.get_close_matches(target, same_kind, n=1, cutoff=0.6)
                    hint = (_("did you mean '{suggestion}'?").format(suggestion=close[0]) if close else
                            _("create content/{folder}/{id}.yml or fix the id").format(folder=KIND_BY_NAME[kinds[0]].folder, id=target))
                    problems.append(Problem(item.file, line, col, path_text(path),
                                            _("expected the id of an existing {kind}, received unknown id '{id}'").format(kind=wanted, id=target), hint))
                elif items[target].kind not in kinds:
                    problems.append(Problem(item.file, line, col, path_text(path),
                                            _("expected the id of a {kind}, received '{id}' which is a {other_kind}").format(
                                                kind=wanted, id=target, other_kind=KIND_BY_NAME[items[target].kind].label),
                                            _("use an id from the matching content folder")))
    return problems


def check_item_rules(items: dict[str, Item]) -> list[Problem]:
    """Rules the schema cannot express: drivers among actions, no reporting cycles, unique topics."""
    problems = []
    for item in items.values():
        data = item.data
        if item.kind == "case" and isinstance(data.get("actions"), list):
            for index, result in enumerate(_list(data.get("results"))):
                if isinstance(result, dict) and isinstance(result.get("driver"), str) and result["driver"] not in data["actions"]:
                    path = ("results", index, "driver")
                    problems.append(Problem(item.file, *item.position(path), path_text(path),
                                            _("expected the exact text of one of the actions, received a text that is not among them"),
                                            _("copy the action's text from 'actions' exactly")))
        if item.kind == "role":
            quiz = data.get("quiz") if isinstance(data.get("quiz"), dict) else {}
            topics = [t.get("topic") for t in _list(quiz.get("topics")) if isinstance(t, dict)]
            topics = [t for t in topics if isinstance(t, str)]
            for topic in {t for t in topics if topics.count(t) > 1}:
                problems.append(Problem(item.file, *item.position(("quiz", "topics")), "quiz.topics",
                                        _("expected each topic once, received '{topic}' {count} times").format(topic=topic, count=topics.count(topic)),
                                        _("merge the weights into one entry")))
            problems += _reporting_cycle(item, items)
    return problems


def _list(value) -> list:
    """A field that should be a list, or [] when it is something else (the schema reported
    that already; these checks must not trip over it)."""
    return value if isinstance(value, list) else []


def _reporting_cycle(role: Item, items: dict[str, Item]) -> list[Problem]:
    chain, current = [role.id], role.data.get("reports_to")
    while isinstance(current, str) and current in items and items[current].kind == "role":
        if current == role.id:
            return [Problem(role.file, *role.position(("reports_to",)), "reports_to",
                            _("expected a reporting line that ends at the top, received a cycle: {cycle}").format(cycle=" → ".join(chain + [current])),
                            _("one role in the cycle must report to nobody (remove its reports_to)"))]
        if current in chain:
            return []  # a cycle that does not include this role is reported by its own members
        chain.append(current)
        current = items[current].data.get("reports_to")
    return []


def load_content(root: Path, content_dir: Path | None = None, publishing: bool = False,
                 cache: ReadCache | None = None) -> Content:
    """Read, validate and cross-check all content; raise ContentError with every problem.

    When `publishing` (kb.py build), drafts and items in review that have errors do not stop
    the build: they are left out, their problems become warnings, and everything is checked
    again without them. Approved items, and files whose status cannot be read, still block.
    `cache` (ReadCache): files that read cleanly before are not parsed again."""
    content_dir = content_dir or root / "content"
    files, layout_problems = content_files(content_dir, root)
    items, problems, unfinished = _read_all(files, root, frozenset(), cache)
    errors = {p.file for p in problems if p.severity == "error"}
    left_out = {rel: item_id for rel, item_id in unfinished.items() if rel in errors} if publishing else {}
    if left_out:
        kept = [(kind, path) for kind, path in files if _rel(path, root) not in left_out]
        first_pass = problems
        items, problems, _unfinished = _read_all(kept, root, frozenset(left_out.values()), cache)
        problems += [dataclasses.replace(p, severity="warning") for p in first_pass if p.file in left_out]
        problems += [Problem(rel, 0, 0, "", _("left out of the site: this unfinished item has problems (see the warnings for this file); "
                                              "the approved items were published"),
                             _("fix them before setting status: approved; kb.py check lists them"), "warning") for rel in left_out]
    from .finder import read_synonyms
    synonyms, synonym_problems = read_synonyms(content_dir, root)
    problems = layout_problems + synonym_problems + problems
    if any(p.severity == "error" for p in problems):
        raise ContentError(problems)
    return Content(items, warnings=sorted(problems), left_out=frozenset(left_out.values()), synonyms=synonyms)


_UNFINISHED_LINE = re.compile(rb"^\s*status:\s*[\"']?(draft|in_review)[\"']?\s*(#.*)?$", re.MULTILINE)


def _read_all(files, root: Path, hidden: frozenset, cache: ReadCache | None = None) -> tuple[dict[str, Item], list[Problem], dict[str, str]]:
    """Items, problems and the files of unfinished items (draft or in review: file -> id).
    References to `hidden` ids (left out of this pass) are not reported."""
    items: dict[str, Item] = {}
    unreadable: set[str] = set(hidden)
    unfinished: dict[str, str] = {}
    problems: list[Problem] = []
    for kind, path in files:
        rel = _rel(path, root)
        try:
            raw = path.read_bytes()
        except OSError as err:
            problems.append(Problem(rel, 0, 0, "", _("the file cannot be read: {reason}").format(reason=os_reason(err)),
                                    _("check the file's permissions")))
            continue
        item, found = _cached_read(kind, raw, rel, cache)   # parse, schema, compliance lint
        problems += found
        if _is_unfinished(item, raw):
            unfinished[rel] = item.id if item else path.stem
        if item is None:
            unreadable.add(path.stem)
            continue
        if item.id in items:
            other = items[item.id]
            problems.append(Problem(rel, *item.position(("id",)), "id", _("duplicate id '{id}', already used by {file}").format(id=item.id, file=other.file),
                                    _("ids must be unique across all content; choose another id")))
            unreadable.add(item.id)   # references to it are ambiguous: do not guess
            continue
        items[item.id] = item
    problems += check_references(items, frozenset(unreadable))
    problems += check_item_rules(items)
    from .placeholders import check_placeholders
    problems += check_placeholders(items)
    problems += check_review_fields(items) + rules_problems()
    return items, problems, unfinished


def _is_unfinished(item: Item | None, raw: bytes) -> bool:
    """A draft or an item in review. A file that cannot be parsed counts only if one of its
    lines plainly says so (a hostile file gains nothing: it is left out, not published)."""
    if item is not None:
        review = item.data.get("review")
        return isinstance(review, dict) and review.get("status") in ("draft", "in_review")
    return bool(_UNFINISHED_LINE.search(raw)) and not re.search(rb"^\s*status:\s*[\"']?approved", raw, re.MULTILINE)
