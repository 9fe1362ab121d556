"""Drill pages (对练) in headless Chromium on a phone: tap the right reply and a wrong one and
see the expected feedback; speaking mode with a self-rating; FSRS state kept on the device,
what is due on the role's page, export to a file and import on another "phone"."""
from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from kb.content import load_content
from kb.practice.drills import all_drills, drills_by_role
from kb.practice.page import drill_sets
from kb.review import published, today

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
ROLE = "sales"


@pytest.fixture(scope="module")
def sets(built_sample_site):
    content = published(load_content(built_sample_site), today())
    drills = drills_by_role(content, all_drills(content))[ROLE]
    return {docname.rsplit("/", 1)[1]: members for docname, _, _, members in drill_sets(ROLE, drills)}


@pytest.fixture
def phone(browser):
    context = browser.new_context(**PHONE, accept_downloads=True)
    errors = []
    # the theme has errors of its own on every page; the drill scripts must have none
    context.on("weberror", lambda error: errors.append(f"{error.error}\n{error.error.stack}"))
    yield context
    context.close()
    assert not [e for e in errors if "_static/practice/" in e], errors


def open_set(context, base: str, page_name: str):
    page = context.new_page()
    page.goto(f"{base}/book/kb/practice/{page_name}.html")
    page.wait_for_selector(".kb-drill-card .kb-drill-customer")
    return page


def stored(page) -> dict:
    return json.loads(page.evaluate(f"localStorage.getItem('kb-practice:{ROLE}')"))


def test_right_and_wrong_reply_by_tap(phone, sample_site_url, sets):
    name = f"{ROLE}__objection"
    drills = {drill.customer: drill for drill in sets[name]}
    page = open_set(phone, sample_site_url, name)
    assert page.locator(".kb-drill-status").inner_text().startswith("今日待练：还剩 10 张")

    # first card: tap the approved reply
    drill = drills[page.locator(".kb-drill-words").inner_text()]
    right = next(c for c in drill.choices if c.correct)
    page.locator(".kb-drill-choice", has_text=right.text[:20]).tap()
    feedback = page.locator(".kb-drill-feedback")
    assert "kb-drill-right" in feedback.get_attribute("class")
    assert feedback.locator(".kb-drill-verdict").inner_text() == "✓ 回得好"
    assert feedback.locator(".kb-drill-steps li").all_inner_texts() == list(drill.steps)
    assert page.locator(".kb-drill-choice.kb-drill-is-right").inner_text().startswith("✓ ")
    link = page.locator(".kb-drill-link")
    assert link.inner_text() == "查看话术：" + drill.title
    assert link.get_attribute("href").endswith(f"#kb-{drill.script_id}")
    assert page.locator(".kb-drill-next-due").inner_text().startswith("下次复习：")
    first = stored(page)["cards"][drill.id]
    assert first["page"] == name and first["card"]["reps"] == 1

    # second card: tap one of the script's `avoid` lines; its `why` is the feedback
    page.locator(".kb-drill-next").tap()
    drill = drills[page.locator(".kb-drill-words").inner_text()]
    wrong = next(c for c in drill.choices if not c.correct and c.source == "")
    page.locator(".kb-drill-choice", has_text=wrong.text[:20]).tap()
    feedback = page.locator(".kb-drill-feedback")
    assert "kb-drill-wrong" in feedback.get_attribute("class")
    assert feedback.locator(".kb-drill-verdict").inner_text() == "✗ 这样回不合适"
    assert feedback.locator(".kb-drill-why").inner_text() == wrong.why
    assert feedback.locator(".kb-drill-model").inner_text() == drill.reply
    assert page.locator(".kb-drill-choice.kb-drill-is-wrong").inner_text() == "✗ " + wrong.text
    card = stored(page)["cards"][drill.id]["card"]
    assert card["lapses"] == 0 and card["state"] == 1       # Again on a new card: learning, due in a minute

    # a reply of a neighbouring script explains whose reply it is
    page.locator(".kb-drill-next").tap()
    drill = drills[page.locator(".kb-drill-words").inner_text()]
    neighbour = next(c for c in drill.choices if c.source)
    page.locator(".kb-drill-choice", has_text=neighbour.text[:20]).tap()
    assert page.locator(".kb-drill-why").inner_text() == neighbour.why
    assert drill.concern in neighbour.why

    # reload: three cards done, seven new ones left today (the wrong ones come back in minutes)
    page.reload()
    page.wait_for_selector(".kb-drill-status")
    assert page.locator(".kb-drill-status").inner_text().startswith("今日待练：还剩 7 张")


def test_speaking_mode_self_rating(phone, sample_site_url, sets):
    name = f"{ROLE}__closing"
    drills = {drill.customer: drill for drill in sets[name]}
    page = open_set(phone, sample_site_url, name)
    page.locator(".kb-drill-mode", has_text="口头练习").tap()
    drill = drills[page.locator(".kb-drill-words").inner_text()]
    page.locator(".kb-drill-own").fill("您好，我理解您的顾虑，我们先看看哪款适合您。")
    page.locator(".kb-drill-reveal").tap()
    assert page.locator(".kb-drill-model").inner_text() == drill.reply
    assert page.locator(".kb-drill-steps li").all_inner_texts() == list(drill.steps)
    page.locator(".kb-drill-rate", has_text="模糊").tap()
    assert page.locator(".kb-drill-rate:disabled").count() == 3
    log = stored(page)["log"]
    assert [(e["id"], e["outcome"], e["rating"]) for e in log] == [(drill.id, "模糊", 2)]


def test_hub_shows_due_and_carries_state_to_another_phone(browser, phone, sample_site_url, sets, tmp_path):
    name = f"{ROLE}__opening"
    page = open_set(phone, sample_site_url, name)
    for _ in range(2):     # two wrong answers: due again within minutes
        drill = next(d for d in sets[name] if d.customer == page.locator(".kb-drill-words").inner_text())
        wrong = next(c for c in drill.choices if not c.correct)
        page.locator(".kb-drill-choice", has_text=wrong.text[:20]).tap()
        page.locator(".kb-drill-next").tap()
    # make those two due now, as if the rep came back later (the clock of the device moves on)
    page.evaluate(f"""() => {{ const s = JSON.parse(localStorage.getItem('kb-practice:{ROLE}'));
        for (const id in s.cards) s.cards[id].card.due = new Date(Date.now() - 1000).toISOString();
        localStorage.setItem('kb-practice:{ROLE}', JSON.stringify(s)); }}""")
    hub = phone.new_page()
    hub.goto(f"{sample_site_url}/book/kb/practice/{ROLE}.html")
    row = hub.locator(f"li[data-set='{name}'] .kb-drill-set-due")
    assert row.inner_text() == f"待复习 2 · 未练 {len(sets[name]) - 2}"
    assert hub.locator(".kb-drill-total").inner_text() == "今日待练（复习）：2 张"
    with hub.expect_download() as download:
        hub.locator(".kb-drill-export").tap()
    saved = tmp_path / "export.json"
    download.value.save_as(saved)
    exported = json.loads(saved.read_text(encoding="utf-8"))
    assert exported["format"] == "kb-practice-export" and len(exported["cards"]) == 2

    other = browser.new_context(**PHONE)
    try:
        new_hub = other.new_page()
        new_hub.goto(f"{sample_site_url}/book/kb/practice/{ROLE}.html")
        assert new_hub.locator(".kb-drill-total").inner_text() == "今日待练（复习）：0 张"
        new_hub.locator(".kb-drill-import-file").set_input_files(str(saved))
        expect(new_hub.locator(".kb-drill-io-status")).to_have_text("已导入：新增 2 张，更新 0 张（两边都有时保留最近练过的那份）。")
        assert new_hub.locator(".kb-drill-total").inner_text() == "今日待练（复习）：2 张"
        drills_page = open_set(other, sample_site_url, name)
        assert drills_page.locator(".kb-drill-status").inner_text().startswith("今日待练：还剩 10 张（复习 2 · 新练 8）")
        bad = tmp_path / "bad.json"
        bad.write_text('{"cards": 1}', encoding="utf-8")
        new_hub.locator(".kb-drill-import-file").set_input_files(str(bad))
        expect(new_hub.locator(".kb-drill-io-status")).to_contain_text("导入失败：这不是对练记录文件")
    finally:
        other.close()


def test_drill_page_works_offline(phone, sample_site_url, sets):
    name = f"{ROLE}__discovery"
    page = open_set(phone, sample_site_url, name)
    phone.set_offline(True)
    try:
        page.locator(".kb-drill-choice").first.tap()
        assert page.locator(".kb-drill-feedback .kb-drill-verdict").count() == 1
        assert page.locator(".kb-drill-next-due").inner_text().startswith("下次复习：")
    finally:
        phone.set_offline(False)


def test_trainer_text_stays_text(phone, sample_site_url):
    """Drill text is JSON data in a static file and reaches the page through textContent: markup
    in it shows as the characters typed, in both modes and in the feedback."""
    from kb.practice.drills import Choice, Drill
    from kb.practice.page import set_data, set_html
    hostile = "<img src=x onerror=alert(1)></script><script>alert(2)</script>\u2028末尾"
    drill = Drill("x~1", "x", "<b>t</b>", "opening", hostile, "c", "<u>r</u>", ("<i>s</i>",), (), (),
                  (Choice(hostile, True, "<em>w</em>"), Choice("<b>no</b>", False, "<img src=y>")))
    html = set_html("sales", "book/kb/practice/sales__opening")
    assert "img" not in html and "<b>" not in html
    data = set_data("book/kb/practice/sales__opening", [drill], lambda _: ("t", "u.html"))
    assert "\u2028" not in data
    page = phone.new_page()
    page.route("**/_static/practice/data/sales__opening.js",
               lambda route: route.fulfill(status=200, content_type="text/javascript; charset=utf-8", body=data))
    page.goto(f"{sample_site_url}/book/kb/practice/sales__opening.html")
    assert page.locator(".kb-drill-words").inner_text() == hostile
    page.locator(".kb-drill-choice").first.tap()
    assert page.locator(".kb-drill-why").inner_text() in ("<em>w</em>", "<img src=y>")
    assert page.locator(".kb-drill-steps li").all_inner_texts() == ["<i>s</i>"]
    assert page.evaluate("document.querySelectorAll('.kb-drill img, .kb-drill em, .kb-drill i, .kb-drill u').length") == 0


def test_the_page_schedules_like_the_python_fsrs_package(phone, sample_site_url):
    """drill.js (with the ts-fsrs file the site ships) and runtime.review (Python fsrs) give the
    same card for the same outcomes at the same times."""
    from datetime import datetime
    from test_practice_review import OUTCOMES, START, python_schedule
    page = phone.new_page()
    page.goto(f"{sample_site_url}/book/kb/practice/{ROLE}.html")
    rows = page.evaluate("""([outcomes, start]) => {
        const ratings = window.kbDrill.RATINGS; let entry = null, now = new Date(start), rows = [];
        for (const outcome of outcomes) {
          const card = window.kbDrill.review(entry, ratings[outcome], now);
          entry = {card: card}; now = new Date(card.due);
          rows.push([card.due.replace('.000Z', 'Z'), Number(card.stability.toFixed(6)), Number(card.difficulty.toFixed(6)), card.state]);
        }
        return rows; }""", [OUTCOMES, START.isoformat()])
    assert [tuple(row) for row in rows] == python_schedule()
    assert datetime.fromisoformat(rows[-1][0].replace("Z", "+00:00")) > START


def test_a_set_file_holds_each_text_once_and_the_page_gets_every_drill_back(phone, sample_site_url, built_sample_site, sets):
    """The data file writes a text once (compact_set); drill.js expands it to drill_data's objects."""
    from kb.practice.drills import drill_data
    name = f"{ROLE}__objection"
    drills = sets[name]
    text = (built_sample_site / "_build" / "html" / "_static" / "practice" / "data" / f"{name}.js").read_text(encoding="utf-8")
    stored_set = json.loads(text[text.index("] = ") + 4:].rstrip().rstrip(";"))
    assert len(stored_set["texts"]) == len(set(stored_set["texts"]))
    page = phone.new_page()
    page.goto(f"{sample_site_url}/book/kb/practice/{name}.html")
    expanded = page.evaluate(f"window.kbDrill.expand(window.kbDrillSets[{json.dumps(name)}])")
    expected = [drill_data(drill, "") for drill in drills]
    assert [{**d, "link": ""} for d in expanded] == expected
    assert all(d["link"].endswith(f"#kb-{d['script']}") for d in expanded)
