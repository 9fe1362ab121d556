"""Review workflow without a build: states, the publishing filter, banners, the trainer report."""
from __future__ import annotations

import dataclasses
import shutil
from datetime import date

import pytest

from conftest import FIXTURES, run_kb
from kb.content import load_content
from kb.render import page_of
from kb.pipeline import site_files
from kb.review import (format_review_report, is_published, published, review_report, review_state)

TODAY = date(2026, 6, 1)


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    root = tmp_path_factory.mktemp("review") / "project"
    shutil.copytree(FIXTURES / "mini", root / "content")
    return load_content(root)


def page(content, item_id: str) -> str:
    return page_of(content.items[item_id]) + ".md"


def with_review(content, item_id, **review):
    """A copy of the content where one item has other review metadata."""
    item = content.items[item_id]
    changed = dataclasses.replace(item, data={**item.data, "review": {**item.data["review"], **review}})
    return dataclasses.replace(content, items={**content.items, item_id: changed})


@pytest.mark.parametrize("review, state, shown", [
    ({"status": "draft"}, "draft", False),
    ({"status": "in_review"}, "in_review", False),
    ({"status": "approved", "review_by": "2026-06-01"}, "approved", True),     # due today: still valid
    ({"status": "approved", "review_by": "2026-05-31"}, "expired", False),     # one day late
    ({"status": "approved", "review_by": "2027-12-31"}, "approved", True),
])
def test_state_and_publication(mini, review, state, shown):
    item = with_review(mini, "ask-price", **review).items["ask-price"]
    assert review_state(item, TODAY) == state
    assert is_published(item, TODAY) is shown


def test_approved_without_review_by_never_expires(mini):
    item = mini.items["ask-price"]
    data = {**item.data, "review": {k: v for k, v in item.data["review"].items() if k != "review_by"}}
    assert review_state(dataclasses.replace(item, data=data), date(2099, 1, 1)) == "approved"


def test_filter_drops_hidden_items_and_every_link_to_them(mini):
    content = with_review(with_review(mini, "cream", status="draft"), "rep", status="in_review")
    shown = published(content, TODAY)
    assert sorted(shown.items) == ["after-sales-sop", "ask-price", "ask-skin", "cream-case", "group-rules",
                                   "open-hello", "want-return"]
    assert shown.items["ask-price"].data["related_products"] == []          # related list
    assert shown.items["cream-case"].data["related_products"] == []
    assert shown.items["ask-price"].data["roles"] == []                     # roles list
    sop = shown.items["after-sales-sop"].data
    assert "owner_role" not in sop and all("who" not in step for step in sop["steps"])   # single references
    assert mini.items["ask-price"].data["related_products"] == ["cream"]    # the full content is untouched


def test_filter_keeps_learning_path_entries_that_are_published(mini):
    content = with_review(mini, "cream", status="draft")
    assert published(content, TODAY).items["rep"].data["learning_path"] == ["ask-price", "cream-case", "group-rules", "after-sales-sop"]


def test_published_pages_have_no_link_to_hidden_items(mini):
    content = with_review(mini, "cream", status="draft")
    pages = site_files(published(content, TODAY), TODAY)
    assert page(mini, "cream") not in pages
    assert not [path for path, text in pages.items() if "kb-cream)" in text]
    assert "护肤" not in pages["book/kb/tags.md"]           # the tag only the hidden product carried


@pytest.mark.parametrize("review, banner", [
    ({"status": "draft"}, ":::{warning}\n草稿：本条内容尚未审核通过，请勿对客户使用。\n:::"),
    ({"status": "in_review"}, ":::{warning}\n待审核：本条内容尚未审核通过，请勿对客户使用。\n:::"),
    ({"status": "approved", "review_by": "2026-05-01"},
     ":::{warning}\n已过期：本条内容已超过复审日期 2026\\-05\\-01，需要重新审核，请勿对客户使用。\n:::"),
])
def test_preview_banner_for_each_state(mini, review, banner):
    pages = site_files(with_review(mini, "cream", **review), TODAY)
    assert banner in pages[page(mini, "cream")]
    assert "请勿对客户使用" not in pages[page(mini, "cream-case")]   # approved items carry none


def test_review_metadata_rules(tmp_path):
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "mini", root / "content")
    script = root / "content" / "scripts" / "ask-price.yml"
    script.write_text(script.read_text(encoding="utf-8").replace(
        "review: {status: approved, owner: 测试员, reviewer: 审核员, reviewed_on: 2026-01-01, review_by: 2027-12-31}",
        "review: {status: approved, owner: 测试员, review_by: 2025-12-31}"), encoding="utf-8")
    rule = root / "content" / "rules" / "group-rules.yml"
    rule.write_text(rule.read_text(encoding="utf-8").replace("review_by: 2027-12-31", "review_by: 2025-06-30"), encoding="utf-8")
    from kb.problems import ContentError
    with pytest.raises(ContentError) as raised:
        load_content(root)
    assert raised.value.report() == """\
content/rules/group-rules.yml:9:91: review.review_by: expected a date after reviewed_on (2026-01-01), received 2025-06-30
    hint: review_by is the date by which the item must be reviewed again
content/scripts/ask-price.yml:14:9: review.reviewed_on: expected 'reviewed_on' for an approved item, received none
    hint: an approved item names who approved it and when; otherwise set status: in_review
content/scripts/ask-price.yml:14:9: review.reviewer: expected 'reviewer' for an approved item, received none
    hint: an approved item names who approved it and when; otherwise set status: in_review
3 problem(s) found; nothing was written."""


def test_review_report_text(mini, language):
    language("zh_CN")
    content = with_review(mini, "cream", status="draft", owner="王琳")
    content = with_review(content, "ask-skin", status="in_review", owner="陈静")
    content = with_review(content, "open-hello", review_by="2026-05-20", owner="陈静")
    content = with_review(content, "want-return", review_by="2026-06-20", owner="王琳")
    assert format_review_report(review_report(content, TODAY)) == """\
内容审核概览（今天 2026-06-01）：共 9 条，已发布 6 条。

待审核（1 条）：
  - content/scripts/ask-skin.yml  客户说我是干皮，负责人 陈静

草稿（1 条）：
  - content/products/cream.yml  测试面霜，负责人 王琳

已过期，未发布（1 条）：
  - content/scripts/open-hello.yml  客户说你好在吗，负责人 陈静，复审日期 2026-05-20（已过 12 天）

30 天内到期（1 条）：
  - content/scripts/want-return.yml  客户说能退货吗，负责人 王琳，复审日期 2026-06-20（还剩 19 天）

按负责人：
  王琳：草稿 1，即将到期 1
  陈静：待审核 1，已过期 1"""


def test_review_command_on_clean_content(mini_project, language):
    language("zh_CN")
    result = run_kb(mini_project, "review", "--today", "2026-06-01")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("内容审核概览（今天 2026-06-01）：共 9 条，已发布 9 条。\n")
    assert result.stdout.endswith("按负责人：\n  没有需要处理的内容。\n")


def test_review_command_rejects_a_bad_date(mini_project):
    result = run_kb(mini_project, "review", "--today", "2026-13-01")
    assert result.returncode == 2
    assert "expected a date written YYYY-MM-DD, received '2026-13-01'" in result.stderr
