"""The sidebar's navigation tree, made once per folder instead of once per page.

Furo asks Sphinx for the whole table of contents on every page, as seen from that page, and
re-parses it with BeautifulSoup to add its expand switches; kb_sphinx re-parses it again to
keep the trainers' part out. The tree lists every page, so a build did that work pages × pages
times (37 s of CPU of a 2,800-item clean build). Seen from two pages of the same folder the
tree differs only in the "current" markers of the page and its ancestors, so it is made once
per folder, for a name that is no page (no markers), and each page gets its markers by a few
insertions into that text — exactly those Sphinx and Furo would have written
(tests/test_sidebar.py compares every page of a built site with Furo's own).
"""
from __future__ import annotations

import hashlib
import json
import os
from html.parser import HTMLParser
from pathlib import Path

# a docname no page has ("\0" cannot be in a file name): the tree as seen from its folder
NOT_A_PAGE = "\0kb-navigation"
_VOID = {"input", "img", "br", "hr", "meta", "link"}


class _Tag:
    __slots__ = ("name", "start", "end", "attrs", "parent", "checkbox")

    def __init__(self, name: str, start: int, end: int, attrs: dict, parent: "_Tag | None"):
        self.name, self.start, self.end, self.attrs, self.parent = name, start, end, attrs, parent
        self.checkbox: _Tag | None = None      # an <li>'s expand switch


class _Indexer(HTMLParser):
    """Start tags with their offsets and parents; links by href."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=False)
        self.line_starts = [0]
        for number, char in enumerate(text):
            if char == "\n":
                self.line_starts.append(number + 1)
        self.stack: list[_Tag] = []
        self.links: dict[str, _Tag] = {}
        self.feed(text)
        self.close()

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def _record(self, name, attrs) -> _Tag:
        start = self._offset()
        tag = _Tag(name, start, start + len(self.get_starttag_text()), dict(attrs), self.stack[-1] if self.stack else None)
        if name == "a" and "href" in tag.attrs:
            self.links.setdefault(tag.attrs["href"], tag)
        if name == "input" and tag.parent is not None and tag.parent.name == "li" and tag.parent.checkbox is None:
            tag.parent.checkbox = tag
        return tag

    def handle_starttag(self, name, attrs):
        tag = self._record(name, attrs)
        if name not in _VOID:
            self.stack.append(tag)

    def handle_startendtag(self, name, attrs):
        self._record(name, attrs)

    def handle_endtag(self, name):
        if any(tag.name == name for tag in self.stack):     # a stray end tag closes nothing
            while self.stack.pop().name != name:
                pass


class NavigationTemplate:
    """A navigation tree without "current" markers, ready to be marked for one page."""

    def __init__(self, html: str):
        self.html = html
        self.links = _Indexer(html).links if html else {}

    def for_page(self, href: str, parent_href: str | None = None) -> str:
        """The tree as Sphinx and Furo write it on the page the link `href` points to: that
        link goes to "#", it and its list items and lists up to the top are "current", the
        expand switches on the way are on, and the page's own item is "current-page". A page
        the menu leaves out (a drill set) marks the branch of its parent page, `parent_href`,
        as it did before its own item was taken out."""
        link = self.links.get(href)
        edits = []
        if link is not None:
            edits.append((link.start, link.end, _marked_link(self.html[link.start:link.end], href)))
        elif parent_href is not None and parent_href in self.links:
            link = self.links[parent_href]
        else:                      # a page outside the tree (the trainers' pages, the index)
            return self.html
        own_item = bool(edits)
        tag = link.parent
        while tag is not None:
            text = self.html[tag.start:tag.end]
            if tag.name == "li":
                edits.append((tag.start, tag.end, _marked_item(text, own_item)))
                if tag.checkbox is not None:
                    box = tag.checkbox
                    edits.append((box.start, box.end, _switched_on(self.html[box.start:box.end])))
                own_item = False
            elif tag.name == "ul":
                edits.append((tag.start, tag.end, _with_class(text, "current")))
            tag = tag.parent
        return _apply(self.html, edits)


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    parts, position = [], 0
    for start, end, replacement in sorted(edits):
        parts += [text[position:start], replacement]
        position = end
    parts.append(text[position:])
    return "".join(parts)


def _marked_link(tag: str, href: str) -> str:
    # Sphinx puts the node's own classes before "reference internal" and links a page to itself as "#"
    tag = tag.replace(f'href="{href}"', 'href="#"', 1)
    return tag.replace('class="', 'class="current ', 1)


def _class_value(tag: str) -> tuple[int, int] | None:
    """Where the value of the start tag's class attribute is, if it has one."""
    if 'class="' not in tag:
        return None
    start = tag.index('class="') + len('class="')
    return start, tag.index('"', start)


def _marked_item(tag: str, own_item: bool) -> str:
    # Sphinx: ["toctree-lN", "current"]; Furo then appends "has-children" and, on the page's own
    # item, "current-page"
    start, end = _class_value(tag)
    classes = tag[start:end].split()
    classes.insert(1, "current")
    if own_item:
        classes.append("current-page")
    return tag[:start] + " ".join(classes) + tag[end:]


def _with_class(tag: str, name: str) -> str:
    span = _class_value(tag)
    if span is None:
        return tag[:-1] + f' class="{name}">'
    start, end = span
    return tag[:end] + (" " if end > start else "") + name + tag[end:]


def _switched_on(tag: str) -> str:
    # BeautifulSoup writes attributes in alphabetical order: "checked" after "aria-label"
    if " checked" in tag:
        return tag
    for attribute in (' class="', ' id="', ' name="', ' role="', ' type="'):
        if attribute in tag:
            position = tag.index(attribute)
            return tag[:position] + ' checked=""' + tag[position:]
    return tag.replace("<input", '<input checked=""', 1)


class StoredTemplates:
    """The folders' trees kept between builds, one file per folder in `folder` (under Sphinx's
    doctrees, so a fresh build starts without them). A build that writes a few pages would
    otherwise make each of their folders' trees again (0.3 s each at 10,000 items). Each file
    starts with the key of what the tree was made from (`key`): the table of contents, every
    page's title and place, and the code that makes the tree; a file with another key is
    ignored. Worker processes of a parallel build read and write the files too: each file is
    replaced in one rename."""

    def __init__(self, folder: Path, key: str):
        self.folder, self.key = folder, key

    def _path(self, seen_from: str) -> Path:
        return self.folder / (hashlib.sha1(seen_from.encode("utf-8")).hexdigest() + ".html")

    def load(self, seen_from: str) -> str | None:
        try:
            text = self._path(seen_from).read_text(encoding="utf-8")
        except OSError:
            return None
        key, _, html = text.partition("\n")
        return html if key == self.key else None

    def save(self, seen_from: str, html: str) -> None:
        path = self._path(seen_from)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f".{path.name}.{os.getpid()}")
            temporary.write_text(f"{self.key}\n{html}", encoding="utf-8")
            os.replace(temporary, path)
        except OSError:         # a tree not kept is made again next time
            pass


def structure_key(toc: bytes, docs: list[tuple[str, str, list[str]]], code: list[bytes], versions: list[str]) -> str:
    """What a folder's tree is made from: the table of contents file, each page's (name, title,
    pages listed in its toctrees), the code that makes and trims the tree, and the versions of
    Sphinx and the theme."""
    digest = hashlib.sha256(toc)
    for part in [json.dumps(docs, ensure_ascii=False).encode("utf-8"), *code, *(v.encode("utf-8") for v in versions)]:
        digest.update(b"\0" + part)
    return digest.hexdigest()
