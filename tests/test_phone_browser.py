"""The sample site as a new rep uses it (issue 12): Chromium at 390×844 with touch, every
control reached by tap() as a thumb would, never by calling the page's JavaScript."""
from __future__ import annotations

import re

import pytest

from test_site_browser import PHONE, phone  # noqa: F401  (the 390×844 touch page fixture)

SECTIONS = ["话术", "产品知识", "案例库", "岗位与学习路径", "群规", "流程 SOP", "自测"]


def test_menu_opens_and_closes_by_tap_and_shows_the_sections(phone, sample_site_url):
    phone.goto(f"{sample_site_url}/book/kb/scripts/objection.html")
    drawer = phone.locator(".sidebar-drawer")
    assert not _on_screen(drawer)
    phone.locator("label.kb-menu-button").tap()
    phone.wait_for_function("document.querySelector('.sidebar-drawer').getBoundingClientRect().left >= 0")
    captions = phone.locator(".sidebar-tree p.caption").all_inner_texts()
    for section in SECTIONS:
        assert section in captions, f"{section} missing from the menu: {captions}"
    assert "培训师" not in captions
    phone.locator(".sidebar-tree a", has_text="岗位与学习路径").first.tap()
    phone.wait_for_url(re.compile(r"/book/kb/roles/index\.html$"))
    assert phone.locator("article h1").inner_text().startswith("岗位与学习路径")


def test_menu_closes_by_tapping_beside_it(phone, sample_site_url):
    phone.goto(f"{sample_site_url}/book/onboarding.html")
    phone.locator("label.kb-menu-button").tap()
    phone.wait_for_function("document.querySelector('.sidebar-drawer').getBoundingClientRect().left >= 0")
    phone.touchscreen.tap(370, 400)          # the dimmed page beside the menu
    phone.wait_for_function("document.querySelector('.sidebar-drawer').getBoundingClientRect().right <= 0")


def _on_screen(locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["x"] + box["width"] > 0 and box["x"] < PHONE["width"]


def test_home_link_by_tap(phone, sample_site_url):
    phone.goto(f"{sample_site_url}/book/kb/sops/index.html")
    home = phone.locator("a.kb-home-link")
    box = home.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44
    home.tap()
    phone.wait_for_url(re.compile(r"/book/index\.html$"))


@pytest.mark.parametrize("label, address", [("查话术", r"/search\.html$"), ("产品", r"/book/kb/products/index\.html$"),
                                            ("我的路径", r"/book/kb/roles/index\.html$"), ("自测", r"/book/kb/quizzes/index\.html$")])
def test_bottom_bar_stays_in_view_and_works_by_tap(phone, sample_site_url, label, address):
    phone.goto(f"{sample_site_url}/book/kb/scripts/objection.html")
    phone.evaluate("window.scrollTo(0, document.body.scrollHeight)")      # scrolling is not clicking
    tab = phone.locator(".kb-tabbar a", has_text=label)
    box = tab.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    assert box["y"] + box["height"] <= PHONE["height"] and box["y"] >= PHONE["height"] - 100, "the bar is not at the bottom"
    tab.tap()
    phone.wait_for_url(re.compile(address))
    assert phone.locator(".kb-tabbar a[aria-current=page]").inner_text().strip() == label or label == "我的路径"


def test_my_path_tab_opens_the_role_the_rep_chose(phone, sample_site_url):
    phone.goto(f"{sample_site_url}/book/kb/roles/sales.html")
    phone.locator("button.kb-set-role").tap()
    assert phone.locator("button.kb-set-role").inner_text().startswith("这是我的路径")
    phone.goto(f"{sample_site_url}/book/kb/products/index.html")
    phone.locator(".kb-tabbar a", has_text="我的路径").tap()
    phone.wait_for_url(re.compile(r"/book/kb/roles/sales\.html$"))


def test_path_progress_survives_a_reload_and_next_follows_the_path(phone, sample_site_url):
    phone.goto(f"{sample_site_url}/book/kb/roles/sales.html")
    items = phone.locator(".kb-path ol > li")
    total = items.count()
    assert total >= 10
    assert phone.locator(".kb-progress-text").inner_text() == f"已读 0 / {total} 项"
    items.nth(0).locator("button.kb-path-toggle").tap()
    assert phone.locator(".kb-progress-text").inner_text() == f"已读 1 / {total} 项"
    phone.reload()
    assert phone.locator(".kb-progress-text").inner_text() == f"已读 1 / {total} 项"
    assert items.nth(0).locator("button.kb-path-toggle").get_attribute("aria-pressed") == "true"
    assert phone.locator(".kb-progress-bar").get_attribute("aria-valuenow") == "1"
    second = items.nth(1).locator("a.reference")
    second_href = second.evaluate("a => a.href")
    # 下一项 is the path's second item (the first is read), not the next page of the book
    next_button = phone.locator("a.kb-next-button")
    assert next_button.evaluate("a => a.href") == second_href
    next_button.tap()
    phone.wait_for_url(second_href)
    banner = phone.locator(".kb-path-banner")
    assert f"第 2 / {total} 项" in banner.inner_text()
    third_href = phone.evaluate("JSON.parse(localStorage.getItem('kb-current-path')).items[2].href")
    banner.locator("button").tap()
    phone.wait_for_url(third_href)
    phone.goto(f"{sample_site_url}/book/kb/roles/sales.html")
    assert phone.locator(".kb-progress-text").inner_text() == f"已读 2 / {total} 项"
    # the roles list shows each path's progress seen on this phone
    phone.goto(f"{sample_site_url}/book/kb/roles/index.html")
    assert phone.locator("article li", has_text="销售").filter(has=phone.locator(".kb-role-progress")).first \
        .locator(".kb-role-progress").inner_text() == f"（已读 2 / {total}）"


def test_a_page_of_many_scripts_shows_one_line_each_and_opens_one_in_place(phone, sample_site_url):
    phone.goto(f"{sample_site_url}/book/kb/scripts/objection.html")
    height = phone.evaluate("document.documentElement.scrollHeight")
    assert height < 2.5 * PHONE["height"], f"the folded page is {height}px high"
    item = phone.locator("section#kb-objection-too-expensive")
    toggle = item.locator("button.kb-fold-toggle")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not item.locator("div.highlight-text").is_visible()
    box = toggle.bounding_box()
    assert box["height"] >= 44
    toggle.tap()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert item.locator("div.highlight-text").is_visible()


def test_a_link_to_one_script_opens_it_alone(phone, sample_site_url):
    phone.goto(f"{sample_site_url}/book/kb/scripts/objection.html#kb-objection-too-expensive")
    item = phone.locator("section#kb-objection-too-expensive")
    assert item.locator("div.highlight-text").is_visible()
    top = item.locator("h2").evaluate("h => h.getBoundingClientRect().top")
    assert 0 <= top < 200
    opened = phone.locator("section.kb-foldable:not(.kb-folded)").count()
    assert opened == 1


def test_an_old_product_address_redirects_with_its_anchor(phone, sample_site_url, built_sample_site):
    from kb.render import old_group_slug
    phone.goto(f"{sample_site_url}/book/kb/products/{old_group_slug('护肤')}.html#kb-hydra-serum")
    phone.wait_for_url(re.compile(r"/book/kb/products/hufu\.html#kb-hydra-serum$"))
    toggle = phone.locator("section#kb-hydra-serum button.kb-fold-toggle")
    toggle.wait_for()
    assert toggle.get_attribute("aria-expanded") == "true"      # the product asked for, opened


def test_an_old_sop_address_opens_its_section_on_the_group_page(phone, sample_site_url):
    phone.goto(f"{sample_site_url}/book/kb/sops/sop-weekly-meeting.html")
    phone.wait_for_url(re.compile(r"/book/kb/sops/team-lead\.html#kb-sop-weekly-meeting$"))
    phone.locator("section#kb-sop-weekly-meeting").wait_for()


# The layout shifts of a page after it first painted (Cumulative Layout Shift, as Lighthouse
# counts them) on a slow mobile line, where the page paints before its deferred scripts run.
LAYOUT_SHIFTS = """() => new Promise(done => { let sum = 0; const moved = [];
  new PerformanceObserver(list => { for (const entry of list.getEntries()) if (!entry.hadRecentInput) {
    sum += entry.value; moved.push(...entry.sources.map(s => s.node ? (s.node.id || s.node.className || s.node.nodeName) : "?")); } })
    .observe({type: "layout-shift", buffered: true});
  setTimeout(() => done([sum, moved]), 1500); })"""


@pytest.mark.parametrize("path", ["book/index.html", "book/kb/scripts/objection.html", "book/kb/products/hufu.html",
                                  "search.html?q=太贵", "book/kb/practice/sales__objection.html"])
def test_nothing_moves_after_the_first_paint_on_a_slow_line(browser, sample_site_url, path):
    """The search box and settings are in the page, a page of many items is folded before its
    script folds it, the finder's results and the drill card appear below the screen's end."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 150, "downloadThroughput": 200_000,
                                                      "uploadThroughput": 90_000})
        page.goto(f"{sample_site_url}/{path}")
        page.wait_for_load_state("load")
        shift, moved = page.evaluate(LAYOUT_SHIFTS)
        assert shift < 0.02, f"{path}: layout shift {shift:.3f} ({moved})"
        assert page.locator("html.kb-fold-ready").count() == 1
    finally:
        context.close()


def test_a_page_of_many_items_shows_them_all_when_its_script_never_comes(browser, sample_site_url):
    """kb-phone.js lost on the way: at "load" the page releases the fold it showed meanwhile."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.route("**/kb-phone.js*", lambda route: route.abort())
        page.goto(f"{sample_site_url}/book/kb/scripts/objection.html")
        page.wait_for_load_state("load")
        first = page.locator("article > section > section").first
        assert first.locator("div.highlight-text, p").first.is_visible()
    finally:
        context.close()


ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")
OPTION_LETTERS = re.compile(r"[A-H]+")       # a quiz's answer format, e.g. 例如 CABD: option labels
# what a page shows and says besides its text: the title, every label, tooltip and placeholder
PAGE_STRINGS = """(chromeOnly) => {
    const roots = chromeOnly
        ? [...document.querySelectorAll('.mobile-header, .sidebar-drawer, footer, .kb-tabbar, .skip-to-content, .back-to-top')]
        : [document.body];
    const out = [document.title];
    for (const root of roots) {
        out.push(root.innerText);
        for (const el of root.querySelectorAll('[title], [aria-label], [placeholder], [alt]'))
            for (const attr of ['title', 'aria-label', 'placeholder', 'alt'])
                if (el.getAttribute(attr)) out.push(el.getAttribute(attr));
    }
    const code = [...document.querySelectorAll('pre, code')].map((n) => n.innerText);
    return {out, code};
}"""


def _content_words(root) -> set[str]:
    """English words trainers wrote into content/ (brand names, units): content, not interface."""
    words = set()
    for path in (root / "content").rglob("*.yml"):
        words |= set(ENGLISH_WORD.findall(path.read_text(encoding="utf-8")))
    return words


def test_no_english_interface_words_on_any_page(phone, sample_site_url, built_sample_site):
    site = built_sample_site / "_build" / "html"
    allowed = _content_words(built_sample_site) | {"SOP", "KPI"}
    # pages that only forward elsewhere (old addresses, the root index) are checked where they lead
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                   if "_static" not in p.parts and "http-equiv=\"refresh\"" not in p.read_text(encoding="utf-8")[:600].lower())
    assert len(pages) > 30
    problems = []
    for path in pages:
        phone.goto(f"{sample_site_url}/{path}")
        # the trainers' page explains commands and tools: only its interface counts
        found = phone.evaluate(PAGE_STRINGS, path.endswith("trainer-guide.html"))
        for text in found["out"]:
            for word in ENGLISH_WORD.findall(text):
                if word in allowed or OPTION_LETTERS.fullmatch(word) or any(word in block for block in found["code"]):
                    continue
                problems.append(f"{path}: {word} in {text[:60]!r}")
    assert not problems, "\n".join(problems[:30])


@pytest.mark.parametrize("path", ["book/index.html", "book/kb/scripts/objection.html", "book/kb/products/hufu.html",
                                  "book/kb/roles/sales.html", "book/kb/quizzes/sales.html", "search.html?q=太贵",
                                  "book/kb/cases/index.html", "book/trainer-guide.html"])
def test_no_console_errors_or_missing_files(phone, sample_site_url, path):
    errors = []
    phone.on("console", lambda message: message.type == "error" and errors.append(message.text))
    phone.on("pageerror", lambda error: errors.append(str(error)))
    phone.on("response", lambda response: response.status >= 400 and errors.append(f"{response.status} {response.url}"))
    phone.goto(f"{sample_site_url}/{path}")
    phone.wait_for_load_state("networkidle")
    assert errors == []
