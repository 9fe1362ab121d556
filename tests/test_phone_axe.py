"""Accessibility of the phone site (issue 12): axe-core (npm, pinned in
scripts/kb/offline/package-lock.json, installed by .ci/setup) finds no serious or critical
violation on the pages a rep uses, with the menu open and an item unfolded too."""
from __future__ import annotations

import pytest

from kb.offline import node_modules
from test_site_browser import phone  # noqa: F401  (the 390×844 touch page fixture)

AXE = node_modules() / "axe-core" / "axe.min.js"


def axe_problems(page) -> list[str]:
    assert AXE.exists(), f"axe-core is not installed in {AXE.parent}: run bash .ci/setup"
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        axe.configure({ locale: undefined });
        const r = await axe.run(document, { resultTypes: ['violations'] });
        return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
            .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
    }""")
    return result


@pytest.mark.parametrize("path", ["book/index.html", "book/kb/scripts/objection.html", "book/kb/products/hufu.html",
                                  "book/kb/roles/sales.html", "book/kb/quizzes/sales.html", "book/kb/cases/index.html",
                                  "search.html?q=太贵", "book/kb/tags.html"])
def test_no_serious_or_critical_axe_violations(phone, sample_site_url, path):
    phone.goto(f"{sample_site_url}/{path}")
    phone.wait_for_load_state("networkidle")
    assert axe_problems(phone) == []


def test_no_violations_with_the_menu_open_and_an_item_unfolded(phone, sample_site_url):
    phone.goto(f"{sample_site_url}/book/kb/scripts/objection.html")
    phone.locator("section#kb-objection-too-expensive button.kb-fold-toggle").tap()
    phone.locator("label.kb-menu-button").tap()
    phone.wait_for_function("document.querySelector('.sidebar-drawer').getBoundingClientRect().left >= 0")
    assert axe_problems(phone) == []
