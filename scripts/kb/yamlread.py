"""Read one YAML file into plain data plus the line/column of every key and value.

The rules are YAML 1.2-like on purpose, so a trainer's text stays text:
only true/false are booleans (not yes/no/on/off), dates stay strings, numbers are decimal
(010 is ten, never octal). Anchors, aliases, merge keys and explicit tags are refused:
content never needs them and aliases allow "billion laughs" expansion.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

from .problems import Problem

MAX_FILE_BYTES = 512 * 1024
MAX_DEPTH = 40


class _Resolver(yaml.resolver.BaseResolver):
    pass


_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[-+]?[0-9]+[eE][-+]?[0-9]+)$"),
    list("-+0123456789."))
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])


class _PyLoader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser,
                yaml.composer.Composer, _Resolver):
    def __init__(self, stream):
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        _Resolver.__init__(self)


if yaml.__with_libyaml__:
    import yaml.cyaml

    class _CLoader(yaml.cyaml.CParser, _Resolver):
        """libyaml's parser and composer (about ten times faster), with our resolver."""

        def __init__(self, stream):
            yaml.cyaml.CParser.__init__(self, stream)
            _Resolver.__init__(self)

    _Loader = _CLoader
else:  # pragma: no cover - PyPI wheels ship libyaml
    _Loader = _PyLoader


@dataclass
class Document:
    """A parsed file: its data and where each key path starts (1-based line, column)."""
    data: object
    value_at: dict = field(default_factory=dict)
    key_at: dict = field(default_factory=dict)

    def position(self, path) -> tuple[int, int]:
        """Best known position for a key path: the value, else the key, else the nearest parent."""
        path = tuple(path)
        while True:
            if path in self.value_at:
                return self.value_at[path]
            if path in self.key_at:
                return self.key_at[path]
            if not path:
                return (1, 1)
            path = path[:-1]


class _Refused(Exception):
    def __init__(self, node, message, hint):
        super().__init__(message)
        self.node, self.message, self.hint = node, message, hint


def _pos(node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _scalar(node):
    tag, value = node.tag, node.value
    if tag == "tag:yaml.org,2002:str":
        return value
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:bool":
        return value.lower() == "true"
    if tag == "tag:yaml.org,2002:int":
        return int(value)
    if tag == "tag:yaml.org,2002:float":
        return float(value)
    raise _Refused(node, f"the tag {tag} is not allowed",
                   "remove the !tag; write plain text, numbers, lists and mappings")


class _Builder:
    def __init__(self, doc: Document, problems: list, file: str):
        self.doc, self.problems, self.file = doc, problems, file
        self.seen: set[int] = set()

    def build(self, node, path=(), depth=0):
        if depth > MAX_DEPTH:
            raise _Refused(node, f"the data is nested more than {MAX_DEPTH} levels deep",
                           "flatten the structure; content files need only a few levels")
        if id(node) in self.seen or getattr(node, "anchor", None):
            raise _Refused(node, "anchors and aliases (& and *) are not allowed",
                           "write the value out in full where it is needed")
        self.seen.add(id(node))
        self.doc.value_at[path] = _pos(node)
        if isinstance(node, yaml.ScalarNode):
            return _scalar(node)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        return self._mapping(node, path, depth)

    def _mapping(self, node, path, depth):
        result: dict = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _Refused(key_node, "merge keys (<<) are not allowed",
                               "write the fields out in full")
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Refused(key_node, "a key must be a plain word",
                               "write keys as simple names such as title:")
            key = key_node.value
            line, col = _pos(key_node)
            if key in result:
                first = self.doc.key_at[path + (key,)][0]
                self.problems.append(Problem(
                    self.file, line, col, _field(path + (key,)),
                    f"duplicate key '{key}' (first written on line {first})",
                    "keep one of the two; YAML would silently drop the first"))
                continue
            self.doc.key_at[path + (key,)] = (line, col)
            result[key] = self.build(value_node, path + (key,), depth + 1)
        return result


def _field(path) -> str:
    from .problems import path_text
    return path_text(path)


def _decode(raw: bytes, file: str, problems: list) -> str | None:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # a byte-order mark from Windows editors is harmless; drop it
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[:err.start].count(b"\n") + 1
        hint = "save the file as UTF-8 (in VS Code: 'Save with Encoding' > UTF-8)"
        try:
            raw.decode("gb18030")
            hint = "the file looks like GBK/GB18030; " + hint
        except UnicodeDecodeError:
            pass
        problems.append(Problem(file, line, 1, "",
                                f"expected UTF-8 text, received the byte 0x{raw[err.start]:02x} that is not UTF-8",
                                hint))
        return None


def read_yaml(raw: bytes, file: str) -> tuple[Document | None, list[Problem]]:
    """Parse bytes of one content file. Returns (document, problems); document is None if unusable."""
    problems: list[Problem] = []
    if len(raw) > MAX_FILE_BYTES:
        return None, [Problem(file, 1, 1, "", f"the file is {len(raw) // 1024} KB; expected at most {MAX_FILE_BYTES // 1024} KB",
                              "split the content into several items")]
    text = _decode(raw, file, problems)
    if text is None:
        return None, problems
    if "\t" in text:
        for number, line_text in enumerate(text.splitlines(), 1):
            indent = line_text[:len(line_text) - len(line_text.lstrip())]
            if "\t" in indent:
                return None, [Problem(file, number, indent.index("\t") + 1, "",
                                      "expected spaces for indentation, received a tab",
                                      "replace the tab with spaces (2 per level)")]
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        message = " ".join(part for part in (err.context, err.problem) if part)
        return None, [Problem(file, mark.line + 1 if mark else 1, mark.column + 1 if mark else 1, "",
                              f"YAML syntax error: {message}", _syntax_hint(message))]
    except yaml.YAMLError as err:
        return None, [Problem(file, 1, 1, "", f"YAML syntax error: {err}", "check the file's structure")]
    except RecursionError:
        return None, [Problem(file, 1, 1, "", "the data is nested too deeply to read",
                              "flatten the structure; content files need only a few levels")]
    finally:
        loader.dispose()
    if node is None:
        return None, [Problem(file, 1, 1, "", "expected a mapping of fields, received an empty file",
                              "start from a template: python scripts/kb.py new <kind> <id>")]
    doc = Document(None)
    try:
        doc.data = _Builder(doc, problems, file).build(node)
    except _Refused as refused:
        line, col = _pos(refused.node)
        return None, problems + [Problem(file, line, col, "", refused.message, refused.hint)]
    except RecursionError:
        return None, [Problem(file, 1, 1, "", "the data is nested too deeply to read",
                              "flatten the structure; content files need only a few levels")]
    if not isinstance(doc.data, dict):
        kind = "a list" if isinstance(doc.data, list) else f"the single value {doc.data!r}"
        line, col = doc.position(())
        problems.append(Problem(file, line, col, "", f"expected a mapping of fields (key: value), received {kind}",
                                "each file describes one item: start with lines like 'id: my-item'"))
        return None, problems
    return doc, problems


def _syntax_hint(message: str) -> str:
    if "could not find expected ':'" in message or "mapping values are not allowed" in message:
        return "check the indentation and that each field is written 'name: value'; quote text that contains ': '"
    if "found unexpected end of stream" in message or "while scanning a quoted scalar" in message:
        return "a quote is not closed: end the text with the same quote it starts with"
    if "expected <block end>" in message:
        return "the indentation is inconsistent: align items of the same list or mapping"
    return "check the indentation and quoting around this line"
