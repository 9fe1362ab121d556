"""One fixture per failure mode (tests/fixtures/broken/<mode>/): the mini content with the
files under <mode>/content/ laid over it must fail with exactly the messages in expected.txt.
Regenerate expected.txt after a deliberate wording change with --update-golden, then review it."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, mini_with_overlay, run_kb
from kb.content import load_content
from kb.problems import ContentError

BROKEN = FIXTURES / "broken"
CASES = sorted(p.name for p in BROKEN.iterdir() if p.is_dir())


def broken_project(tmp_path: Path, case: str) -> Path:
    return mini_with_overlay(tmp_path, BROKEN / case)


def test_every_case_has_an_expected_message():
    assert len(CASES) >= 40
    missing = [case for case in CASES if not (BROKEN / case / "expected.txt").exists()]
    assert not missing, f"cases without expected.txt: {missing}"


@pytest.mark.parametrize("case", CASES)
def test_broken_content_reports_exact_problems(case, tmp_path, request):
    root = broken_project(tmp_path, case)
    with pytest.raises(ContentError) as raised:
        load_content(root)
    report = raised.value.report() + "\n"
    expected_file = BROKEN / case / "expected.txt"
    if request.config.getoption("--update-golden"):
        expected_file.write_text(report, encoding="utf-8")
    assert report == expected_file.read_text(encoding="utf-8")


@pytest.mark.parametrize("case", ["gbk_encoding", "several_problems_at_once", "unclosed_quote", "empty_file",
                                  "alias_bomb_billion_laughs", "enormous_file", "deeply_nested_flow_100000",
                                  "python_tag", "control_character", "symlink_outside_content"])
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


def test_a_utf8_byte_order_mark_is_accepted(mini_project):
    """Windows editors may save UTF-8 with a BOM; the reader drops it on purpose."""
    script = mini_project / "content" / "scripts" / "ask-price.yml"
    script.write_bytes(b"\xef\xbb\xbf" + script.read_bytes())
    assert load_content(mini_project).items["ask-price"].data["title"] == "客户说太贵了"


def test_windows_line_endings_are_accepted(mini_project):
    script = mini_project / "content" / "scripts" / "ask-price.yml"
    script.write_bytes(script.read_bytes().replace(b"\n", b"\r\n"))
    assert load_content(mini_project).items["ask-price"].position(("stage",)) == (4, 8)


def test_yaml_1_1_surprises_stay_text(mini_project):
    """yes/no/on/off, dates, 010, 1_000 and 12:30 are what the trainer typed, not booleans,
    dates, octal or sexagesimal numbers; only true/false and plain decimals are not text."""
    script = mini_project / "content" / "scripts" / "ask-price.yml"
    script.write_text(script.read_text(encoding="utf-8").replace(
        "tags: [测试]", "tags: [no, on, Off, yes, y, 2024-01-05, 1_000, '010', 12:30, .inf, null-ish]"), encoding="utf-8")
    data = load_content(mini_project).items["ask-price"].data
    assert data["tags"] == ["no", "on", "Off", "yes", "y", "2024-01-05", "1_000", "010", "12:30", ".inf", "null-ish"]
    assert data["review"]["reviewed_on"] == "2026-01-01"


@pytest.mark.parametrize("source, expected", [
    (b"a: 010\n", {"a": 10}), (b"a: 0x1F\n", {"a": "0x1F"}), (b"a: 0o17\n", {"a": "0o17"}),
    (b"a: true\n", {"a": True}), (b"a: ~\n", {"a": None}), (b"a: 1.5e3\n", {"a": 1500.0}),
    (b"a: !!str 010\n", {"a": "010"}), (b"a: '2024-01-05'\n", {"a": "2024-01-05"}),
])
def test_scalars_are_read_as_yaml_1_2_core(source, expected):
    from kb.yamlread import read_yaml
    document, problems = read_yaml(source, "x.yml")
    assert problems == [] and document.data == expected


@pytest.mark.parametrize("source, message", [
    (b"a: !!int abc\n", "x.yml:1:4: a: the tag !!int is not allowed here (value 'abc')"),
    (b"a: !!float x\n", "x.yml:1:4: a: the tag !!float is not allowed here (value 'x')"),
    (b"a: !!bool yes\n", "x.yml:1:4: a: the tag !!bool is not allowed here (value 'yes')"),
    (b"a: !!binary aGk=\n", "x.yml:1:4: a: the tag !!binary is not allowed here (value 'aGk=')"),
    (b"a: !!map [1]\n", "x.yml:1:4: a: the tag !!map is not allowed"),
    (b"a: !!set {x}\n", "x.yml:1:4: a: the tag !!set is not allowed"),
    (b"<<: {a: 1}\n", "x.yml:1:1: merge keys (<<) are not allowed"),
    (b"a: [b, \x00]\n", "x.yml:1:8: a: expected printable text, received the invisible control character U+0000"),
])
def test_explicit_tags_and_odd_input_are_refused_with_a_message(source, message):
    from kb.yamlread import read_yaml
    document, problems = read_yaml(source, "x.yml")
    assert document is None
    assert [p.format().splitlines()[0] for p in problems] == [message]
