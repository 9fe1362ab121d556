"""Reading a built site with the standard HTML parser: pages, links, checksums."""
from __future__ import annotations

import hashlib
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse


class PageParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.classes: list[str] = []
        self.title = ""
        self._in_title = False
        self.text: list[str] = []
        self.scripts: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if attrs.get("class"):
            self.classes += attrs["class"].split()
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "script" and attrs.get("src"):
            self.scripts.append(attrs["src"])
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        self.text.append(data)


def parse(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def broken_internal_links(site: Path) -> list[str]:
    """Every relative link of every page must name an existing file and, if given, an existing id."""
    problems, parsed = [], {}
    for page in sorted(site.rglob("*.html")):
        for href in parse(page).links:
            url = urlparse(href)
            if url.scheme or href.startswith("//") or href.startswith("mailto:"):
                continue
            target = (page.parent / unquote(url.path)).resolve() if url.path else page.resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                problems.append(f"{page.relative_to(site)}: {href}")
                continue
            if url.fragment and target.suffix == ".html":
                ids = parsed.setdefault(target, parse(target).ids)
                if unquote(url.fragment) not in ids:
                    problems.append(f"{page.relative_to(site)}: {href} (no such anchor)")
    return problems


def tree_checksum(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
