"""One unfinished draft never blocks the team (issue 14): `build` lists the problems of drafts
and items in review as warnings and leaves those items out; `check` still reports them as
errors; approved items with problems still block."""
from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from conftest import FIXTURES, make_project, run_kb
from kb.content import load_content
from kb.pipeline import Progress, check, select
from kb.problems import ContentError
from kb.scaffold import create


@pytest.fixture
def project(tmp_path) -> Path:
    shutil.copytree(FIXTURES / "mini", tmp_path / "content")
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_an_untouched_template_is_left_out_of_a_build(project):
    rel = create(project, "sop", "crisis-plan", today=date(2026, 6, 1))
    with pytest.raises(ContentError) as checked:               # check reports it
        load_content(project)
    errors = [p for p in checked.value.problems if p.severity == "error"]
    assert errors and {p.file for p in errors} == {rel}

    content = load_content(project, publishing=True)            # build leaves it out
    assert "crisis-plan" not in content.items and content.left_out == {"crisis-plan"}
    warnings = [w.format() for w in content.warnings if w.file == rel]
    assert len(warnings) == len(checked.value.problems) + 1
    assert all(": warning:" in w for w in warnings)
    assert (f"{rel}: warning: left out of the site: this unfinished item has problems (see the warnings for this file); the approved items "
            "were published\n    hint: fix them before setting status: approved; kb.py check lists them") in warnings


def test_an_item_in_review_with_problems_is_left_out(project):
    path = project / "content" / "scripts" / "ask-skin.yml"
    edit(path, "status: approved", "status: in_review")
    edit(path, "stage:", "stage: nowhere\nold_stage:")
    content = load_content(project, publishing=True)
    assert "ask-skin" not in content.items
    assert "content/scripts/ask-skin.yml:4:8: warning: stage: expected one of opening, discovery, objection, closing, " \
           "after_sales, follow_up, received the text 'nowhere'" in [w.format().split("\n")[0] for w in content.warnings]


def test_an_approved_item_with_problems_still_blocks(project):
    create(project, "sop", "crisis-plan")
    edit(project / "content" / "scripts" / "ask-skin.yml", "stage:", "stage: nowhere\nold_stage:")
    with pytest.raises(ContentError) as raised:
        load_content(project, publishing=True)
    errors = [p for p in raised.value.problems if p.severity == "error"]
    assert {p.file for p in errors} == {"content/scripts/ask-skin.yml"}


def test_links_to_a_left_out_draft_are_dropped_not_reported(project):
    """An approved item may name a draft in its learning path; when the draft is left out the
    link goes, in the published site and in the preview."""
    edit(project / "content" / "cases" / "cream-case.yml", "status: approved", "status: draft")
    edit(project / "content" / "cases" / "cream-case.yml", "\ntitle:", "\ntitle: [not, a, title]\nold_title:")
    content = check(project, Progress(out=lambda line: None), publishing=True)
    assert "cream-case" in content.left_out
    assert "cream-case" in content.items["rep"].data["learning_path"]       # as written …
    for preview in (False, True):                                           # … but never shown
        shown = select(content, Progress(out=lambda line: None), preview, date(2026, 6, 1))
        assert "cream-case" not in shown.items["rep"].data["learning_path"]


def test_a_draft_that_is_not_even_yaml_is_left_out(project):
    path = project / "content" / "sops" / "crisis-plan.yml"
    path.write_text("id: crisis-plan\ntitle: [unclosed\nreview:\n  status: draft\n", encoding="utf-8")
    content = load_content(project, publishing=True)
    assert content.left_out == {"crisis-plan"}
    path.write_text("id: crisis-plan\ntitle: [unclosed\nreview:\n  status: approved\n", encoding="utf-8")
    with pytest.raises(ContentError):
        load_content(project, publishing=True)


def test_build_publishes_the_approved_items_beside_an_untouched_template(tmp_path):
    root = make_project(tmp_path / "project", FIXTURES / "mini")
    assert run_kb(root, "new", "script", "closing-last-push").returncode == 0
    result = run_kb(root, "build")
    assert result.returncode == 0, result.stderr
    assert ("content/scripts/closing-last-push.yml: warning: left out of the site: this unfinished item has problems "
            "(see the warnings for this file); the approved items were published") in result.stdout
    assert "content/scripts/closing-last-push.yml:9:8: warning: stage: expected one of opening" in result.stdout
    site = root / "_build" / "html"
    assert (site / "book" / "kb" / "scripts" / "objection.html").exists()
    assert "closing-last-push" not in "".join(p.read_text(encoding="utf-8") for p in site.rglob("*.html"))
    assert run_kb(root, "check").returncode == 1
