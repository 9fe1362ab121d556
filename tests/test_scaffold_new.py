"""`kb.py new KIND ID`: a commented template that validates once its placeholders are filled,
and never overwrites a file."""
from __future__ import annotations

import itertools
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from conftest import FIXTURES, run_kb
from kb.content import load_content
from kb.problems import ContentError
from kb.review import is_published
from kb.scaffold import create

KINDS = ["script", "product", "case", "role", "rule", "sop"]
PLACEHOLDER = re.compile(r"【填写(数字|岗位id|内容id|阶段)?：[^】]*】")
TYPED = {"数字": "12", "岗位id": "rep", "内容id": "cream", "阶段": "closing"}     # ids that exist in the mini content


def fill(text: str) -> str:
    """What a trainer does: replace every placeholder by real text of the right type."""
    counter = itertools.count(1)
    return PLACEHOLDER.sub(lambda m: TYPED[m.group(1)] if m.group(1) else f"示例内容{next(counter)}", text)


def approve(text: str) -> str:
    text = text.replace("status: draft", "status: approved")
    return re.sub(r"# (reviewer|reviewed_on|review_by): ", r"\1: ", text)


@pytest.fixture
def project(tmp_path) -> Path:
    shutil.copytree(FIXTURES / "mini", tmp_path / "content")
    return tmp_path


@pytest.mark.parametrize("kind", KINDS)
def test_template_validates_once_filled(project, kind):
    rel = create(project, kind, f"new-{kind}", today=date(2026, 6, 1))
    path = project / rel
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == f"# yaml-language-server: $schema=../../scripts/kb/schemas/{kind}.schema.json"
    assert "review_by: 2027-06-01" in text
    with pytest.raises(ContentError) as unfilled:          # typed placeholders fail the schema
        load_content(project)
    assert all(p.file == rel for p in unfilled.value.problems)
    assert any("【填写" in p.message for p in unfilled.value.problems if p.severity == "error")

    path.write_text(fill(text), encoding="utf-8")
    content = load_content(project)
    assert content.warnings == []
    assert not is_published(content.items[f"new-{kind}"], date(2026, 6, 1))     # a new item starts as a draft

    path.write_text(approve(fill(text)), encoding="utf-8")
    content = load_content(project)
    assert content.warnings == []
    assert is_published(content.items[f"new-{kind}"], date(2026, 6, 1))


def test_text_placeholders_left_in_a_draft_are_warnings(project):
    rel = create(project, "script", "half-done")
    path = project / rel
    text = path.read_text(encoding="utf-8").replace("【填写岗位id：适用岗位，见 content/roles/】", "rep")
    text = re.sub(r"【填写阶段：[^】]*】", "closing", text)
    path.write_text(text, encoding="utf-8")
    content = load_content(project)                     # a draft with placeholders still loads
    assert content.warnings[0].format() == (
        'content/scripts/half-done.yml:6:8: warning: title: "【填写：一句话说明场景，例如 客户嫌价格贵】" — '
        "模板里的占位文字还没有替换 — 换成实际内容")
    assert {w.severity for w in content.warnings} == {"warning"} and len(content.warnings) == 9


def test_never_overwrites(project):
    rel = create(project, "script", "keep-me")
    (project / rel).write_text("# my work\n", encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        create(project, "script", "keep-me")
    assert raised.value.report() == (
        "content/scripts/keep-me.yml: expected a new id, received 'keep-me' which this file already uses\n"
        "    hint: kb.py new never overwrites a file: choose another id, or edit the existing file\n"
        "1 problem(s) found; nothing was written.")
    assert (project / rel).read_text(encoding="utf-8") == "# my work\n"


def test_refuses_an_id_used_by_another_kind(project):
    with pytest.raises(ContentError) as raised:
        create(project, "case", "cream")
    assert raised.value.problems[0].format().startswith(
        "content/products/cream.yml: expected a new id, received 'cream' which this file already uses")
    assert not (project / "content" / "cases" / "cream.yml").exists()


@pytest.mark.parametrize("kind, item_id, report", [
    ("sop", "Crisis_Plan", "content/sops/Crisis_Plan.yml: expected an id of lowercase letters, digits and hyphens, "
                           "received the text 'Crisis_Plan'\n    hint: for example price-too-high"),
    ("sop", "index", "content/sops/index.yml: expected an id the site does not use itself, received the text 'index' "
                     "(the name of the folder's index page)\n    hint: choose a more specific id, e.g. index-guide"),
    ("script", "stage-closing", "content/scripts/stage-closing.yml: expected an id that does not start with 'stage-', received the text "
                                "'stage-closing' (the site names its own stage labels so)\n    hint: reorder the words, e.g. closing-stage"),
])
def test_refuses_a_malformed_or_reserved_id(project, kind, item_id, report):
    with pytest.raises(ContentError) as raised:
        create(project, kind, item_id)
    assert raised.value.problems[0].format() == report
    assert not list(project.glob(f"content/*/{item_id}.yml"))


def test_leaves_the_stage_for_the_trainer(project):
    """The template does not guess the stage from the id: an untouched one names the choices."""
    rel = create(project, "script", "closing-last-push")
    text = (project / rel).read_text(encoding="utf-8")
    assert "stage: objection" not in text
    assert "stage: 【填写" in text


def test_cli_new(mini_project):
    result = run_kb(mini_project, "new", "script", "objection-need-discount")
    assert (result.returncode, result.stdout) == (
        0, "ok: wrote content/scripts/objection-need-discount.yml; replace every 【填写…】, then run python scripts/kb.py check\n")
    again = run_kb(mini_project, "new", "script", "objection-need-discount")
    assert again.returncode == 1
    assert again.stderr.startswith("content/scripts/objection-need-discount.yml: expected a new id")
    unknown = run_kb(mini_project, "new", "poster", "x")
    assert unknown.returncode == 2 and "invalid choice: 'poster'" in unknown.stderr
