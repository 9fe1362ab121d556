"""One fixture per failure mode (tests/fixtures/broken/<mode>/): the mini content with the
files under <mode>/content/ laid over it must fail with exactly the messages in expected.txt.
Regenerate expected.txt after a deliberate wording change with --update-golden, then review it."""
from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, run_kb
from kb.content import load_content
from kb.problems import ContentError

BROKEN = FIXTURES / "broken"
CASES = sorted(p.name for p in BROKEN.iterdir() if p.is_dir())


def broken_project(tmp_path: Path, case: str) -> Path:
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "mini", root / "content")
    for path in sorted((BROKEN / case / "content").rglob("*")):
        target = root / "content" / path.relative_to(BROKEN / case / "content")
        if path.is_symlink():
            target.unlink(missing_ok=True)
            target.symlink_to(path.readlink())
        elif path.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    remove = BROKEN / case / "remove.txt"
    if remove.exists():
        for rel in remove.read_text(encoding="utf-8").split():
            (root / "content" / rel).unlink()
    return root


def test_every_case_has_an_expected_message():
    assert len(CASES) >= 18
    missing = [case for case in CASES if not (BROKEN / case / "expected.txt").exists()]
    assert not missing, f"cases without expected.txt: {missing}"


@pytest.mark.parametrize("case", CASES)
def test_broken_content_reports_exact_problems(case, tmp_path, request):
    root = broken_project(tmp_path, case)
    started = time.perf_counter()
    with pytest.raises(ContentError) as raised:
        load_content(root)
    elapsed = time.perf_counter() - started
    report = raised.value.report() + "\n"
    expected_file = BROKEN / case / "expected.txt"
    if request.config.getoption("--update-golden"):
        expected_file.write_text(report, encoding="utf-8")
    assert report == expected_file.read_text(encoding="utf-8")
    assert elapsed < 1.0, f"{case} took {elapsed:.2f} s"


@pytest.mark.parametrize("case", ["gbk_encoding", "several_problems_at_once", "unclosed_quote", "empty_file"])
def test_cli_check_exits_1_without_traceback(case, tmp_path):
    root = broken_project(tmp_path, case)
    shutil.copytree(ROOT / "scripts", root / "scripts", ignore=shutil.ignore_patterns("__pycache__"))
    result = run_kb(root, "check")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stderr.strip().endswith("problem(s) found; nothing was written.")
    assert (BROKEN / case / "expected.txt").read_text(encoding="utf-8").splitlines()[0] in result.stderr


def test_cli_usage_error_exits_2(mini_project):
    result = run_kb(mini_project, "no-such-command")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_valid_mini_content_loads(mini_project):
    content = load_content(mini_project)
    assert sorted(content.items) == ["after-sales-sop", "ask-price", "ask-skin", "cream", "cream-case",
                                     "group-rules", "open-hello", "rep", "want-return"]
