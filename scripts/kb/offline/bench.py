"""Benchmark section of scripts/bench.py: what the service worker stores on a rep's phone
(the precache, which must stay within 30 MB at 2,000 scripts) and what building it costs."""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

LIMIT_MB = 30


def section_offline(root: Path, runs: int) -> list[tuple[str, float | None, str]]:
    from bench import median_time
    from kb.offline import build_service_worker, precached_files
    site = root / "_build" / "html"
    if not (site / "sw.js").exists():
        result = subprocess.run([sys.executable, str(root / "scripts" / "kb.py"), "build"], cwd=root, capture_output=True, text=True)
        if result.returncode != 0:
            raise SystemExit(f"kb.py build failed:\n{result.stdout}\n{result.stderr}")
    site = site.resolve()
    sizes = {url: (site / url).stat().st_size for url in precached_files(site)}
    total = sum(sizes.values()) / 1_048_576
    largest = sorted(sizes.items(), key=lambda pair: -pair[1])[:3]
    pages = sum(1 for url in sizes if url.endswith(".html"))
    verdict = "within" if total <= LIMIT_MB else "OVER"
    rows = [("precache size", None, f"{total:.1f} MB in {len(sizes)} files ({pages} pages), {verdict} the {LIMIT_MB} MB limit; largest: "
             + ", ".join(f"{url} {size / 1_048_576:.2f} MB" for url, size in largest))]
    with tempfile.TemporaryDirectory(prefix="kb-sw-") as tmp:
        copy = Path(tmp) / "site"
        shutil.copytree(site, copy)
        rows.append(("service worker build", median_time(lambda: build_service_worker(copy), runs), "Workbox injectManifest over the built site"))
    return rows


SECTIONS = {"offline": section_offline}
