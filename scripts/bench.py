#!/usr/bin/env python3
"""Benchmarks: python scripts/bench.py [--set SET[,SET…]] [--runs N] [--sections ...]

Each figure is the median of several runs. Sets: "sample" (the shipped content), "large"
(the synthetic set from kb/synth.py: 2,000 scripts, 500 products, 300 cases, 12 roles),
"both" (those two), "<mix>-<items>" for a synthetic mix of kb/synth.MIXES at that size
(e.g. procedure-heavy-10000), and "mixes" (every mix at 2,800 and 10,000 items). Each set
is a temporary project copy. Sections register themselves in SECTIONS; each takes
(project_root, runs) and returns rows of (what, median seconds, note)."""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))


def median_time(action, runs: int, before=None, clock=time.perf_counter) -> float:
    """Median seconds of `action`; clock=time.process_time counts this process's CPU only."""
    times = []
    for _ in range(runs):
        if before:
            before()
        started = clock()
        action()
        times.append(clock() - started)
    return statistics.median(times)


def make_project(dest: Path, content: Path | None) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "_config.yml", dest)
    shutil.copytree(ROOT / "book", dest / "book", ignore=shutil.ignore_patterns("kb"))
    shutil.copytree(ROOT / "scripts", dest / "scripts", ignore=shutil.ignore_patterns("__pycache__"))
    if content is None:
        shutil.copytree(ROOT / "content", dest / "content")
    else:
        shutil.move(str(content), dest / "content")
    (dest / "quizzes").mkdir(exist_ok=True)
    # the item bank names ids of the sample content: it only goes with the sample content
    if content is None and (ROOT / "quizzes" / "bank").is_dir():
        shutil.copytree(ROOT / "quizzes" / "bank", dest / "quizzes" / "bank")
    return dest


def large_project(dest: Path) -> Path:
    from kb import synth
    return synthetic_project(dest, synth.generate())


def synthetic_project(dest: Path, data: dict) -> Path:
    from kb import synth
    staging = dest.parent / "synth-content"
    synth.write(staging, data)
    return make_project(dest, staging)


MIX_SIZES = (2800, 10000)


def expand_sets(text: str) -> list[str]:
    """--set value -> set names; raises ValueError naming what is not a set."""
    from kb import synth
    names: list[str] = []
    for name in (part.strip() for part in text.split(",") if part.strip()):
        if name == "both":
            names += ["sample", "large"]
        elif name == "mixes":
            names += [f"{mix}-{size}" for size in MIX_SIZES for mix in synth.MIXES]
        elif name in ("sample", "large") or _mix_of(name):
            names.append(name)
        else:
            raise ValueError(f"unknown set {name!r}; expected sample, large, both, mixes or "
                             f"<mix>-<items> with a mix of {sorted(synth.MIXES)}")
    return names


def _mix_of(name: str) -> tuple[str, int] | None:
    from kb import synth
    mix, _, size = name.rpartition("-")
    return (mix, int(size)) if mix in synth.MIXES and size.isdigit() and int(size) > 0 else None


def project_for(name: str, dest: Path) -> Path:
    from kb import synth
    if name == "sample":
        return make_project(dest, None)
    if name == "large":
        return large_project(dest)
    mix, size = _mix_of(name)
    return synthetic_project(dest, synth.generate_mix(mix, size))


def run_kb(root: Path, *args: str) -> float:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, str(root / "scripts" / "kb.py"), *args], cwd=root, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"kb.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return time.perf_counter() - started


def section_content(root: Path, runs: int) -> list[tuple[str, float, str]]:
    from kb.content import load_content
    from kb.pipeline import site_files
    from kb.writers import sync_generated
    content = load_content(root)
    files = site_files(content)
    sync_generated(root, files)
    return [
        ("load + validate", median_time(lambda: load_content(root), runs), f"{len(content.items)} items"),
        ("render", median_time(lambda: site_files(content), runs), f"{len(files)} files"),
        ("write (no change)", median_time(lambda: sync_generated(root, files), runs), "write-only-if-changed"),
    ]


def section_build(root: Path, runs: int) -> list[tuple[str, float, str]]:
    def clean():
        shutil.rmtree(root / "_build", ignore_errors=True)
        shutil.rmtree(root / "book" / "kb", ignore_errors=True)
    script = sorted((root / "content" / "scripts").glob("*.yml"))[0]
    original = script.read_text(encoding="utf-8")
    counter = iter(range(10_000))

    def edit():
        # change the copyable response of one script: one page's content changes
        script.write_text(original.replace("text: ", f"text: 第{next(counter)}次修改。", 1), encoding="utf-8")
    runs_of: dict[str, list] = {"clean": [], "no-op": [], "forced": [], "edit": []}

    def build(kind: str):
        runs_of[kind].append(measured_run(root, "build", *(["--force"] if kind == "forced" else [])))

    def cpu(kind: str) -> str:
        return f"CPU {statistics.median(usage.ru_utime + usage.ru_stime for usage in runs_of[kind]):.1f} s"
    rows = [("clean full build", median_time(lambda: build("clean"), runs, before=clean), "kb.py build from nothing, " + cpu("clean"))]
    rows.append(("no-op rebuild", median_time(lambda: build("no-op"), runs), "nothing changed, " + cpu("no-op")))
    rows.append(("no-op rebuild, forced", median_time(lambda: build("forced"), runs),
                 "nothing changed, kb.py build --force: every stage runs, " + cpu("forced")))
    rows.append(("rebuild after editing one YAML item", median_time(lambda: build("edit"), runs, before=edit),
                 "one script's text, " + cpu("edit")))
    script.write_text(original, encoding="utf-8")
    # measured on the clean builds above (one build for both figures: 10,000 items take minutes)
    peak = max(usage.ru_maxrss for usage in runs_of["clean"]) / 1024
    rows.append(("peak memory of a clean build", 0.0, f"{peak:.0f} MB (max RSS of kb.py and jupyter-book)"))
    return rows + site_size_rows(root / "_build" / "html")


def site_size_rows(site: Path) -> list[tuple[str, None, str]]:
    """The budgets that grow with the content: the finder's index (≤ 1.5 MB gzipped, issue 11)
    and what a phone stores at install (≤ 30 MB, the rest on first visit, issue 12)."""
    import gzip
    from kb.offline import PRECACHE_BUDGET_BYTES, precached_files
    index = (site / "_static" / "finder-index.js").read_bytes()
    packed = len(gzip.compress(index, 6))
    cached = precached_files(site)
    stored = sum((site / url).stat().st_size for url in cached)
    files = [p for p in site.rglob("*") if p.is_file() and p.name != "sw.js"]
    everything = sum(p.stat().st_size for p in files)
    return [("finder index size", None, f"{len(index) / 1e6:.2f} MB, {packed / 1_048_576:.2f} MB gzipped "
             f"({'within' if packed <= 1.5 * 1_048_576 else 'OVER'} the 1.5 MB budget)"),
            ("precache size", None, f"{stored / 1_048_576:.1f} MB in {len(cached)} files "
             f"({'within' if stored <= PRECACHE_BUDGET_BYTES else 'OVER'} the 30 MB budget); "
             f"the whole site {everything / 1_048_576:.1f} MB in {len(files)} files")]


def measured_run(root: Path, *args: str):
    """One kb.py run; its resource usage and that of the processes it waited for (wait4's
    rusage): CPU time (user + system, a steadier figure than wall time on a shared machine)
    and peak resident memory."""
    process = subprocess.Popen([sys.executable, str(root / "scripts" / "kb.py"), *args], cwd=root,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"kb.py {' '.join(args)} failed with exit code {process.returncode}")
    return usage


def section_governance(root: Path, runs: int) -> list[tuple[str, float, str]]:
    """The review workflow's own costs: the compliance lint and the publishing filter."""
    from kb.content import load_content
    from kb.lint import lint_item
    from kb.review import published, review_report, today
    content = load_content(root)
    sources = {item.id: (root / item.file).read_bytes() for item in content.items.values()}

    def lint_all():
        return [p for item in content.items.values() for p in lint_item(item, sources[item.id])]
    return [
        ("compliance lint", median_time(lint_all, runs), f"{len(content.items)} items, {len(lint_all())} findings"),
        ("publishing filter", median_time(lambda: published(content, today()), runs), "approved and unexpired only"),
        ("review report", median_time(lambda: review_report(content, today()), runs), "kb.py review"),
    ]


def section_ours(root: Path, runs: int) -> list[tuple[str, float, str]]:
    """The project's own stages of a no-op build (check, select, render, write) with the caches
    a build keeps in _build/.kb-cache (kb.py build's order, without Sphinx), in process."""
    from kb import pipeline
    from kb.review import today
    progress = pipeline.Progress(lambda line: None)

    def stages():
        content = pipeline.check(root, progress, publishing=True)
        shown = pipeline.select(content, progress, False, today())
        return pipeline.generate(root, shown, progress, today())
    stages()                                    # fills the caches, as the build before would
    cpu = time.process_time()
    seconds = median_time(stages, runs)
    cpu = (time.process_time() - cpu) / runs
    report = stages()
    digest_seconds = median_time(lambda: pipeline.build_inputs(root, False, today()), runs)
    return [("our stages on a no-op (check, select, render, write)", seconds,
             f"{cpu:.2f} s CPU a run; {len(report.unchanged)} files unchanged, {len(report.written)} written "
             "(what kb.py build --force runs before Sphinx)"),
            ("digest of the build's inputs", digest_seconds,
             "what kb.py build runs before finding nothing to build (every input file read and hashed)")]


BUDGETS_MISSED: list[str] = []


def section_pages(root: Path, runs: int) -> list[tuple[str, float | None, str]]:
    """Lighthouse mobile (slow 4G, 4x CPU) on five pages of the built site, and the page
    budgets of issue 18 (needs `bash .ci/setup --bench`)."""
    site = root / "_build" / "html"
    if not (site / "index.html").exists():
        run_kb(root, "build")
    return page_rows(site.resolve(), runs)


def page_rows(site: Path, runs: int) -> list[tuple[str, float | None, str]]:
    from kb import pagebench
    results = pagebench.measure_site(site, runs)
    rows: list[tuple[str, float | None, str]] = [
        (f"{r.label} `/{r.path}`", r.lcp_s,
         f"LCP; performance {r.performance} (runs: {', '.join(map(str, r.runs))}), accessibility {r.accessibility}, "
         f"FCP {r.fcp_s:.1f} s, TBT {r.tbt_ms:.0f} ms, {pagebench.kib(r.transferred)} in {r.requests} requests, "
         f"first load {pagebench.kib(r.first_load)}") for r in results]
    for budget, met, evidence in pagebench.budget_findings(site, results):
        if not met:
            BUDGETS_MISSED.append(budget)
        rows.append((f"budget: {budget}", None, ("met: " if met else "NOT MET: ") + evidence))
    return rows


SECTIONS = {"content": section_content, "build": section_build, "ours": section_ours, "governance": section_governance,
            "pages": section_pages}


def _load_extra_sections():
    """Sections other modules add (quiz generation, coaching report) when they exist."""
    for module_name in ("kb.quiz.bench", "kb.coaching.bench", "kb.finder_bench", "kb.offline.bench", "kb.practice.bench"):
        try:
            module = __import__(module_name, fromlist=["SECTIONS"])
        except ModuleNotFoundError:
            continue
        SECTIONS.update(module.SECTIONS)


def main(argv=None) -> int:
    _load_extra_sections()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default="both", help="sample, large, both, mixes or <mix>-<items>, comma-separated")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sections", default=",".join(SECTIONS), help="comma-separated: " + ", ".join(SECTIONS))
    parser.add_argument("--site", type=Path, help="only run Lighthouse and the page budgets on this already built "
                        "site folder (e.g. another commit's _build/html)")
    args = parser.parse_args(argv)
    if args.site:
        return measure_built_site(args.site, args.runs)
    sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s) {unknown}; expected some of {list(SECTIONS)}")
    print(f"# Benchmarks — {time.strftime('%Y-%m-%d')}, {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, median of {args.runs} runs, "
          f"load average {os.getloadavg()[0]:.1f} at the start (the machine is shared)\n")
    try:
        sets = expand_sets(args.set)
    except ValueError as error:
        parser.error(str(error))
    with tempfile.TemporaryDirectory(prefix="kb-bench-") as tmp:
        for name in sets:
            root = project_for(name, Path(tmp) / name / "project")
            print(f"## {name} content\n\n| stage | median | note | load |\n| --- | ---: | --- | ---: |")
            for section in sections:
                for what, seconds, note in SECTIONS[section](root, args.runs):
                    shown = "" if seconds is None or (seconds == 0.0 and "memory" in what) else f"{seconds:.2f} s"
                    # the machine is shared: the 1-minute load average says how busy it was
                    print(f"| {section}: {what} | {shown} | {note} | {os.getloadavg()[0]:.1f} |", flush=True)
            print()
    return _budgets_verdict()


def measure_built_site(site: Path, runs: int) -> int:
    from kb import pagebench
    print(f"# Pages of {site} — Lighthouse {pagebench.lighthouse_version()}, mobile, median of {runs} runs, {_load()}\n")
    print("| page | LCP | note |\n| --- | ---: | --- |")
    for what, seconds, note in page_rows(site.resolve(), runs):
        print(f"| {what} | {'' if seconds is None else f'{seconds:.2f} s'} | {note} |", flush=True)
    return _budgets_verdict()


def _load() -> str:
    """The machine is shared: the load when a run started says how far to trust its times."""
    return "load average {:.1f} / {:.1f} / {:.1f} at start".format(*os.getloadavg())


def _budgets_verdict() -> int:
    if BUDGETS_MISSED:
        print("budgets not met: " + "; ".join(BUDGETS_MISSED), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
