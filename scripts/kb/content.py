"""Reader: every YAML file under content/ -> validated plain data (model.Content).

Collects every problem across all files and raises ContentError once.
"""
from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

from .model import KIND_BY_FOLDER, KIND_BY_NAME, REFERENCES, Content, Item
from .problems import ContentError, Problem, path_text
from .schema import validate_data
from .yamlread import read_yaml
from .lint import lint_item, rules_problems
from .review import check_review_fields


def content_files(content_dir: Path, root: Path) -> tuple[list[tuple[str, Path]], list[Problem]]:
    """(kind, path) for each content file, and problems with the folder layout itself."""
    files, problems = [], []
    if not content_dir.is_dir():
        return [], [Problem(_rel(content_dir, root), 0, 0, "", "expected a content folder, found none",
                            "run the command from the project folder, or create content/")]
    real_content = content_dir.resolve()
    for folder in sorted(content_dir.iterdir()):
        if not folder.is_dir():
            continue
        kind = KIND_BY_FOLDER.get(folder.name)
        if kind is None:
            problems.append(Problem(_rel(folder, root), 0, 0, "", f"unknown content folder '{folder.name}'",
                                    "expected one of " + ", ".join(KIND_BY_FOLDER) + _close(folder.name, KIND_BY_FOLDER)))
            continue
        for path in sorted(folder.iterdir()):
            if path.name.startswith(".") or path.suffix in (".md", ".txt"):
                continue
            rel = _rel(path, root)
            if path.is_symlink() and not _inside(path.resolve(), real_content):
                problems.append(Problem(rel, 0, 0, "", "the file is a link to a place outside content/",
                                        "copy the file into content/ instead of linking to it"))
            elif path.suffix == ".yaml":
                problems.append(Problem(rel, 0, 0, "", "expected the extension .yml, received .yaml", f"rename it to {path.stem}.yml"))
            elif path.suffix != ".yml" or not path.is_file():
                problems.append(Problem(rel, 0, 0, "", "expected only .yml files in a content folder", "move or remove this file"))
            else:
                files.append((kind.name, path))
    return files, problems


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _rel(path: Path, root: Path) -> str:
    try:
        return os.path.relpath(path, root)
    except ValueError:
        return str(path)


def _close(word: str, options) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


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
        problems.append(Problem(file, 0, 0, "", f"expected a file name that is a valid id (lowercase letters, digits and hyphens), received '{expected_name}'",
                                f"rename the file, e.g. to {_suggested_id(expected_name)}.yml, and write the same id inside"))
    elif item_id != expected_name:
        line, col = document.position(("id",))
        problems.append(Problem(file, line, col, "id", f"expected the id to match the file name '{expected_name}', received '{item_id}'",
                                f"rename the file to {item_id}.yml or change the id to {expected_name}"))
    return Item(kind, item_id, data, file, document), problems


def _walk_refs(data, pattern, path=()):
    """Yield (path, value) for every value at a reference pattern like ('steps', '*', 'who')."""
    if not pattern:
        yield path, data
        return
    head, rest = pattern[0], pattern[1:]
    if head == "*":
        if isinstance(data, list):
            for index, value in enumerate(data):
                yield from _walk_refs(value, rest, path + (index,))
    elif isinstance(data, dict) and head in data:
        yield from _walk_refs(data[head], rest, path + (head,))


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
            for path, target in _walk_refs(item.data, pattern):
                if not isinstance(target, str) or not _ID.fullmatch(target):
                    continue  # the schema already reported it
                line, col = item.position(path)
                wanted = " or ".join(KIND_BY_NAME[k].label for k in kinds)
                if target in unreadable:
                    continue
                if target not in items:
                    same_kind = [i for i, other in items.items() if other.kind in kinds]
                    close = difflib.get_close_matches(target, same_kind, n=1, cutoff=0.6)
                    hint = f"did you mean '{close[0]}'?" if close else f"create content/{KIND_BY_NAME[kinds[0]].folder}/{target}.yml or fix the id"
                    problems.append(Problem(item.file, line, col, path_text(path),
                                            f"expected the id of an existing {wanted}, received unknown id '{target}'", hint))
                elif items[target].kind not in kinds:
                    problems.append(Problem(item.file, line, col, path_text(path),
                                            f"expected the id of a {wanted}, received '{target}' which is a {KIND_BY_NAME[items[target].kind].label}",
                                            "use an id from the matching content folder"))
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
                                            "expected the exact text of one of the actions, received a text that is not among them",
                                            "copy the action's text from 'actions' exactly"))
        if item.kind == "role":
            quiz = data.get("quiz") if isinstance(data.get("quiz"), dict) else {}
            topics = [t.get("topic") for t in _list(quiz.get("topics")) if isinstance(t, dict)]
            topics = [t for t in topics if isinstance(t, str)]
            for topic in {t for t in topics if topics.count(t) > 1}:
                problems.append(Problem(item.file, *item.position(("quiz", "topics")), "quiz.topics",
                                        f"expected each topic once, received '{topic}' {topics.count(topic)} times", "merge the weights into one entry"))
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
                            "expected a reporting line that ends at the top, received a cycle: " + " → ".join(chain + [current]),
                            "one role in the cycle must report to nobody (remove its reports_to)")]
        if current in chain:
            return []  # a cycle that does not include this role is reported by its own members
        chain.append(current)
        current = items[current].data.get("reports_to")
    return []


def load_content(root: Path, content_dir: Path | None = None) -> Content:
    """Read, validate and cross-check all content; raise ContentError with every problem."""
    content_dir = content_dir or root / "content"
    files, problems = content_files(content_dir, root)
    items: dict[str, Item] = {}
    unreadable: set[str] = set()
    for kind, path in files:
        rel = _rel(path, root)
        try:
            raw = path.read_bytes()
        except OSError as err:
            problems.append(Problem(rel, 0, 0, "", f"the file cannot be read: {err.strerror}", "check the file's permissions"))
            continue
        item, found = read_item(kind, raw, rel)
        problems += found
        if item is None:
            unreadable.add(path.stem)
            continue
        problems += lint_item(item, raw)   # compliance wording; needs the raw text for columns
        if item.id in items:
            other = items[item.id]
            problems.append(Problem(rel, *item.position(("id",)), "id", f"duplicate id '{item.id}', already used by {other.file}",
                                    "ids must be unique across all content; choose another id"))
            unreadable.add(item.id)   # references to it are ambiguous: do not guess
            continue
        items[item.id] = item
    problems += check_references(items, frozenset(unreadable))
    problems += check_item_rules(items)
    problems += check_review_fields(items) + rules_problems()
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ContentError(problems)
    return Content(items, warnings=sorted(problems))
