"""Offline and installable (issue 12): the Workbox service worker precaches what a rep needs;
after a first visit the site opens with no signal; a new build is offered as 有新版本."""
from __future__ import annotations

import shutil

import pytest

from conftest import serve
from kb.offline import build_service_worker, precached_files
from test_site_browser import PHONE

READY = "可离线使用"


def test_precache_holds_what_a_rep_needs_and_nothing_for_trainers(built_sample_site):
    site = built_sample_site / "_build" / "html"
    cached = set(precached_files(site))
    reps_pages = {p.relative_to(site).as_posix() for p in (site / "book" / "kb").rglob("*.html")
                  if "页面已搬到新地址" not in p.read_text(encoding="utf-8")[:600]}
    assert {"book/kb/scripts/objection.html", "book/kb/products/hufu.html", "book/kb/roles/sales.html",
            "book/kb/quizzes/sales.html"} <= reps_pages
    assert reps_pages <= cached, sorted(reps_pages - cached)
    assert {"book/index.html", "search.html", "_static/finder-index.js", "_static/kb-phone.js"} <= cached
    assert "book/trainer-guide.html" not in cached
    redirects = {p.relative_to(site).as_posix() for p in (site / "book" / "kb").rglob("*.html")
                 if "页面已搬到新地址" in p.read_text(encoding="utf-8")[:600]}
    assert {"book/kb/sops/sop-after-sales-24h.html", "book/kb/rules/rules-team-group.html"} <= redirects
    assert not redirects & cached, "redirect pages are precached"
    # every precached static file is loaded by a precached page, or named by a precached script or
    # stylesheet (finder.js names the index it loads): nothing is stored that no page uses. (myst-nb's
    # stylesheet is for pages with notebook output, which the sample does not have.)
    texts = {url: (site / url).read_text(encoding="utf-8", errors="replace") for url in cached
             if url.endswith((".html", ".js", ".css"))}
    unused = [url for url in cached if url.startswith("_static/") and "/practice/data/" not in url
              and not url.startswith("_static/mystnb.")
              and not any(url.rsplit("/", 1)[-1] in text for other, text in texts.items() if other != url)]
    assert unused == [], unused
    size = sum((site / url).stat().st_size for url in cached)
    assert size < 30 * 1024 * 1024


def _phone_context(browser):
    return browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, service_workers="allow")


def _wait_until_ready(page):
    page.wait_for_function(f"document.querySelector('.kb-offline-status').textContent.includes('{READY}')", timeout=60000)


def test_a_script_page_loads_offline_after_a_first_visit(browser, sample_site_url):
    context = _phone_context(browser)
    page = context.new_page()
    page.goto(f"{sample_site_url}/book/index.html")
    _wait_until_ready(page)
    context.set_offline(True)
    try:
        # pages never opened before, straight from the phone's storage
        page.goto(f"{sample_site_url}/book/kb/scripts/objection.html#kb-objection-too-expensive")
        item = page.locator("section#kb-objection-too-expensive")
        assert "花钱谨慎一点是对的" in item.locator("div.highlight-text").inner_text()
        page.goto(f"{sample_site_url}/book/kb/products/hufu.html")
        assert page.locator("article h1").inner_text().startswith("产品 · 护肤")
        page.goto(f"{sample_site_url}/book/kb/quizzes/sales.html")
        assert page.locator(".kb-quiz").count() == 1
        # the bottom bar still works by tap without signal
        page.locator(".kb-tabbar a", has_text="产品").tap()
        page.wait_for_url(f"{sample_site_url}/book/kb/products/index.html")
        assert page.locator("article h1").inner_text().startswith("产品知识")
    finally:
        context.set_offline(False)
        context.close()


@pytest.fixture
def own_site(built_sample_site, tmp_path):
    """A copy of the built sample site that the test may republish."""
    site = tmp_path / "site"
    shutil.copytree((built_sample_site / "_build" / "html").resolve(), site)
    url, server = serve(site)
    yield site, url
    server.shutdown()


def test_a_new_build_is_offered_and_updates_cleanly(browser, own_site):
    site, url = own_site
    context = _phone_context(browser)
    page = context.new_page()
    page.goto(f"{url}/book/index.html")
    _wait_until_ready(page)
    assert page.locator(".kb-update").count() == 0
    # a trainer publishes a new build: one page changed
    onboarding = site / "book" / "onboarding.html"
    onboarding.write_text(onboarding.read_text(encoding="utf-8").replace("欢迎加入青禾生活", "欢迎加入青禾生活（新版）"), encoding="utf-8")
    build_service_worker(site)
    page.goto(f"{url}/book/onboarding.html")
    notice = page.locator(".kb-update")
    notice.wait_for(timeout=60000)
    assert "有新版本" in notice.inner_text()
    notice.locator("button").tap()
    page.wait_for_function("document.body.innerText.includes('欢迎加入青禾生活（新版）')", timeout=60000)
    context.set_offline(True)
    try:
        page.goto(f"{url}/book/onboarding.html")
        assert "欢迎加入青禾生活（新版）" in page.locator("article").inner_text()
    finally:
        context.set_offline(False)
        context.close()


def test_past_the_budget_pages_are_stored_on_first_visit_in_order_of_need(tmp_path):
    """A site too big for the precache budget keeps the finder and index pages, then scripts,
    in address order, until the next file would pass the budget; the rest waits for a visit."""
    from kb.offline import PRECACHE_BUDGET_BYTES
    site = tmp_path / "site"
    megabyte = b"x" * 1_048_576
    files = {"search.html": b"<html></html>", "book/index.html": b"<html></html>", "_static/finder-index.js": megabyte,
             "book/kb/scripts/index.html": b"<html></html>", "book/kb/cases/a.html": b"<html></html>",
             "book/kb/products/a.html": megabyte}
    files.update({f"book/kb/scripts/stage-{n}.html": megabyte * 8 for n in range(1, 5)})
    for name, data in files.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_bytes(data)
    precache = build_service_worker(site)
    cached = set(precached_files(site))
    assert {"search.html", "book/index.html", "_static/finder-index.js", "book/kb/scripts/index.html"} <= cached
    assert {"book/kb/scripts/stage-1.html", "book/kb/scripts/stage-2.html", "book/kb/scripts/stage-3.html"} <= cached
    # the fourth script page would pass 30 MB: it and everything after it wait, even the small case page
    assert not cached & {"book/kb/scripts/stage-4.html", "book/kb/products/a.html", "book/kb/cases/a.html"}
    assert sum(len(files[url]) for url in cached if url in files) <= PRECACHE_BUDGET_BYTES
    assert (precache.later_count, precache.later_size) == (3, 9 * 1_048_576 + len(b"<html></html>"))
    assert "stored when first opened" in precache.summary()
