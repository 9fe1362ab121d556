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
from .i18n import N_, _

MAX_FILE_BYTES = 512 * 1024
MAX_DEPTH = 40


class _Resolver(yaml.resolver.BaseResolver):
    pass


# The plain values each scalar tag accepts; an explicit tag (!!int abc) must fit them too.
_SCALAR_FORMS = {
    "tag:yaml.org,2002:bool": (re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")),
    "tag:yaml.org,2002:int": (re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789")),
    "tag:yaml.org,2002:float": (
        re.compile(r"^(?:[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[-+]?[0-9]+[eE][-+]?[0-9]+)$"),
        list("-+0123456789.")),
    "tag:yaml.org,2002:null": (re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]),
}
for _tag, (_form, _first) in _SCALAR_FORMS.items():
    _Resolver.add_implicit_resolver(_tag, _form, _first)
_COLLECTION_TAGS = {yaml.SequenceNode: "tag:yaml.org,2002:seq", yaml.MappingNode: "tag:yaml.org,2002:map"}
# Characters YAML refuses; found before parsing so the message can say where and what.
_NOT_PRINTABLE = re.compile("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")


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
    def __init__(self, node, message, hint, path=(), at=None):
        super().__init__(message)
        self.node, self.message, self.hint, self.path = node, message, hint, path
        self.at = at or _pos(node)


def _short_tag(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


_TAG_HINT = N_("remove the !tag; write plain text, numbers, lists and mappings (quote text that looks like a number)")


def _pos(node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _scalar(node, path=()):
    tag, value = node.tag, node.value
    if tag == "tag:yaml.org,2002:str":
        return value
    form = _SCALAR_FORMS.get(tag)
    if form is None or not form[0].match(value):    # an unknown tag, or !!int abc
        raise _Refused(node, _("the tag {tag} is not allowed here (value {value})").format(tag=_short_tag(tag), value=repr(value[:40])), _(_TAG_HINT), path)
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:bool":
        return value.lower() == "true"
    if tag == "tag:yaml.org,2002:int":
        return int(value)
    if tag == "tag:yaml.org,2002:float":
        return float(value)
    raise _Refused(node, _("the tag {tag} is not allowed").format(tag=_short_tag(tag)), _(_TAG_HINT), path)  # pragma: no cover


class _Builder:
    def __init__(self, doc: Document, problems: list, file: str):
        self.doc, self.problems, self.file = doc, problems, file
        self.seen: set[int] = set()

    def build(self, node, path=(), depth=0):
        if depth > MAX_DEPTH:
            raise _Refused(node, _("the data is nested more than {depth} levels deep").format(depth=MAX_DEPTH),
                           _("flatten the structure; content files need only a few levels"), path)
        if id(node) in self.seen:
            # an alias (*name) reuses the node of its anchor: report where the alias is written
            line, _column = _pos(node)
            raise _Refused(node, _("anchors and aliases (& and *) are not allowed"),
                           _("write the value out in full where it is needed (the anchor & is on line {line})").format(line=line),
                           path, at=self.doc.position(path))
        self.seen.add(id(node))
        self.doc.value_at[path] = _pos(node)
        if isinstance(node, yaml.ScalarNode):
            return _scalar(node, path)
        if node.tag != _COLLECTION_TAGS[type(node)]:
            raise _Refused(node, _("the tag {tag} is not allowed").format(tag=_short_tag(node.tag)), _(_TAG_HINT), path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        return self._mapping(node, path, depth)

    def _mapping(self, node, path, depth):
        result: dict = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge" or key_node.value == "<<":
                raise _Refused(key_node, _("merge keys (<<) are not allowed"),
                               _("write the fields out in full"), path)
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != "tag:yaml.org,2002:str":
                raise _Refused(key_node, _("expected a field name as the key, received a list, mapping, number or tag"),
                               _("write keys as simple names such as title:"), path)
            key = key_node.value
            line, col = _pos(key_node)
            if key in result:
                first = self.doc.key_at[path + (key,)][0]
                self.problems.append(Problem(
                    self.file, line, col, _field(path + (key,)),
                    _("duplicate key '{key}' (first written on line {line})").format(key=key, line=first),
                    _("keep one of the two; YAML would silently drop the first")))
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
    hint = _("save the file as UTF-8 (in VS Code: 'Save with Encoding' > UTF-8)")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        problems.append(Problem(file, 1, 1, "", _("expected UTF-8 text, received UTF-16 text (the file starts with the bytes {bytes})").format(
                                    bytes=f"{raw[0]:02X} {raw[1]:02X}"),
                                _("the editor saved it as 'Unicode' (UTF-16); {hint}").format(hint=hint)))
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line_start = raw.rfind(b"\n", 0, err.start) + 1
        line_end = raw.find(b"\n", err.start)
        line_text = raw[line_start:line_end if line_end >= 0 else len(raw)].decode("utf-8", "replace")
        line = raw[:err.start].count(b"\n") + 1
        column = len(raw[line_start:err.start].decode("utf-8", "replace")) + 1
        try:
            raw.decode("gb18030")
            hint = _("the file looks like GBK/GB18030; {hint}").format(hint=hint)
        except UnicodeDecodeError:
            pass
        problems.append(Problem(file, line, column, _key_on_line(line_text),
                                _("expected UTF-8 text, received the byte {byte} that is not UTF-8").format(byte=f"0x{raw[err.start]:02x}"),
                                hint))
        return None


_KEY = re.compile(r"^\s*(?:-\s+)*([^\s#'\"{}\[\],:][^:#]*?)\s*:(?:\s|$)")


_FULLWIDTH_KEY = re.compile(r"^\s*(?:-\s+)*([A-Za-z_$][\w$-]*)\s*：")


def _key_on_line(line_text: str) -> str:
    """The field name written at the start of a line ('  text: ...' -> 'text'), or ''.
    Messages about a line the parser could not read name the field this way."""
    match = _KEY.match(line_text) or _FULLWIDTH_KEY.match(line_text)
    return match.group(1) if match else ""


def _field_near(text: str, number: int) -> str:
    """The field of a line: its own key, else the key of the nearest less indented line above
    (a misplaced '- entry' belongs to the list field above it)."""
    lines = text.splitlines()
    if not 0 < number <= len(lines):
        return ""
    own = _key_on_line(lines[number - 1])
    if own:
        return own
    indent = len(lines[number - 1]) - len(lines[number - 1].lstrip())
    for above in reversed(lines[:number - 1]):
        stripped = above.lstrip()
        if stripped and not stripped.startswith("#") and len(above) - len(stripped) < indent and _KEY.match(above):
            return _key_on_line(above)
    return ""


def _line(text: str, number: int) -> str:
    lines = text.splitlines()
    return lines[number - 1] if 0 < number <= len(lines) else ""


def read_yaml(raw: bytes, file: str) -> tuple[Document | None, list[Problem]]:
    """Parse bytes of one content file. Returns (document, problems); document is None if unusable."""
    problems: list[Problem] = []
    if len(raw) > MAX_FILE_BYTES:
        return None, [Problem(file, 1, 1, "", _("the file is {size} KB; expected at most {limit} KB").format(size=len(raw) // 1024, limit=MAX_FILE_BYTES // 1024),
                              _("split the content into several items"))]
    text = _decode(raw, file, problems)
    if text is None:
        return None, problems
    if "\t" in text:
        for number, line_text in enumerate(text.splitlines(), 1):
            indent = line_text[:len(line_text) - len(line_text.lstrip())]
            if "\t" in indent:
                return None, [Problem(file, number, indent.index("\t") + 1, "",
                                      _("expected spaces for indentation, received a tab"),
                                      _("replace the tab with spaces (2 per level)"))]
    bad = _NOT_PRINTABLE.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        column = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        return None, [Problem(file, line, column, _key_on_line(_line(text, line)),
                              _("expected printable text, received the invisible control character {code}").format(code=f"U+{ord(bad.group()):04X}"),
                              _("delete it (it often comes with text pasted from a chat or a web page)"))]
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as err:
        message = " ".join(part for part in (err.context, err.problem) if part)
        # an unclosed quote or bracket, or a key without its colon, is wrong where it starts
        starts_there = (err.context or "").startswith(("while scanning a quoted scalar", "while parsing a flow", "while scanning a simple key"))
        mark = (err.context_mark if starts_there and err.context_mark else None) or err.problem_mark or err.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        line_text = _line(text, line)
        return None, [Problem(file, line, column, _field_near(text, line),
                              _("YAML syntax error: {message}").format(message=_parser_words(err)), _syntax_hint(message, line_text))]
    except yaml.YAMLError as err:
        return None, [Problem(file, 1, 1, "", _("YAML syntax error: {message}").format(message=err), _("check the file's structure"))]
    except RecursionError:
        return None, [Problem(file, 1, 1, "", _("the data is nested too deeply to read"),
                              _("flatten the structure; content files need only a few levels"))]
    finally:
        loader.dispose()
    if node is None:
        return None, [Problem(file, 1, 1, "", _("expected a mapping of fields, received an empty file"),
                              _("start from a template: python scripts/kb.py new <kind> <id>"))]
    doc = Document(None)
    try:
        doc.data = _Builder(doc, problems, file).build(node)
    except _Refused as refused:
        return None, problems + [Problem(file, *refused.at, _field(refused.path), refused.message, refused.hint)]
    except RecursionError:
        return None, [Problem(file, 1, 1, "", _("the data is nested too deeply to read"),
                              _("flatten the structure; content files need only a few levels"))]
    if not isinstance(doc.data, dict):
        kind = _("a list") if isinstance(doc.data, list) else _("the single value {value}").format(value=repr(doc.data))
        line, col = doc.position(())
        problems.append(Problem(file, line, col, "", _("expected a mapping of fields (key: value), received {kind}").format(kind=kind),
                                _("each file describes one item: start with lines like 'id: my-item'")))
        return None, problems
    return doc, problems


# The parser's (libyaml's) most frequent words, so that a syntax error reads in the trainer's
# language too; any other wording is shown as the parser wrote it.
PARSER_WORDS = (
    N_("while parsing a block mapping"), N_("while parsing a block collection"), N_("while parsing a flow sequence"),
    N_("while parsing a flow mapping"), N_("while parsing a node"), N_("while scanning a quoted scalar"),
    N_("while scanning a simple key"), N_("while scanning a block scalar"), N_("while increasing flow level"),
    N_("while scanning an anchor"), N_("while scanning an alias"), N_("while scanning a tag"),
    N_("while scanning for the next token"), N_("did not find expected key"), N_("did not find expected '-' indicator"),
    N_("did not find expected ',' or ']'"), N_("did not find expected ',' or '}'"), N_("could not find expected ':'"),
    N_("mapping values are not allowed in this context"), N_("found unexpected end of stream"),
    N_("exceeded maximum nesting depth"), N_("expected a single document in the stream"), N_("but found another document"),
    N_("found character that cannot start any token"), N_("found unknown escape character"),
    N_("block sequence entries are not allowed in this context"), N_("found undefined tag handle"),
)


def _parser_words(err) -> str:
    """The parser's context and problem, translated where we know the words."""
    parts = [_(part) for part in (err.context, err.problem) if part]
    if len(parts) == 2:
        return _("{context} {problem}").format(context=parts[0], problem=parts[1])
    return parts[0] if parts else ""


_PLACEHOLDER_FIRST = re.compile(r"^\s*(?:- |[\w-]+: )\{[^{}:,\s]{1,12}\}[^,}\]]")


def _syntax_hint(message: str, line_text: str = "") -> str:
    if _PLACEHOLDER_FIRST.match(line_text):
        return _("a text that starts with a placeholder such as {称呼} must be quoted, e.g. text: '{称呼}，您好…' (YAML reads a leading '{' as a mapping)")
    if _FULLWIDTH_KEY.match(line_text):
        return _("this line uses the Chinese full-width colon '：' after the field name; write an English colon and a space, e.g. 'title: …'")
    if "could not find expected ':'" in message or "mapping values are not allowed" in message:
        return _("check the indentation and that each field is written 'name: value'; quote text that contains ': '")
    if "while scanning a quoted scalar" in message:
        return _("a quote is not closed: end the text with the same quote it starts with")
    if "while parsing a flow" in message or "found unexpected end of stream" in message:
        return _("a '[' or '{' opened here is not closed: end the list with ']' or the mapping with '}'")
    if "expected <block end>" in message or "did not find expected key" in message:
        return _("the indentation is inconsistent: use 2 spaces per level and align the fields and '- ' entries of the same list or mapping")
    if "expected a single document" in message:
        return _("a file holds one item: remove the '---' line and what follows, or move the second item into its own file")
    if "nesting depth" in message:
        return _("flatten the structure; content files need only a few levels")
    return _("check the indentation and quoting around this line")
