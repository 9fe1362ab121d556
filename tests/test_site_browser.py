"""The sample site in headless Chromium at phone size: search, land on the script, copy it."""
from __future__ import annotations

import pytest

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()


def search(page, base_url, query):
    """The first script the reply finder (search.html) shows for a query: its title link."""
    page.goto(f"{base_url}/search.html?q={query}")
    page.wait_for_selector("#kb-finder .kb-finder-scripts li a.kb-result-title", timeout=15000)
    return page.locator("#kb-finder .kb-finder-scripts li a.kb-result-title").first


@pytest.mark.parametrize("query, anchor_heading", [
    ("太贵", "客户觉得价格太贵"),
    ("考虑一下", None),
    ("过敏", None),
    ("退货", None),
])
def test_search_for_customer_words_lands_on_a_script(phone, sample_site_url, query, anchor_heading):
    first = search(phone, sample_site_url, query)
    href = first.get_attribute("href")
    assert "/scripts/" in href and "#" in href, f"{query}: first result {href} is not a script anchor"
    first.tap()
    phone.wait_for_url("**/scripts/*#kb-*")
    phone.wait_for_load_state()
    anchor = phone.evaluate("location.hash").lstrip("#")
    section = phone.locator(f"[id='{anchor}']").locator("xpath=ancestor-or-self::section[1]")
    heading_top = section.locator("h2").first.evaluate("h => h.getBoundingClientRect().top")
    assert 0 <= heading_top < 200, f"the heading is not in view after landing ({heading_top}px)"
    heading = section.locator("h2").first.inner_text()
    assert query in section.inner_text(), f"{query} not in the section it landed on ({heading})"
    if anchor_heading:
        assert heading.startswith(anchor_heading)
    # the approved response is in a block followed by one labelled 复制 button
    assert section.locator("div.highlight-text").count() == 1
    assert section.locator("button.kb-copy").all_inner_texts() == ["复制"]


def test_copy_button_copies_the_response(browser, sample_site_url):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=sample_site_url)
    page = context.new_page()
    page.goto(f"{sample_site_url}/book/kb/scripts/objection.html#kb-objection-think-about-it")
    section = page.locator("section#kb-objection-think-about-it")
    expected = section.locator("div.highlight-text pre").inner_text().strip()
    section.locator("button.kb-copy").tap()      # visible without hovering
    page.wait_for_function("document.querySelector('#kb-objection-think-about-it button.kb-copy').textContent === '已复制'")
    copied = page.evaluate("navigator.clipboard.readText()")
    context.close()
    assert copied == expected and "{" not in copied


@pytest.mark.parametrize("path", ["book/index.html", "book/kb/scripts/objection.html", "book/kb/products/index.html",
                                  "book/kb/roles/sales.html", "book/kb/cases/index.html"])
def test_pages_fit_a_390px_phone_screen(phone, sample_site_url, path):
    phone.goto(f"{sample_site_url}/{path}")
    if path.endswith("/index.html") and "/kb/" in path:      # follow the first item to its group page
        phone.locator("article a.reference.internal").first.click()
        phone.wait_for_load_state()
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{path} is {overflow}px wider than the screen"
    font_size = phone.evaluate("parseFloat(getComputedStyle(document.querySelector('article p')).fontSize)")
    assert font_size >= 14
