"""Offline and installable: the service worker that precaches what a rep needs, built with
Workbox after Jupyter Book has written the site.

The Node tools (workbox-build, workbox-window, axe-core for the tests) are pinned in
package-lock.json beside this file; `bash .ci/setup` installs them into .venv/node, next to
the Python packages, so a copy of the project finds them through the Python in use."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).parent
SERVICE_WORKER = "sw.js"
WORKBOX_DIR = "_static/workbox"         # Workbox's built files and their licence, copied from npm
WORKBOX_FILES = [("workbox-window", "workbox-window.prod.umd.js"), ("workbox-sw", "workbox-sw.js")] + [
    (f"workbox-{name}", f"workbox-{name}.prod.js") for name in ("core", "precaching", "routing", "strategies", "expiration")]
# What a rep needs without signal: the reps' pages (every script, product, case, role and its
# learning path, rule, SOP, self-check page), the finder's page (search.html) with its index,
# generated under _static (a glob, not its name), and the files those pages load.
PRECACHE = ["book/index.html", "book/onboarding.html", "book/kb/**/*.html", "search.html",
            "manifest.webmanifest", "_static/**/*.{js,css,json,svg,png,woff2}"]
# Trainers' pages and source maps stay out (redirect pages too: build_service_worker), and the
# files Sphinx and its extensions copy that no page of the site loads (Sphinx's own search and
# its highlighting, replaced by the finder; the base theme's stylesheet and images, which Furo
# does not use; Furo's empty extensions script; sphinx-copybutton's module source and icons, which
# its script draws inline): 61 KB a phone would store for nothing.
UNUSED_STATIC = ["basic.css", "debug.css", "skeleton.css", "file.png", "minus.png", "plus.png", "searchtools.js",
                 "language_data.js", "doctools.js", "sphinx_highlight.js", "translations.js", "copybutton_funcs.js",
                 "check-solid.svg", "copy-button.svg", "scripts/furo-extensions.js"]
NOT_PRECACHED = ["book/trainer*.html", "**/*.map", "_static/kb-icon-512.png", f"{WORKBOX_DIR}/*.txt", f"{WORKBOX_DIR}/workbox-sw.js",
                 f"{WORKBOX_DIR}/workbox-*.prod.js"] + [f"_static/{name}" for name in UNUSED_STATIC]
MAX_FILE_BYTES = 15 * 1024 * 1024
# What a phone stores at install, at most (issue 12: 30 MB at 2,000 scripts; issue 16: at every
# size). Past it, files are stored when first opened (sw-template.js), in this order of need:
# the first tier always, then tier by tier, in address order, until the next file would not fit.
PRECACHE_BUDGET_BYTES = 30 * 1024 * 1024
PRECACHE_TIERS = [
    # the finder, the home and index pages, roles and learning paths, self-check pages, scripts and styles
    [r"^_static/(?!practice/data/)", r"^search\.html$", r"^manifest\.webmanifest$", r"^book/[^/]+\.html$",
     r"^book/kb/[^/]+/index\.html$", r"^book/kb/(roles|quizzes)/"],
    [r"^book/kb/scripts/"],                                   # every approved reply
    [r"^book/kb/products/"],
    [r"^book/kb/(cases|rules|sops)/"],
    [r"^book/kb/practice/", r"^_static/practice/data/"],       # drill sets with their cards
    [r".*"],                                                  # the rest (the tag index)
]


class OfflineToolsMissing(Exception):
    pass


@dataclass(frozen=True)
class Precache:
    count: int
    size: int                # bytes
    warnings: list
    later_count: int = 0     # over the budget: stored when first opened
    later_size: int = 0

    def summary(self) -> str:
        from ..i18n import _
        text = _("{count} files precached for offline use, {size:.1f} MB").format(count=self.count, size=self.size / 1_048_576)
        if self.later_count:
            text += _("; {count} more files ({size:.1f} MB, over the {budget} MB budget) are stored when first opened").format(
                count=self.later_count, size=self.later_size / 1_048_576, budget=PRECACHE_BUDGET_BYTES // 1_048_576)
        if self.warnings:
            text += _("; Workbox warnings: {warnings}").format(warnings="; ".join(map(str, self.warnings)))
        return text


def node_modules() -> Path:
    """Where .ci/setup installed the pinned Node tools (KB_NODE_MODULES overrides)."""
    return Path(os.environ.get("KB_NODE_MODULES") or Path(sys.prefix) / "node" / "node_modules")


def _node() -> str:
    from ..i18n import _
    node = shutil.which("node") or shutil.which("nodejs")
    if not node or not (node_modules() / "workbox-build").is_dir():
        raise OfflineToolsMissing(_("the offline tools (Node and workbox-build) are not installed in {folder}: "
                                    "run bash .ci/setup, which installs them").format(folder=node_modules()))
    return node


def redirect_pages(site: Path) -> list[str]:
    """Pages that only forward to a new address (kb_sphinx.redirect_page): not worth caching."""
    return sorted(p.relative_to(site).as_posix() for p in (site / "book" / "kb").rglob("*.html")
                  if "页面已搬到新地址" in _head(p))


def _head(path: Path) -> str:
    with path.open("rb") as handle:
        return handle.read(600).decode("utf-8", errors="replace")


def build_service_worker(site: Path) -> Precache:
    """Write sw.js (Workbox, precache manifest of PRECACHE) and Workbox's files into `site`.
    The worker's own Workbox modules are left out of the list: the browser keeps the scripts
    a service worker imports with the worker itself."""
    node = _node()
    folder = site / WORKBOX_DIR
    folder.mkdir(parents=True, exist_ok=True)
    for package, built in WORKBOX_FILES:
        shutil.copyfile(node_modules() / package / "build" / built, folder / built)
    shutil.copyfile(node_modules() / "workbox-sw" / "LICENSE", folder / "LICENSE.txt")
    config = {"globDirectory": str(site), "swDest": str(site / SERVICE_WORKER), "globPatterns": PRECACHE,
              "globIgnores": NOT_PRECACHED, "maximumFileSizeToCacheInBytes": MAX_FILE_BYTES,
              "kbBudget": PRECACHE_BUDGET_BYTES, "kbTiers": PRECACHE_TIERS, "kbSkip": redirect_pages(site)}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as handle:
        json.dump(config, handle)
    try:
        result = subprocess.run([node, str(HERE / "build-sw.cjs"), handle.name], capture_output=True, text=True,
                                env={**os.environ, "NODE_PATH": str(node_modules())})
    finally:
        os.unlink(handle.name)
    if result.returncode != 0:
        from ..i18n import _
        raise RuntimeError(_("Workbox could not build the service worker (the site was not published):\n{details}").format(
            details=result.stderr.strip()[-2000:]))
    report = json.loads(result.stdout.strip().splitlines()[-1])
    return Precache(report["count"], report["size"], report["warnings"], report["laterCount"], report["laterSize"])


def precached_files(site: Path) -> list[str]:
    """The addresses sw.js precaches, read back from the built file (for the benchmark and tests)."""
    import re
    text = (site / SERVICE_WORKER).read_text(encoding="utf-8")
    return re.findall(r'"url":\s*"([^"]+)"', text)
