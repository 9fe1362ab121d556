"""The self-check quiz on a phone (390×844, touch) in Chromium: every answer given by tapping
(ordering and matching with letter chips), answers kept across a reload until submitted,
right and wrong told apart by colour and icon, 要重读 and the 错题本 drill links at the top of
the results, and the short WeChat text whose 成绩码 `kb.py results import` reads."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from conftest import ROOT, make_project
from quizcheck import quizzes_of, wrong

from kb.quiz.records import digest_matches
from kb.quiz.resultcode import decode, find_codes
from kb.quiz.runtime import answer_name

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}


@pytest.fixture(scope="module")
def quiz(built_sample_site):
    quizzes = quizzes_of(built_sample_site)
    chosen = max(quizzes.values(), key=lambda q: len({question.item.type for question in q.questions}))
    assert {q.item.type for q in chosen.questions} >= {"single", "true_false", "ordering"}
    return chosen


@pytest.fixture
def phone(browser):
    context = browser.new_context(**PHONE)
    yield context
    context.close()


def tap_answers(page, quiz, answers: dict[int, str]) -> None:
    for index, key in answers.items():
        question = quiz.questions[index]
        name = answer_name(index, len(quiz.questions))
        kind = question.item.type
        if kind in ("single", "multiple", "true_false"):
            for letter in key:
                page.locator(f"label.kb-q-option:has(input[name={name}][value={letter}])").tap()
        elif kind in ("ordering", "matching"):
            for row, letter in enumerate(key, 1):
                page.locator(f"label.kb-q-chip:has(input[name={name}-{row}][value={letter}])").tap()
        else:
            page.locator(f"input[name={name}]").fill(key)


def open_quiz(phone, base, quiz):
    page = phone.new_page()
    page.goto(f"{base}/book/kb/quizzes/{quiz.role_id}.html")
    page.wait_for_selector("form.kb-quiz-form")
    return page


def test_ordering_and_matching_have_no_typed_letters(quiz, built_sample_site):
    page = (built_sample_site / "_build" / "html" / "book" / "kb" / "quizzes" / f"{quiz.role_id}.html").read_text(encoding="utf-8")
    for index, question in enumerate(quiz.questions):
        if question.item.type in ("ordering", "matching"):
            name = answer_name(index, len(quiz.questions))
            assert f'name="{name}"' not in page                      # no text box for letters
            rows = len(question.options) if question.item.type == "ordering" else len(question.lefts)
            assert all(f'name="{name}-{row}"' in page for row in range(1, rows + 1))


def test_all_right_by_tap_survives_a_reload_and_shows_right_by_colour_and_icon(phone, sample_site_url, quiz):
    page = open_quiz(phone, sample_site_url, quiz)
    tap_answers(page, quiz, {i: q.key for i, q in enumerate(quiz.questions)})
    page.locator("input[name=learner]").fill("王芳")
    page.reload()
    page.wait_for_selector("form.kb-quiz-form")
    assert page.locator(".kb-quiz-draft-note").inner_text() == "已恢复你上次没提交的答案。"
    assert page.locator("input[name=learner]").input_value() == "王芳"
    page.locator("button.kb-quiz-submit").tap()
    expect(page.locator(".kb-quiz-score")).to_contain_text("成绩：100 分")
    assert page.locator("fieldset.kb-q-right").count() == len(quiz.questions)
    assert set(page.locator("fieldset .kb-q-mark").all_inner_texts()) == {"✓"}
    assert page.locator(".kb-quiz-reread").count() == 0
    page.reload()                                                   # submitted: the draft is gone
    page.wait_for_selector("form.kb-quiz-form")
    assert page.locator(".kb-quiz-draft-note").count() == 0
    assert page.locator("form.kb-quiz-form input:checked").count() == 0


def test_wrong_answers_look_different_and_the_reading_list_comes_first(phone, sample_site_url, quiz, built_sample_site):
    page = open_quiz(phone, sample_site_url, quiz)
    missed = {i for i, q in enumerate(quiz.questions) if q.item.type in ("ordering", "single")}
    tap_answers(page, quiz, {i: wrong(q) if i in missed else q.key for i, q in enumerate(quiz.questions)})
    page.locator("input[name=learner]").fill("王芳")
    page.locator("button.kb-quiz-submit").tap()
    expect(page.locator(".kb-quiz-score")).to_contain_text("成绩：")
    fieldsets = page.locator("fieldset.kb-q")
    right_index = next(i for i in range(len(quiz.questions)) if i not in missed)
    wrong_index = min(missed)
    colour = "el => getComputedStyle(el).borderTopColor + '|' + getComputedStyle(el).backgroundColor"
    assert fieldsets.nth(right_index).evaluate(colour) == "rgb(26, 127, 55)|rgb(240, 255, 244)"
    assert fieldsets.nth(wrong_index).evaluate(colour) == "rgb(207, 34, 46)|rgb(255, 245, 245)"
    assert fieldsets.nth(wrong_index).locator(".kb-q-mark").inner_text() == "✗"
    assert fieldsets.nth(right_index).locator(".kb-q-mark").inner_text() == "✓"

    # the reading list is the first thing after the score, one link per page to reread
    result = page.locator(".kb-quiz-result > div")
    assert result.locator(":scope > *").nth(1).get_attribute("class") == "kb-quiz-reread"
    titles = list(dict.fromkeys(quiz.questions[i].item.content_id for i in sorted(missed)))
    links = page.locator(".kb-quiz-reread a")
    assert links.count() == len({q.item.content_id for i, q in enumerate(quiz.questions) if i in missed})
    assert all(href.endswith(f"#kb-{cid}") for href, cid in zip(links.evaluate_all("ls => ls.map(l => l.getAttribute('href'))"), titles))

    # 错题本: drill sets of the scripts behind the missed questions
    drill_links = page.locator(".kb-quiz-practice a")
    assert any(quiz.questions[i].item.topic == "scripts" for i in missed)
    assert drill_links.count() >= 1
    for href in drill_links.evaluate_all("ls => ls.map(l => l.getAttribute('href'))"):
        assert (built_sample_site / "_build" / "html" / "book" / "kb" / "quizzes" / href).resolve().exists()
    drill_links.first.tap()
    page.wait_for_selector(".kb-drill .kb-drill-customer")


def test_the_wechat_text_imports_into_the_results_store(phone, sample_site_url, quiz, tmp_path):
    page = open_quiz(phone, sample_site_url, quiz)
    tap_answers(page, quiz, {0: quiz.questions[0].key})
    page.locator("input[name=learner]").fill("王芳")
    page.locator("button.kb-quiz-submit").tap()
    area = page.locator("textarea.kb-quiz-record-text")
    expect(area).to_have_value(re.compile("成绩码：KB1\\."))
    text = area.input_value()
    lines = text.splitlines()
    assert lines[0] == f"【岗位自测】王芳 · {quiz.role_name}" and lines[1].startswith("成绩：") and lines[2].startswith("薄弱：")
    assert len(text.encode("utf-8")) < 1500
    [(_, code)] = find_codes(text)
    record = json.loads(decode(code))
    assert digest_matches(record) and record["learner"] == "王芳"
    root = make_project(tmp_path / "project")      # the importer re-grades from this quiz
    pasted = "王芳 发来：\n" + text + "\n谢谢老师"
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "kb.py"), "--root", str(root), "results", "import", "-"],
                            input=pasted, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    from kb.coaching.db import connect, report_records
    connection = connect(root)
    try:
        stored = report_records(connection)
    finally:
        connection.close()
    assert [r["attempt_id"] for r in stored] == [record["attempt_id"]]
    damaged = text.replace(code, code[:-10])
    again = subprocess.run([sys.executable, str(ROOT / "scripts" / "kb.py"), "--root", str(root), "results", "import", "-"],
                           input=damaged, capture_output=True, text=True, timeout=60)
    assert "expected a complete result code" in again.stderr


def test_the_missed_questions_again_in_a_new_order_not_recorded(phone, sample_site_url, quiz):
    page = open_quiz(phone, sample_site_url, quiz)
    missed = sorted(i for i, q in enumerate(quiz.questions) if q.item.type in ("ordering", "single"))
    tap_answers(page, quiz, {i: wrong(q) if i in missed else q.key for i, q in enumerate(quiz.questions)})
    page.locator("input[name=learner]").fill("王芳")
    page.locator("button.kb-quiz-submit").tap()
    page.locator("button.kb-quiz-retry").tap()
    assert page.locator(".kb-quiz-retry-note").inner_text().startswith(f"再练答错的 {len(missed)} 题")
    fieldsets = page.locator("fieldset.kb-q")
    assert [i for i in range(len(quiz.questions)) if fieldsets.nth(i).is_visible()] == missed
    assert page.locator("fieldset.kb-q:not([hidden]) input:checked").count() == 0
    for i in missed:        # the letters shown still run A, B, C … down the list
        shown = fieldsets.nth(i).locator("label.kb-q-option b, ul.kb-q-options li b").all_inner_texts()
        assert shown == list("ABCDEFGH"[:len(shown)])
    tap_answers(page, quiz, {i: quiz.questions[i].key for i in missed})      # inputs keep their original letters
    page.locator("button.kb-quiz-submit").tap()
    assert page.locator(".kb-quiz-score").inner_text() == f"再练：答对 {len(missed)} / {len(missed)} 题（不记成绩）"
    assert page.locator(".kb-quiz-record").count() == 0
