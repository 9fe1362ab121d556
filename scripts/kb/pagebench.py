"""Lighthouse on the built site, as a rep's phone sees it, and the page budgets of issue 18.

Lighthouse (npm, pinned in .ci/lighthouse/package.json, installed by `bash .ci/setup --bench`)
runs with its mobile profile: a Moto G Power-sized screen, simulated slow 4G (150 ms round trip,
1.6 Mbit/s) and a 4x slower CPU. The site is served gzip-compressed like a static host would
(kb.pageweight.serve_compressed). Five pages are measured: the home page and, for scripts,
products, cases and self-check quizzes, the page of that kind with the heaviest first load."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .pageweight import BUDGET_BYTES, first_load, page_weights, serve_compressed

ROOT = Path(__file__).resolve().parents[2]
LIGHTHOUSE = ROOT / ".ci" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
# headless Chromium as root, with nothing of its own on the network while it measures
CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
MOBILE_SLOW_4G = ["--form-factor=mobile", "--throttling-method=simulate", "--throttling.rttMs=150",
                  "--throttling.throughputKbps=1638.4", "--throttling.cpuSlowdownMultiplier=4"]
LARGE_BYTES = 50_000        # a file this big (search index, precache) waits until the page is shown
MIN_PERFORMANCE = 90
MIN_ACCESSIBILITY = 100
KINDS = (("home", None), ("script page", "book/kb/scripts"), ("product page", "book/kb/products"),
         ("case page", "book/kb/cases"), ("self-check page", "book/kb/quizzes"))


class LighthouseMissing(RuntimeError):
    pass


@dataclass
class PageResult:
    label: str
    path: str                       # relative to the site, "" for the site root
    performance: int
    accessibility: int
    fcp_s: float
    lcp_s: float
    tbt_ms: float
    transferred: int                # bytes Lighthouse saw on the wire during the whole load
    first_load: int                 # bytes of the page and the files its HTML references (gzip)
    requests: int
    accessibility_failures: list[str] = field(default_factory=list)
    blocking_scripts: list[str] = field(default_factory=list)
    early_fetches: list[str] = field(default_factory=list)     # large or fetched by script, before first paint
    runs: list[int] = field(default_factory=list)              # performance score of every run


def pages_to_measure(site: Path) -> list[tuple[str, str]]:
    """(label, path relative to the site) of the five pages: the home page (the site root) and
    the heaviest page of each content kind; kinds the site does not have are left out."""
    weights = page_weights(site)
    chosen = []
    for label, folder in KINDS:
        if folder is None:
            chosen.append((label, ""))
            continue
        pages = [p for p in weights if p.startswith(folder + "/") and not p.endswith("/index.html")]
        if pages:
            chosen.append((label, max(pages, key=lambda p: (weights[p], p))))
    return chosen


def lighthouse_version() -> str:
    _require_lighthouse()
    return subprocess.run([str(LIGHTHOUSE), "--version"], capture_output=True, text=True, check=True).stdout.strip()


def _require_lighthouse() -> None:
    if not LIGHTHOUSE.exists():
        raise LighthouseMissing(f"Lighthouse is not installed ({LIGHTHOUSE}): run `bash .ci/setup --bench`")
    if not Path(CHROMIUM).exists():
        raise LighthouseMissing(f"Chromium not found at {CHROMIUM}: run `bash .ci/setup --browser` or set CHROME_PATH")


def run_lighthouse(url: str, out: Path) -> dict:
    """One Lighthouse run (performance and accessibility) of one URL; returns its JSON report."""
    _require_lighthouse()
    command = [str(LIGHTHOUSE), url, "--output=json", f"--output-path={out}", "--quiet",
               "--only-categories=performance,accessibility", *MOBILE_SLOW_4G,
               "--chrome-flags=" + " ".join(CHROMIUM_FLAGS)]
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    if result.returncode != 0 or not out.exists():
        raise RuntimeError(f"lighthouse {url} failed (exit {result.returncode}):\n{result.stderr[-2000:]}")
    report = json.loads(out.read_text(encoding="utf-8"))
    if report.get("runtimeError"):
        raise RuntimeError(f"lighthouse {url}: {report['runtimeError']}")
    return report


def summarize(label: str, path: str, report: dict, static_files: set[str], first_load_bytes: int) -> PageResult:
    """The figures and budget findings of one Lighthouse report. `static_files` are the URL
    paths the page's HTML references: any other request was made by a script."""
    audits = report["audits"]
    metrics = audits["metrics"]["details"]["items"][0]
    requests = audits["network-requests"]["details"]["items"]
    first_paint = metrics["observedFirstContentfulPaint"]
    blocking = [item["url"] for item in audits["render-blocking-resources"].get("details", {}).get("items", [])
                if _url_path(item["url"]).endswith((".js", ".mjs"))]
    early = [f"{_url_path(r['url'])} ({kib(r['transferSize'])} at {r['networkRequestTime']:.0f} ms)" for r in requests
             if r["url"].startswith("http") and r.get("resourceType") != "Document"
             and r["networkRequestTime"] < first_paint and r["transferSize"] > 0
             and _url_path(r["url"]) != "/favicon.ico"          # asked for by the browser itself
             and (_url_path(r["url"]) not in static_files or r["transferSize"] > LARGE_BYTES)]
    failures = [ref["id"] for ref in report["categories"]["accessibility"]["auditRefs"]
                if audits[ref["id"]].get("score") is not None and audits[ref["id"]]["score"] < 1]
    return PageResult(
        label=label, path=path,
        performance=round(report["categories"]["performance"]["score"] * 100),
        accessibility=round(report["categories"]["accessibility"]["score"] * 100),
        fcp_s=audits["first-contentful-paint"]["numericValue"] / 1000,
        lcp_s=audits["largest-contentful-paint"]["numericValue"] / 1000,
        tbt_ms=audits["total-blocking-time"]["numericValue"],
        transferred=int(audits["total-byte-weight"]["numericValue"]),
        first_load=first_load_bytes, requests=len(requests),
        accessibility_failures=failures, blocking_scripts=blocking, early_fetches=early)


def _url_path(url: str) -> str:
    from urllib.parse import unquote, urlparse
    return unquote(urlparse(url).path)


def measure_site(site: Path, runs: int = 3, keep_reports: Path | None = None) -> list[PageResult]:
    """Lighthouse `runs` times on each of the five pages; per page, the run with the median
    performance score (ties: median LCP), as Lighthouse's own docs advise."""
    site = site.resolve()
    url, server = serve_compressed(site)
    results = []
    try:
        with tempfile.TemporaryDirectory(prefix="kb-lighthouse-") as tmp:
            for label, path in pages_to_measure(site):
                page = site / (path or "index.html")
                loaded = first_load(site, page)
                static = {"/" + p.relative_to(site).as_posix() for p in loaded} | {"/"}
                reports = []
                for run in range(runs):
                    out = Path(tmp) / f"{label.replace(' ', '-')}-{run}.json"
                    reports.append(run_lighthouse(f"{url}/{path}", out))
                    if keep_reports:
                        keep_reports.mkdir(parents=True, exist_ok=True)
                        shutil.copy(out, keep_reports / out.name)
                summaries = [summarize(label, path, r, static, sum(loaded.values())) for r in reports]
                summaries.sort(key=lambda s: (s.performance, -s.lcp_s))
                chosen = summaries[(len(summaries) - 1) // 2]
                chosen.runs = sorted(s.performance for s in summaries)
                results.append(chosen)
    finally:
        server.shutdown()
    return results


def budget_findings(site: Path, results: list[PageResult]) -> list[tuple[str, bool, str]]:
    """(budget, met, evidence) for each budget of issue 18."""
    weights = page_weights(site)
    heaviest = max(weights, key=weights.get)
    over = [f"{p} {kib(w)}" for p, w in sorted(weights.items(), key=lambda item: -item[1]) if w > BUDGET_BYTES]
    if len(over) > 3:
        over = [f"{len(over)} of {len(weights)} pages, heaviest " + ", ".join(over[:3])]
    slow = [f"{r.label} {r.performance}" for r in results if r.performance < MIN_PERFORMANCE]
    inaccessible = [f"{r.label} {r.accessibility} ({', '.join(r.accessibility_failures)})"
                    for r in results if r.accessibility < MIN_ACCESSIBILITY]
    blocking = [f"{r.label}: {_some(sorted(_url_path(u) for u in r.blocking_scripts))}" for r in results if r.blocking_scripts]
    early = [f"{r.label}: {', '.join(r.early_fetches)}" for r in results if r.early_fetches]
    return [
        ("first load of every page ≤ 400 KB (gzip)", not over,
         "; ".join(over) or f"{len(weights)} pages, heaviest {heaviest} {kib(weights[heaviest])}"),
        (f"Lighthouse mobile performance ≥ {MIN_PERFORMANCE}", not slow,
         "; ".join(slow) or "lowest " + str(min((r.performance for r in results), default=0))),
        (f"Lighthouse accessibility = {MIN_ACCESSIBILITY}", not inaccessible, "; ".join(inaccessible) or "all 100"),
        ("no render-blocking script", not blocking, "; ".join(blocking) or "none on the five pages"),
        (f"nothing fetched by script and nothing over {kib(LARGE_BYTES)} before first paint", not early,
         "; ".join(early) or "none on the five pages"),
    ]


def _some(names: list[str], shown: int = 4) -> str:
    return f"{len(names)} scripts: " + ", ".join(names[:shown]) + (" …" if len(names) > shown else "")


def kib(size: float) -> str:
    return f"{size / 1024:,.0f} KiB" if size >= 10 * 1024 else f"{size / 1024:.1f} KiB"

