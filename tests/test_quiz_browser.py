"""Self-check pages in headless Chromium: answer, submit, see the score, the explanations and
links, take the attempt record; the page's JavaScript computes exactly what Python does."""
from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import replace

import pytest
from playwright.sync_api import expect

from conftest import FIXTURES, make_project, run_kb
from quizcheck import typed_right, wrong

from kb.content import load_content
from kb.quiz.blueprint import versioned
from kb.practice.page import practice_links
from kb.quiz.page import QUIZ_PAGES, page_links, practice_quizzes, quiz_html
from kb.quiz.records import canonical_json, digest_matches, record_digest
from kb.quiz.resultcode import decode, find_codes
from kb.render import TOPIC_NAMES
from kb.quiz.runtime import answer_name, decode_text, encode_text, normalize
from kb.review import published, today
from kb.schema import validator

PHONE = {"width": 390, "height": 844}
PAGE = "book/kb/quizzes/rep.html"


@pytest.fixture(scope="module")
def quiz(built_mini_site):
    """The quiz the mini site shows (seed 0, practice, published content, no bank)."""
    [rep] = practice_quizzes(published(load_content(built_mini_site), today()), [])
    return rep


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=PHONE, accept_downloads=True)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not [e for e in errors if "kbQuiz" in e or "quiz" in e.lower()], errors


def answer(page, quiz, answers: dict[int, str]) -> None:
    """Pick or type the given normalised answers (question index -> key) in the form."""
    for index, key in answers.items():
        question = quiz.questions[index]
        name = answer_name(index, len(quiz.questions))
        if question.item.type in ("single", "multiple", "true_false"):
            for letter in key:
                page.check(f"input[name={name}][value={letter}]")
        elif question.item.type in ("ordering", "matching"):      # one row of letter chips per step
            for row, letter in enumerate(key, 1):
                page.click(f"label.kb-q-chip:has(input[name={name}-{row}][value={letter}])")
        else:
            page.fill(f"input[name={name}]", typed_right(replace(question, key=key)))


def submit(page, learner: str = "张三"):
    page.fill("input[name=learner]", learner)
    page.click("button.kb-quiz-submit")
    page.wait_for_selector(".kb-quiz-result:not([hidden])")
    return page.inner_text(".kb-quiz-result")


def topic_counts(quiz) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for question in quiz.questions:
        counts[question.item.topic] = counts.get(question.item.topic, 0) + 1
    return list(counts.items())[:3]


def downloaded_record(page) -> dict:
    with page.expect_download() as download:
        page.click("a.kb-quiz-download")
    return json.loads(open(download.value.path(), encoding="utf-8").read())


def test_all_right_scores_100_and_gives_a_valid_record(page, mini_site_url, quiz):
    page.goto(f"{mini_site_url}/{PAGE}")
    answer(page, quiz, {i: q.key for i, q in enumerate(quiz.questions)})
    shown = submit(page)
    assert shown.startswith("成绩：100 分（及格线 60 分）通过 ✓")
    assert page.locator("fieldset.kb-q-right").count() == len(quiz.questions)
    record = downloaded_record(page)
    assert not list(validator("result").iter_errors(record)) and digest_matches(record)
    assert {k: record[k] for k in ("learner", "role", "quiz_id", "quiz_version", "seed", "mode", "source", "score", "passed", "pass_mark")} == {
        "learner": "张三", "role": "rep", "quiz_id": "rep", "quiz_version": quiz.version, "seed": 0, "mode": "practice",
        "source": "web", "score": 100, "passed": True, "pass_mark": 60}
    assert record["items"] == [{"item_id": q.item.id, "topic": q.item.topic, "content_id": q.item.content_id,
                                "response": q.key, "correct": True} for q in quiz.questions]
    text = page.locator("textarea.kb-quiz-record-text")
    expect(text).to_have_value(re.compile("成绩码：KB1\\."))
    [(_, code)] = find_codes(text.input_value())
    assert json.loads(decode(code)) == record


def test_half_right_scores_50_and_fails(page, mini_site_url, quiz):
    page.goto(f"{mini_site_url}/{PAGE}")
    half = len(quiz.questions) // 2
    answer(page, quiz, {i: q.key if i < half else wrong(q) for i, q in enumerate(quiz.questions)})
    assert submit(page).startswith("成绩：50 分（及格线 60 分）未通过 ✗")
    assert downloaded_record(page)["score"] == 50


def test_wrong_answers_show_the_explanation_and_a_link_that_lands_on_the_item(page, mini_site_url, quiz):
    page.goto(f"{mini_site_url}/{PAGE}")
    assert submit(page).startswith("成绩：0 分（及格线 60 分）未通过 ✗")
    boxes = page.locator(".kb-q-feedback")
    for index, question in enumerate(quiz.questions):
        box = boxes.nth(index)
        assert box.locator("strong").inner_text() == "✗ 答错了（未作答）"
        assert box.locator(".kb-q-explain").inner_text() == question.item.explanation
    link = boxes.nth(0).locator("a.kb-q-link")
    target = quiz.questions[0].item.content_id
    link.click()
    page.wait_for_load_state()
    assert page.url.endswith(f"#kb-{target}")
    assert page.locator(f"[id='kb-{target}']").count() == 1


def test_the_page_works_offline_from_a_file(page, built_mini_site, quiz):
    page.goto((built_mini_site / "_build" / "html" / PAGE).resolve().as_uri())
    answer(page, quiz, {i: q.key for i, q in enumerate(quiz.questions)})
    assert submit(page).startswith("成绩：100 分")


def test_the_copy_button_copies_the_record(browser, mini_site_url, quiz):
    context = browser.new_context(viewport=PHONE)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=mini_site_url)
    page = context.new_page()
    page.goto(f"{mini_site_url}/{PAGE}")
    submit(page, "李四")
    page.click("button.kb-quiz-copy")
    page.wait_for_function("document.querySelector('.kb-quiz-status').textContent.length > 0")
    pasted = page.evaluate("navigator.clipboard.readText()")
    context.close()
    assert pasted.splitlines()[:3] == ["【岗位自测】李四 · 销售", "成绩：0 分（及格线 60 分）未通过",
                                       "薄弱：" + "，".join(f"{TOPIC_NAMES[t]} 0/{n}" for t, n in topic_counts(quiz))]
    [(_, code)] = find_codes(pasted)
    copied = json.loads(decode(code))
    assert copied["learner"] == "李四" and copied["score"] == 0 and digest_matches(copied)


def test_the_role_page_links_to_its_self_check_page(built_mini_site):
    role_page = (built_mini_site / "_build" / "html" / "book" / "kb" / "roles" / "rep.html").read_text(encoding="utf-8")
    assert 'href="../quizzes/rep.html#kb-quiz-rep"' in role_page


def test_the_page_holds_no_answer_only_salted_hashes(built_mini_site, quiz):
    built = (built_mini_site / "_build" / "html" / PAGE).read_text(encoding="utf-8")
    source = (built_mini_site / "book" / "kb" / "quizzes" / "rep.md").read_text(encoding="utf-8")
    content = published(load_content(built_mini_site), today())
    fragment = quiz_html(quiz, page_links(content), practice_links(content, quiz, QUIZ_PAGES))
    assert fragment in source
    for question in quiz.questions:
        assert question.item.explanation not in built and html.escape(question.item.explanation) not in built
    other = versioned(replace(quiz, questions=tuple(replace(q, key=wrong(q)) for q in quiz.questions)))

    def masked(text, versions=(quiz.version, other.version)):
        for version in versions:
            text = text.replace(version, "VERSION")
        return re.sub(r"[0-9a-f]{64}", "HASH", text)
    assert masked(quiz_html(other, page_links(content), practice_links(content, quiz, QUIZ_PAGES))) == masked(fragment)


def test_javascript_computes_what_python_computes(page, mini_site_url):
    page.goto(f"{mini_site_url}/{PAGE}")
    texts = ["b", " a, c d ", "ＡＣ", "c-a-b-d", "对", "正确。", "F", "×", "maybe", "24", "24.0 小时", "约 50,000 元",
             "-0.50", ".5", "007", "", "1２", "答案是B", "ß", "a\u3000b"]
    kinds = ["single", "multiple", "true_false", "ordering", "matching", "numeric"]
    cases = [[kind, text] for kind in kinds for text in texts]
    from_js = page.evaluate("cases => cases.map(([k, t]) => window.kbQuiz.normalize(k, t))", cases)
    assert from_js == [normalize(kind, text) for kind, text in cases]
    strings = ["", "abc", "测验", "😀 emoji", "a" * 55, "b" * 64, "c" * 1000]
    assert page.evaluate("s => s.map(window.kbQuiz.sha256Hex)", strings) == [hashlib.sha256(s.encode()).hexdigest() for s in strings]
    record = {"learner": "王\"五\"\n\t\u0001", "score": 66.7, "passed": False, "seed": 3, "items": [{"response": "", "correct": True}],
              "quiz_id": "sales-v3", "z": None, "a": [1, 2.5, 100]}
    assert page.evaluate("r => window.kbQuiz.canonicalJson(r)", record) == canonical_json(record)
    assert page.evaluate("r => window.kbQuiz.recordDigest(r)", record) == record_digest(record)
    encoded = encode_text("0123abcd", "item-1", "解析：先认同，再说明。" * 20)
    assert page.evaluate("e => window.kbQuiz.decodeText('0123abcd', 'item-1', e)", encoded) == decode_text("0123abcd", "item-1", encoded)


@pytest.fixture(scope="module")
def certify_project(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("certify-page") / "project", FIXTURES / "mini")
    assert run_kb(root, "quiz", "--certify").returncode == 0
    return root


def test_the_certification_page_records_answers_for_the_trainer_to_grade(page, certify_project, tmp_path):
    from quizcheck import quizzes_of
    quiz = quizzes_of(certify_project, mode="certify")["rep"]
    page.goto((certify_project / "quizzes" / "certify" / "rep-certify.html").resolve().as_uri())
    answer(page, quiz, {i: q.key for i, q in enumerate(quiz.questions) if i != 0})
    shown = submit(page, "赵六")
    assert shown.startswith("已记录 6 题的答案。本次是考核，成绩由培训讲师评分后通知你。")
    assert page.locator(".kb-q-feedback:not([hidden])").count() == 0
    record = downloaded_record(page)
    assert record["mode"] == "certify" and "score" not in record and digest_matches(record)
    handed_in = tmp_path / "zhao.jsonl"
    handed_in.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    result = run_kb(certify_project, "grade", str(handed_in), "--out", str(tmp_path / "graded.jsonl"))   # the key of the version the record names
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("赵六: 83.3 points, passed (5/6 right, ")


def _page_payload(path) -> dict:
    return json.loads(html.unescape(re.search(r'data-quiz="([^"]*)"', path.read_text(encoding="utf-8")).group(1)))


def test_site_pages_and_notebooks_share_the_hashed_key(built_sample_site):
    assert run_kb(built_sample_site, "quiz").returncode == 0
    for notebook_path in sorted((built_sample_site / "quizzes").glob("*.ipynb")):
        role = notebook_path.stem
        notebook = json.loads(notebook_path.read_text(encoding="utf-8"))
        data_cell = "".join(notebook["cells"][1]["source"])
        from_notebook = json.loads(data_cell.split('r"""', 1)[1].split('"""', 1)[0])
        from_page = _page_payload(built_sample_site / "_build" / "html" / "book" / "kb" / "quizzes" / f"{role}.html")
        assert from_page["quiz_version"] == from_notebook["quiz_version"] == notebook["metadata"]["kb_quiz"]["quiz_version"]
        assert from_page["salt"] == from_notebook["salt"]
        assert [i["hashes"] for i in from_page["items"]] == [i["hashes"] for i in from_notebook["items"]]


def test_every_kind_of_question_works_on_the_sample_site(page, sample_site_url, built_sample_site):
    from quizcheck import quizzes_of
    quizzes = quizzes_of(built_sample_site)
    quiz = max(quizzes.values(), key=lambda q: len({question.item.type for question in q.questions}))
    assert {q.item.type for q in quiz.questions} >= {"single", "multiple", "true_false", "ordering", "numeric"}
    page.goto(f"{sample_site_url}/book/kb/quizzes/{quiz.role_id}.html")
    answer(page, quiz, {i: q.key for i, q in enumerate(quiz.questions)})
    assert submit(page).startswith(f"成绩：100 分（及格线 {quiz.pass_mark} 分）通过 ✓")
