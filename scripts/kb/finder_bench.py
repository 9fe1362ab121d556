"""Benchmark section "finder" (scripts/bench.py --sections finder): the reply finder's index
build time and size, its quality on the evaluation set (tuning and held-out halves) compared
with MiniSearch, and the time to first results in Chromium with the CPU throttled 4×.

On the large set the sample content is mixed into the 2,000 synthetic scripts, so the
evaluation messages must still find the real sample scripts among many near neighbours."""
from __future__ import annotations

import gzip
import json
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from .content import load_content
from .finder import build_index, read_book_pages, render_index
from .finder_eval import load_cases, ranked_ids, score_rankings
from .model import Content

ROOT = Path(__file__).resolve().parents[2]
JS_TOOLS = Path(__file__).parent / "js"
CPU_THROTTLE = 4


def mixed_content(root: Path) -> Content:
    """The project's content, plus the sample content when the project is the synthetic set."""
    content = load_content(root)
    if root.resolve() != ROOT and "objection-too-expensive" not in content.items:
        sample = load_content(ROOT)
        content = Content({**content.items, **sample.items}, synonyms=sample.synonyms)
    return content


def _quality_rows(label: str, ranked_by_query, cases) -> list:
    halves = (("all", cases), ("tuning half", [c for c in cases if not c.held_out]),
              ("held-out half", [c for c in cases if c.held_out]))
    return [(f"{label}, {name}", None, score_rankings(ranked_by_query, subset).line()) for name, subset in halves]


def _minisearch(content: Content, cases) -> tuple[dict, dict] | None:
    node = shutil.which("node")
    if not node or not (JS_TOOLS / "node_modules" / "minisearch").is_dir():
        return None
    docs = [{"id": s.id, "says": s.data["customer_says"], "title": s.data["title"], "tags": s.data.get("tags") or [],
             "concern": s.data["concern"]} for s in content.of_kind("script")]
    payload = json.dumps({"docs": docs, "synonyms": content.synonyms, "queries": [c.query for c in cases]}, ensure_ascii=False)
    result = subprocess.run([node, str(JS_TOOLS / "minisearch_rank.js")], input=payload, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise SystemExit("minisearch_rank.js failed:\n" + result.stderr)
    out = json.loads(result.stdout)
    return dict(zip([c.query for c in cases], out["ranked"])), out


def _node_rank_ms(index: dict, cases) -> float | None:
    """Milliseconds a query for finder.js's ranking alone, in node (no page, no throttling):
    the engine's own cost, comparable with MiniSearch's query time above."""
    node = shutil.which("node")
    if not node:
        return None
    program = ("const f = require(%s); const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
               "const kinds = ['script', 'product', 'case', 'rule', 'sop', 'role'];"
               "input.queries.forEach(q => f.rank(input.index, q, kinds));"          # warm up
               "const t = process.hrtime.bigint();"
               "for (let i = 0; i < 5; i++) input.queries.forEach(q => f.rank(input.index, q, kinds));"
               "process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6 / 5 / input.queries.length));"
               ) % json.dumps(str(ROOT / "book" / "_static" / "finder.js"))
    payload = json.dumps({"index": index, "queries": [c.query for c in cases]}, ensure_ascii=False)
    result = subprocess.run([node, "-e", program], input=payload, capture_output=True, text=True, timeout=600)
    return float(result.stdout) if result.returncode == 0 else None


def _latency(index_text: str, cases) -> dict | None:
    """Median and slowest time from an input event to the results in the page (after the
    next frame), over the evaluation messages, with the CPU throttled; and the index load."""
    from playwright.sync_api import sync_playwright
    from .kb_sphinx import FINDER_BODY
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        return None
    with tempfile.TemporaryDirectory(prefix="kb-finder-bench-") as tmp:
        folder = Path(tmp)
        (folder / "_static").mkdir()
        for name in ("finder.js", "reply.js", "finder.css"):
            shutil.copy(ROOT / "book" / "_static" / name, folder / "_static" / name)
        (folder / "_static" / "finder-index.js").write_text(index_text, encoding="utf-8")
        (folder / "search.html").write_text(
            '<!doctype html><html data-content_root="./"><head><meta charset="utf-8">'
            '<link rel="stylesheet" href="_static/finder.css"><script src="_static/finder.js"></script>'
            f'<script src="_static/reply.js"></script></head><body><article>{FINDER_BODY}</article></body></html>',
            encoding="utf-8")
        args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"]
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(chromium), headless=True, args=args)
            page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
            cdp = page.context.new_cdp_session(page)
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_THROTTLE})
            started = time.perf_counter()
            page.goto((folder / "search.html").as_uri())
            page.wait_for_function("document.querySelector('.kb-finder-status').textContent.startsWith('把客户')", timeout=60000)
            load_seconds = time.perf_counter() - started
            timings = page.evaluate("""async (queries) => {
                const input = document.querySelector('#kb-finder input[name=q]');
                const list = document.querySelector('.kb-finder-scripts');
                const frame = () => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
                const times = [];
                for (const q of queries) {
                  input.value = ''; input.dispatchEvent(new Event('input')); await frame();
                  const t0 = performance.now();
                  input.value = q; input.dispatchEvent(new Event('input'));
                  while (!list.firstElementChild) await new Promise(r => setTimeout(r, 0));
                  await new Promise(r => requestAnimationFrame(r));
                  times.push(performance.now() - t0);
                }
                return times;
            }""", [c.query for c in cases if c.query.strip()])
            browser.close()
    ordered = sorted(timings)
    return {"median_ms": statistics.median(timings), "p95_ms": ordered[int(0.95 * (len(ordered) - 1))], "max_ms": ordered[-1],
            "first_ms": timings[0], "count": len(timings), "load_s": load_seconds}


def section_finder(root: Path, runs: int) -> list:
    content = mixed_content(root)
    cases = load_cases()
    scripts = len(content.of_kind("script"))
    from bench import median_time          # scripts/bench.py, which runs this section
    pages = read_book_pages(root)                  # the site's index holds the hand-written pages too
    build_seconds = median_time(lambda: render_index(build_index(content, content.synonyms, pages)), runs)
    index = build_index(content, content.synonyms, pages)
    text = render_index(index)
    raw = text.encode("utf-8")
    rows = [("index build", build_seconds, f"{len(index['docs'])} documents, {scripts} scripts, target ≤ 2 s"),
            ("index size", None, f"{len(raw) / 1e6:.2f} MB, {len(gzip.compress(raw, 9)) / 1e6:.3f} MB gzipped (target ≤ 1.5 MB gzipped)")]
    ours = {c.query: ranked_ids(index, c.query) for c in cases}
    rows += _quality_rows("quality, BM25 over n-grams (ours)", ours, cases)
    no_synonyms = build_index(content, [], pages)
    plain = {c.query: ranked_ids(no_synonyms, c.query) for c in cases}
    rows += _quality_rows("quality, ours without synonyms.yml", plain, cases)[:1]
    mini = _minisearch(content, cases)
    if mini is None:
        rows.append(("quality, MiniSearch 7.2.0", None, "not measured: run bash .ci/setup (node and scripts/kb/js/node_modules)"))
    else:
        ranked, out = mini
        rows += _quality_rows("quality, MiniSearch 7.2.0 (same tokenizer and field boosts)", ranked, cases)
        rows.append(("MiniSearch: index build in node", out["build_ms"] / 1000,
                     f"serialized index {out['index_bytes'] / 1e6:.2f} MB, {out['index_gzip_bytes'] / 1e6:.3f} MB gzipped; "
                     f"{out['query_ms']:.2f} ms a query"))
    per_query = _node_rank_ms(index, cases)
    if per_query is not None:
        rows.append(("ranking alone in node (finder.js)", per_query / 1000, f"{per_query:.2f} ms a query, all kinds, no throttling"))
    latency = _latency(text, cases)
    if latency is None:
        rows.append(("first results in Chromium", None, "not measured: /usr/bin/chromium missing"))
    else:
        rows.append(("first results after typing (median)", latency["median_ms"] / 1000,
                     f"CPU throttled {CPU_THROTTLE}×, {latency['count']} messages: 95th percentile {latency['p95_ms']:.0f} ms, "
                     f"slowest {latency['max_ms']:.0f} ms, very first query {latency['first_ms']:.0f} ms; target ≤ 100 ms"))
        rows.append(("search page ready with index", latency["load_s"],
                     f"CPU throttled {CPU_THROTTLE}×, local file: parse and first paint of the lazily loaded index"))
    return rows


SECTIONS = {"finder": section_finder}
