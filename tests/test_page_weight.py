"""Page weight on mobile data (issue 18), computed from the built files, not timed: the first
load of every page stays within 400 KB gzip-compressed, no script holds up the first paint,
no web font or icon font is downloaded, pages load only the assets they use.
Lighthouse figures are measured by `scripts/bench.py --sections pages`, not here."""
from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

from kb.pageweight import BUDGET_BYTES, first_load, page_weights, transfer_size
from sitecheck import parse

FONT_FILES = (".woff", ".woff2", ".ttf", ".otf", ".eot")


@pytest.fixture(scope="module")
def sample_site(built_sample_site) -> Path:
    return (built_sample_site / "_build" / "html").resolve()


def _gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def test_first_load_counts_every_referenced_file_compressed(tmp_path):
    """The calculator itself, on a hand-made site: HTML, its stylesheet, script, image and icon,
    what the stylesheet imports and points to, the page a meta refresh forwards to; not data:
    URLs, other hosts, missing files or pages merely linked to."""
    site = tmp_path / "site"
    (site / "s").mkdir(parents=True)
    files = {
        "index.html": b'<meta http-equiv="Refresh" content="0; url=page.html" />',
        "page.html": (b'<html lang="zh-CN"><link rel="stylesheet" href="s/a.css?v=1"><link rel="icon" href="s/i.png">'
                      b'<script defer src="s/x.js"></script><img src="s/p.png"><img src="data:image/png;base64,AA==">'
                      b'<script src="https://cdn.example/x.js"></script><script src="s/missing.js"></script>'
                      b'<a href="other.html">other</a>' + "正文".encode() * 500 + b"</html>"),
        "other.html": b"<p>" + b"x" * 5000 + b"</p>",
        "s/a.css": b'@import "b.css"; body { background: url(../s/bg.png) } .i { background: url("data:image/svg+xml,AA") }',
        "s/b.css": b"p { color: red }" * 40,
        "s/x.js": b"console.log('x');" * 100,
        "s/i.png": b"\x89PNG" + bytes(range(256)) * 3,
        "s/p.png": b"\x89PNG" + bytes(range(256)),
        "s/bg.png": b"\x89PNG" + bytes(100),
    }
    for name, data in files.items():
        (site / name).write_bytes(data)

    loaded = {path.relative_to(site).as_posix(): size for path, size in first_load(site, site / "page.html").items()}
    expected = {name: (_gz(files[name]) if not name.endswith(".png") else len(files[name]))
                for name in ("page.html", "s/a.css", "s/b.css", "s/x.js", "s/i.png", "s/p.png", "s/bg.png")}
    assert loaded == expected
    assert set(first_load(site, site / "index.html")) == {site / "index.html", *(site / name for name in expected)}
    assert transfer_size(site / "s/x.js") < len(files["s/x.js"]) / 10      # text goes compressed


def test_every_page_first_load_within_budget(sample_site):
    weights = page_weights(sample_site)
    assert len(weights) > 30, "the sample site has its pages"
    over = {page: weight for page, weight in weights.items() if weight > BUDGET_BYTES}
    details = {page: sorted(((p.relative_to(sample_site).as_posix(), s) for p, s in
                             first_load(sample_site, sample_site / page).items()), key=lambda f: -f[1])[:5]
               for page in over}
    assert not over, f"first load above {BUDGET_BYTES:,} bytes (gzip): {over}; heaviest files: {details}"


def test_no_script_blocks_the_first_paint(sample_site):
    """Every external script a page loads is deferred (or async / a module). The search page is
    the one exception: its template adds the search scripts itself (it is no reading page)."""
    blocking = {}
    for page in sorted(sample_site.rglob("*.html")):
        if page.name == "search.html" or "_sources" in page.parts:
            continue
        tags = re.findall(r"<script\b[^>]*\bsrc=[^>]*>", page.read_text(encoding="utf-8"))
        plain = [tag for tag in tags if not re.search(r"\b(defer|async)\b|type=\"module\"", tag)]
        if plain:
            blocking[page.relative_to(sample_site).as_posix()] = plain
    assert not blocking


def test_no_web_font_is_downloaded(sample_site):
    """Chinese text uses the phone's own fonts and icons are inline SVG: no page loads a font
    file, and no stylesheet a page loads declares one."""
    fonts, faces = set(), set()
    for page in sorted(sample_site.rglob("*.html")):
        for path in first_load(sample_site, page):
            if path.suffix.lower() in FONT_FILES:
                fonts.add(path.relative_to(sample_site).as_posix())
            if path.suffix == ".css" and "@font-face" in path.read_text(encoding="utf-8"):
                faces.add(path.relative_to(sample_site).as_posix())
    assert not fonts and not faces
    css = (sample_site / "_static" / "kb.css").read_text(encoding="utf-8")
    assert '"PingFang SC"' in css and '"Microsoft YaHei"' in css and '"Noto Sans CJK SC"' in css


def _loaded_names(site: Path, page: str) -> set[str]:
    return {path.name for path in first_load(site, site / page)}


def test_pages_load_only_the_assets_they_use(sample_site):
    """The copy button's library, script and style and the code colours come with pages that
    show copyable text, not with the others; the notebook stylesheet with none."""
    copy_assets = {"clipboard.min.js", "copybutton.js", "copybutton.css", "pygments.css"}
    assert copy_assets <= _loaded_names(sample_site, "book/kb/scripts/objection.html")
    for page in ("book/index.html", "book/kb/quizzes/sales.html", "book/kb/products/index.html"):
        names = _loaded_names(sample_site, page)
        assert not copy_assets & names, page
        assert not any(name.startswith("mystnb.") for name in names), page


def test_sidebar_part_captions_are_complete_headings(sample_site):
    page = (sample_site / "book/kb/scripts/objection.html").read_text(encoding="utf-8")
    captions = re.findall(r'<p [^>]*class="caption"[^>]*>', page)   # attributes in any order
    assert captions and all('role="heading"' in c and 'aria-level="2"' in c for c in captions)
    assert parse(sample_site / "book/kb/scripts/objection.html").title
