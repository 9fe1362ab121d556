"""Compliance lint: one fixture per rule (tests/fixtures/lint/<case>/, laid over the mini
content) with the exact report in expected.txt; the sample content is lint-clean.
Regenerate expected.txt after a deliberate wording change with --update-golden, then review it."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, mini_with_overlay, run_kb
from kb.content import load_content, read_item
from kb.lint import excerpt, lint_item, load_rules
from kb.problems import ContentError

LINT = FIXTURES / "lint"
CASES = sorted(p.name for p in LINT.iterdir() if p.is_dir())


def lint_project(tmp_path: Path, case: str) -> Path:
    return mini_with_overlay(tmp_path, LINT / case)


def lint_report(root: Path) -> str:
    """The full report: what blocks (ContentError) or the warnings of content that loads."""
    try:
        content = load_content(root)
    except ContentError as error:
        return error.report() + "\n"
    lines = [warning.format() for warning in content.warnings]
    return "\n".join(lines + ["ok: nothing blocks"]) + "\n"


def test_every_case_has_an_expected_report():
    assert len(CASES) >= 20
    assert [case for case in CASES if not (LINT / case / "expected.txt").exists()] == []


@pytest.mark.parametrize("case", CASES)
def test_lint_case_reports_exactly(case, tmp_path, request):
    report = lint_report(lint_project(tmp_path, case))
    expected = LINT / case / "expected.txt"
    if request.config.getoption("--update-golden"):
        expected.write_text(report, encoding="utf-8")
    assert report == expected.read_text(encoding="utf-8")


def test_superlative_message_has_the_documented_shape(tmp_path):
    report = lint_report(lint_project(tmp_path, "superlative_in_response"))
    assert report.splitlines()[0] == (
        'content/scripts/ask-price.yml:9:17: response.text: "您好，这款面霜是最好的选择。" — '
        "“最”字的说法属于绝对化用语，广告法禁止 — 写可以核实的具体事实；表示建议时改用“建议”")


def test_sample_content_is_lint_clean():
    content = load_content(ROOT)
    assert content.warnings == []
    # ordinary words near the terms really occur in the sample, so the test proves something
    sample = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "content").rglob("*.yml"))
    assert all(word in sample for word in ("最近", "最后", "首个", "唯一", "“最低价”", "免疫力"))


def test_rules_file_is_valid_and_every_term_explains_itself():
    rules, problems = load_rules()
    assert problems == []
    assert len(rules.terms) >= 50
    assert all(rule.reason and rule.suggestion and rule.level in ("error", "warning") for rule in rules.terms)
    assert {"最", "第一", "国家级", "100%", "绝对", "治疗", "根治", "药用", "月入", "稳赚"} <= {r.term for r in rules.terms}


def test_broken_rules_file_is_reported_with_its_position(tmp_path):
    broken = tmp_path / "compliance.yml"
    text = (ROOT / "scripts" / "kb" / "data" / "compliance.yml").read_text(encoding="utf-8")
    broken.write_text(text.replace("    level: error\n", "    level: eror\n", 1)
                      .replace("pattern: 月入", "pattern: 月入(", 1), encoding="utf-8")
    rules, problems = load_rules(broken)
    assert rules is None
    assert [(p.field, p.message) for p in problems] == [
        ("terms[0].level", "expected one of error, warning, received the text 'eror'")]
    broken.write_text(text.replace("pattern: 月入", "pattern: 月入(", 1), encoding="utf-8")
    rules, problems = load_rules(broken)
    index = [rule.term for rule in load_rules()[0].terms].index("月入")
    assert [(p.field, p.message) for p in problems] == [
        (f"terms[{index}].pattern", "expected a regular expression, received one with an error: missing ), unterminated subpattern")]


def _script(text: str):
    item, problems = read_item("script", text.encode("utf-8"), "content/scripts/ask-price.yml")
    assert problems == []
    return item


def test_excerpt_shows_context_and_marks_cuts():
    text = "一二三四五六七八九十最一二三四五六七八九十"
    assert excerpt(text, 10, 11) == "…三四五六七八九十最一二三四五六七八…"
    assert excerpt("最好", 0, 1) == "最好"


def test_double_quoted_escapes_fall_back_to_the_value_position():
    source = (FIXTURES / "mini" / "scripts" / "ask-price.yml").read_text(encoding="utf-8").replace(
        "text: 您好，这是 ask-price 的推荐回应。", 'text: "\\u6700\\u597d的选择"')
    problems = lint_item(_script(source), source)
    assert [p.format() for p in problems] == [
        'content/scripts/ask-price.yml:9:9: response.text: "最好的选择" — “最”字的说法属于绝对化用语，广告法禁止 — 写可以核实的具体事实；表示建议时改用“建议”']


def test_cli_check_prints_warnings_and_succeeds(tmp_path):
    root = lint_project(tmp_path, "soft_terms_warn")
    shutil.copytree(ROOT / "scripts", root / "scripts", ignore=shutil.ignore_patterns("__pycache__"))
    result = run_kb(root, "check")
    assert result.returncode == 0, result.stderr
    assert "content/products/cream.yml:7:18: warning: selling_points[0]: \"纯天然成分\"" in result.stdout
    assert result.stdout.endswith("ok: content is valid\n")


def test_cli_check_blocks_an_approved_error(tmp_path):
    root = lint_project(tmp_path, "ranking_first")
    shutil.copytree(ROOT / "scripts", root / "scripts", ignore=shutil.ignore_patterns("__pycache__"))
    result = run_kb(root, "check")
    assert result.returncode == 1
    assert result.stderr == (LINT / "ranking_first" / "expected.txt").read_text(encoding="utf-8")
