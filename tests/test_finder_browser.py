"""The reply finder in headless Chromium as a rep uses it: 390×844, touch, taps.

A whole customer sentence typed into the search box finds the right script first; its 复制
button copies exactly the reply with the placeholders filled from 我的设置 and the product the
rep picked; copy asks first when a value is missing; bad input gets a calm Chinese message."""
from __future__ import annotations

from urllib.parse import quote

import pytest

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def rep(browser, sample_site_url):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=sample_site_url)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("dialog", lambda dialog: (page.errors.append("dialog: " + dialog.message), dialog.dismiss()))
    yield page
    context.close()


def clipboard(page) -> str:
    return page.evaluate("navigator.clipboard.readText()")


def type_into(page, locator, text):
    locator.tap()
    page.keyboard.type(text)


def save_settings(page, name, me):
    page.locator("summary.kb-settings-toggle").tap()
    type_into(page, page.locator(".kb-settings-form input[name='称呼']"), name)
    type_into(page, page.locator(".kb-settings-form input[name='顾问']"), me)
    page.locator(".kb-settings-form button[type=submit]").tap()
    assert page.locator(".kb-settings-form .kb-copy-status").inner_text() == "已保存"


def test_a_whole_sentence_finds_the_script_and_copies_the_filled_reply(rep, sample_site_url):
    rep.goto(f"{sample_site_url}/book/index.html")
    type_into(rep, rep.locator("form.kb-finder-bar input[name=q]"), "太贵了吧，能不能便宜点😂")
    rep.keyboard.press("Enter")
    rep.wait_for_url("**/search.html?q=*")
    first = rep.locator(".kb-finder-scripts > li").first
    first.wait_for(timeout=15000)
    assert first.locator(".kb-result-title").inner_text() == "客户觉得价格太贵"
    assert first.locator(".kb-result-stage").inner_text() == "异议处理"
    assert first.locator(".kb-result-phrase mark").count() >= 1
    rep.wait_for_selector(".kb-finder-others li")                 # products, cases … after the scripts
    assert rep.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0, "wider than the phone"
    save_settings(rep, "王姐", "小林")
    first.locator(".kb-copy-product select").select_option(label="玻尿酸补水精华")
    copy = first.locator("button.kb-copy")
    box = copy.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44 and copy.inner_text() == "复制"
    copy.tap()
    rep.wait_for_function("document.querySelector('.kb-finder-scripts button.kb-copy').textContent === '已复制'")
    copied = clipboard(rep)
    assert copied.startswith("好的王姐，理解您的顾虑") and "玻尿酸补水精华是169元（30ml/瓶）" in copied
    assert "{" not in copied and "}" not in copied
    assert not rep.errors


def test_copy_asks_for_missing_values_before_copying(rep, sample_site_url):
    rep.goto(f"{sample_site_url}/search.html?q={quote('你们家东西是正品不，怎么查真伪')}")
    first = rep.locator(".kb-finder-scripts > li").first
    first.wait_for(timeout=15000)
    assert first.locator(".kb-result-title").inner_text() == "客户担心买到假货"
    rep.evaluate("navigator.clipboard.writeText('before')")
    first.locator("button.kb-copy").tap()
    ask = first.locator("form.kb-ask")
    ask.wait_for()
    assert clipboard(rep) == "before", "nothing is copied before the missing values are filled"
    ask.locator("button[type=submit]").tap()                    # empty: refused, says why
    assert "没有填" in ask.locator(".kb-ask-title").inner_text() and clipboard(rep) == "before"
    ask.locator("select").select_option(label="胶原蛋白肽饮")
    type_into(rep, ask.locator("input[name='称呼']"), "李姐")
    ask.locator("button[type=submit]").tap()
    rep.wait_for_function("document.querySelector('.kb-finder-scripts button.kb-copy').textContent === '已复制'")
    copied = clipboard(rep)
    assert copied.startswith("嗯嗯李姐，您问得对") and "胶原蛋白肽饮的包装上" in copied and "{" not in copied


def test_the_result_link_lands_on_the_script_heading(rep, sample_site_url):
    rep.goto(f"{sample_site_url}/search.html?q={quote('下单三天了还没发货？')}")
    first = rep.locator(".kb-finder-scripts > li").first
    first.wait_for(timeout=15000)
    first.locator("a.kb-result-title").tap()
    rep.wait_for_url("**/after_sales.html#kb-after-sales-delayed-delivery")
    rep.wait_for_load_state()
    heading = rep.locator("section#kb-after-sales-delayed-delivery h2").first
    top = heading.evaluate("h => h.getBoundingClientRect().top")
    assert 0 <= top < 200, f"the heading is not in view after landing ({top}px)"


def test_the_script_page_copy_button_fills_placeholders(rep, sample_site_url):
    rep.goto(f"{sample_site_url}/book/kb/scripts/after_sales.html#kb-after-sales-wrong-item")
    section = rep.locator("section#kb-after-sales-wrong-item")
    section.locator(".kb-copy-product select").select_option(label="氨基酸洁面乳")
    section.locator("button.kb-copy").tap()
    rep.wait_for_function("document.querySelector('#kb-after-sales-wrong-item button.kb-copy').textContent === '已复制'")
    assert "马上给您补发氨基酸洁面乳" in clipboard(rep)
    assert section.locator("button.copybtn").is_hidden()        # only the labelled button is offered


@pytest.mark.parametrize("query, message", [
    ("", "把客户发来的话粘贴或输入到上面的搜索框"),
    ("😂😂🙏👍", "没有可以查找的文字"),
    ("<img src=x onerror=alert(1)><script>alert(2)</script>", None),
    ("太贵了 " + "我真的觉得你们家的东西质量很好但是价格确实有点超出预算了" * 60, "只按前 200 个字查找"),
    ("qwzx", "没有找到直接对应的话术"),
])
def test_bad_input_gets_a_calm_message(rep, sample_site_url, query, message):
    rep.goto(f"{sample_site_url}/search.html?q={quote(query)}")
    status = rep.locator(".kb-finder-status")
    rep.wait_for_function("document.querySelector('.kb-finder-status').textContent.length > 0 && "
                          "!document.querySelector('.kb-finder-status').textContent.startsWith('正在加载')")
    text = status.inner_text()
    if message:
        assert message in text
    assert rep.locator("#kb-finder img, #kb-finder script").count() == 0
    assert rep.locator(".kb-finder-scripts > li").count() > 0 or rep.locator(".kb-finder-stages a").count() == 6
    assert not rep.errors, rep.errors
    assert rep.locator("#kb-finder input[name=q]").input_value() == query


def test_the_finder_works_from_the_files_without_a_server(browser, built_sample_site):
    """README: open _build/html/index.html in a browser. The index is a script file, which
    file:// loads (fetch() could not), so the finder works from a copied folder too."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    search = (built_sample_site / "_build" / "html" / "search.html").resolve()
    page.goto(search.as_uri() + "?q=" + quote("发错货了，我买的不是这个"))
    first = page.locator(".kb-finder-scripts > li").first
    first.wait_for(timeout=15000)
    assert first.locator(".kb-result-title").inner_text() == "客户收到的货发错或少发"
    context.close()
