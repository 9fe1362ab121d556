"""Page weight: what a phone downloads to show one page of the built site for the first time.

A static host serves text files gzip-compressed, so a file's cost is its gzip size (binary
files such as images and fonts: their size). A page's first load is the page itself and every
file its HTML references (stylesheets, scripts, images, icons, preloads) plus the files those
stylesheets reference (`url(...)`, `@import`). Files a script fetches later (the search index,
an offline precache) are not part of it: they load after the first paint.

Also a small static server that compresses like such a host, for Lighthouse."""
from __future__ import annotations

import functools
import gzip
import http.server
import io
import re
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

BUDGET_BYTES = 400_000           # issue 18: first load of any page on mobile data, 400 KB
COMPRESSED = {".html", ".css", ".js", ".mjs", ".json", ".svg", ".txt", ".xml", ".map", ".ico", ".webmanifest"}
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""")
_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}", flags=re.I)
_LINK_RELS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "preload", "modulepreload", "manifest"}


@functools.lru_cache(maxsize=4096)
def _gzip_size(path: Path, mtime_ns: int, size: int) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=6, mtime=0))


def transfer_size(path: Path) -> int:
    """Bytes on the wire for one file: gzip size for text, the file size for binary files."""
    stat = path.stat()
    if path.suffix.lower() in COMPRESSED:
        return _gzip_size(path, stat.st_mtime_ns, stat.st_size)
    return stat.st_size


class _References(HTMLParser):
    """The URLs a page's HTML makes the browser fetch while it loads."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and (attrs.get("http-equiv") or "").lower() == "refresh":
            # Jupyter Book's site root forwards to the root page: the phone loads that one next
            target = re.search(r"url\s*=\s*['\"]?([^'\"]+)", attrs.get("content") or "", flags=re.I)
            if target:
                self.urls.append(target.group(1).strip())
        elif tag == "link" and attrs.get("href") and _LINK_RELS & set((attrs.get("rel") or "").lower().split()):
            self.urls.append(attrs["href"])
        elif tag in ("script", "img", "iframe", "embed", "audio", "video", "source") and attrs.get("src"):
            self.urls.append(attrs["src"])
        elif tag == "image" and (attrs.get("href") or attrs.get("xlink:href")):
            self.urls.append(attrs.get("href") or attrs["xlink:href"])


def _local_file(base: Path, url: str, site: Path) -> Path | None:
    """The file in the site a relative URL names, or None for data:, other hosts and fragments."""
    parsed = urlparse(url)
    if parsed.scheme or url.startswith("//") or not parsed.path:
        return None
    target = (base.parent / unquote(parsed.path)).resolve()
    if target.is_dir():
        target = target / "index.html"
    try:
        target.relative_to(site)
    except ValueError:
        return None
    return target


def _css_references(css: Path) -> list[str]:
    """URLs a stylesheet points to. Of an @font-face rule only the first source counts: the
    browser takes the first format it supports (woff2 before ttf). A declared font counts as
    downloaded even if no text uses it: an upper bound."""
    text = css.read_text(encoding="utf-8", errors="replace")
    fonts = [_urls(block)[:1] for block in _FONT_FACE.findall(text)]
    return _urls(_FONT_FACE.sub("", text)) + [url for first in fonts for url in first]


def _urls(css_text: str) -> list[str]:
    return [match.group(2) or match.group(4) for match in _CSS_URL.finditer(css_text)]


def first_load(site: Path, page: Path) -> dict[Path, int]:
    """Every file the first visit of `page` downloads, with its transfer size. A referenced file
    that does not exist is reported by the browser tests, not here: it weighs nothing."""
    site = site.resolve()
    page = page.resolve()
    files = {page: transfer_size(page)}
    pending = [(page, url) for url in _html_references(page.read_text(encoding="utf-8"))]
    while pending:
        base, url = pending.pop()
        target = _local_file(base, url, site)
        if target is None or target in files or not target.is_file():
            continue
        files[target] = transfer_size(target)
        if target.suffix == ".css":
            pending += [(target, ref) for ref in _css_references(target)]
        elif target.suffix == ".html":          # a forwarded-to page (meta refresh)
            pending += [(target, ref) for ref in _html_references(target.read_text(encoding="utf-8"))]
    return files


def _html_references(html: str) -> list[str]:
    parser = _References()
    parser.feed(html)
    return parser.urls + _inline_css_urls(html)


def _inline_css_urls(html: str) -> list[str]:
    urls = []
    for block in re.findall(r"<style[^>]*>(.*?)</style>", html, flags=re.S | re.I):
        urls += _urls(block)
    return urls


def page_weights(site: Path) -> dict[str, int]:
    """First-load bytes of every HTML page of a built site, by page path relative to the site."""
    site = site.resolve()
    return {page.relative_to(site).as_posix(): sum(first_load(site, page).values())
            for page in sorted(site.rglob("*.html")) if "_sources" not in page.parts}


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Serve a folder the way a static host does: text files gzip-compressed when the browser
    accepts it, with their real length, so Lighthouse counts the bytes a phone would receive."""

    def log_message(self, *args):
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?")[0].endswith("/"):
            path = path / "index.html"
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not accepts or not path.is_file() or path.suffix.lower() not in COMPRESSED:
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return io.BytesIO(body)


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """A browser that closes a connection early (Lighthouse does) is not an error here."""


def serve_compressed(folder: Path) -> tuple[str, http.server.ThreadingHTTPServer]:
    """Serve a folder on a free localhost port in a thread; returns (base URL, server)."""
    handler = functools.partial(GzipHandler, directory=str(folder))
    server = _QuietServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server
