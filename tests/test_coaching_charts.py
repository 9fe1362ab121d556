"""Charts label in Chinese with a CJK font: every character has a glyph, none is drawn as a box."""
from __future__ import annotations

import warnings

import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text

from conftest import FIXTURES, ROOT
from kb.coaching import charts
from kb.coaching.analysis import analyse
from kb.coaching.simulate import demo_records
from kb.coaching.table import build_table
from kb.content import load_content
from kb.problems import ContentError


@pytest.fixture(scope="module")
def demo_analysis():
    content = load_content(ROOT, FIXTURES / "mini")
    records, _ = demo_records(content)
    return analyse(build_table(records), {}, {role.id: role.title for role in content.of_kind("role")}, demo=True)


def chinese_texts(figure) -> list[Text]:
    return [t for t in figure.findobj(Text) if any("\u4e00" <= ch <= "\u9fff" for ch in t.get_text())]


@pytest.mark.parametrize("name", ["role_trend", "topic_heatmap", "item_map"])
def test_chart_text_uses_a_cjk_font_that_has_every_glyph(demo_analysis, name):
    figure = getattr(charts, name)(demo_analysis)
    texts = chinese_texts(figure)
    assert texts, "the chart has Chinese labels"
    for text in texts:
        path = font_manager.findfont(text.get_fontproperties(), fallback_to_default=False)
        font = FT2Font(path)
        assert "CJK" in font.family_name, (text.get_text(), path)
        assert [ch for ch in text.get_text() if not ch.isspace() and font.get_char_index(ord(ch)) == 0] == []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        image = charts.png(figure)
    assert image.startswith(b"\x89PNG")
    assert [str(w.message) for w in caught if "missing from font" in str(w.message)] == []


def test_a_chart_with_missing_glyphs_is_refused():
    figure = Figure()
    figure.subplots().set_title("销售", fontfamily="DejaVu Sans")      # a Latin-only font: 销 and 售 have no glyph
    with pytest.raises(ContentError) as error:
        charts.png(figure)
    assert error.value.problems[0].format() == (
        "fonts: expected every character of the chart to have a glyph, received: Glyph 38144 (\\N{CJK UNIFIED IDEOGRAPH-9500}) missing from font(s) DejaVu Sans.\n"
        "    hint: install Debian's fonts-noto-cjk (bash .ci/setup --browser, or sudo apt-get install fonts-noto-cjk), then run the report again")


def test_no_cjk_font_installed_is_a_clear_error(monkeypatch):
    latin_only = [entry for entry in font_manager.fontManager.ttflist if "CJK" not in entry.name and entry.name not in charts.CJK_FAMILIES]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", latin_only)
    charts.cjk_font.cache_clear()
    try:
        with pytest.raises(ContentError) as error:
            charts.cjk_font()
    finally:
        charts.cjk_font.cache_clear()
    assert error.value.report() == (
        "fonts: expected a font with Chinese glyphs for the charts (such as Noto Sans CJK SC), found none\n"
        "    hint: install Debian's fonts-noto-cjk (bash .ci/setup --browser, or sudo apt-get install fonts-noto-cjk), then run the report again\n"
        "1 problem(s) found; nothing was written.")


def test_the_chosen_font_is_simplified_chinese():
    assert charts.cjk_font() == "Noto Sans CJK SC"
