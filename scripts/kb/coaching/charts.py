"""The report's charts with matplotlib, labelled in Chinese with a CJK font.

Figures are built with matplotlib.figure.Figure (no pyplot state) inside an rc_context that
puts a CJK font first; `png` refuses a chart in which any glyph is missing, so a report never
shows empty boxes where Chinese should be.
"""
from __future__ import annotations

import io
import warnings
from contextlib import contextmanager
from functools import lru_cache

import numpy as np

from ..problems import ContentError, Problem
from ..i18n import N_, _
from . import stats
from .stats import HIGH_FACILITY, LOW_DISCRIMINATION, LOW_FACILITY

# Preferred families, Simplified Chinese first; any family with "CJK" in its name will also do.
CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
                "Droid Sans Fallback", "Noto Sans CJK TC", "Noto Sans CJK JP")
FONT_HINT = N_("install Debian's fonts-noto-cjk (bash .ci/setup --browser, or sudo apt-get install fonts-noto-cjk), then run the report again")


@lru_cache(maxsize=1)
def cjk_font() -> str:
    """The family name of an installed font with Chinese glyphs, or a ContentError saying how to get one."""
    from matplotlib import font_manager
    names = {entry.name for entry in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in names:
            return family
    fallback = sorted(name for name in names if "CJK" in name.upper())
    if fallback:
        return fallback[0]
    raise ContentError([Problem("fonts", 0, 0, "", _("expected a font with Chinese glyphs for the charts (such as Noto Sans CJK SC), found none"), _(FONT_HINT))])


@contextmanager
def chinese_style():
    import matplotlib
    # a concrete family list (not the generic "sans-serif"), so every text keeps the CJK font
    # even when the figure is drawn outside this context
    with matplotlib.rc_context({"font.family": [cjk_font(), "DejaVu Sans"], "axes.unicode_minus": False, "figure.dpi": 100}):
        yield


def _figure(width: float, height: float, ncols: int = 1):
    from matplotlib.figure import Figure
    figure = Figure(figsize=(width, height), layout="constrained")
    axes = figure.subplots(1, ncols, squeeze=False)[0]
    return figure, axes


def png(figure) -> bytes:
    """The figure as PNG; a ContentError if any character had no glyph in the chosen fonts."""
    buffer = io.BytesIO()
    with chinese_style(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure.savefig(buffer, format="png")
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    if missing:
        raise ContentError([Problem("fonts", 0, 0, "", _("expected every character of the chart to have a glyph, received: {missing}").format(missing=missing[0]), _(FONT_HINT))])
    return buffer.getvalue()


def _no_data(axes, text: str) -> None:
    axes.text(0.5, 0.5, text, ha="center", va="center", fontsize=12, color="#666666", transform=axes.transAxes)
    axes.set_axis_off()


def role_trend(analysis):
    """Weekly median score and pass rate per role; weeks with fewer than MIN_N attempts are left out."""
    with chinese_style():
        figure, (scores, passes) = _figure(10, 3.8, ncols=2)
        plotted = False
        for row in analysis.roles:
            weeks = [w for w in row.weeks if w.median.enough]
            if not weeks:
                continue
            plotted = True
            days = np.array([w.week for w in weeks], dtype="datetime64[D]")
            scores.plot(days, [w.median.value for w in weeks], marker="o", label=row.name)
            passes.plot(days, [100 * w.pass_rate.value for w in weeks], marker="o", label=row.name)
        if not plotted:
            _no_data(scores, f"数据不足：每个岗位每周的作答都少于 {stats.MIN_N} 次")
            passes.set_axis_off()
            return figure
        scores.set_title("每周成绩中位数")
        scores.set_ylabel("分")
        passes.set_title("每周通过率")
        passes.set_ylabel("%")
        weeks = sorted({w.week for row in analysis.roles for w in row.weeks if w.median.enough})
        for axes in (scores, passes):
            axes.set_ylim(0, 100)
            axes.grid(alpha=0.3)
            axes.set_xticks(np.array(weeks, dtype="datetime64[D]"), [week[5:] for week in weeks])   # one tick per week: MM-DD
            axes.set_xlabel("周（周一）")
        passes.legend(loc="lower right", fontsize=9)
        return figure


def topic_heatmap(analysis):
    """Facility by role (rows) and topic (columns); cells with too few learners say 数据不足."""
    with chinese_style():
        rows, cols = len(analysis.heat_roles), len(analysis.heat_topics)
        figure, (axes,) = _figure(1.3 * cols + 2.5, 0.6 * rows + 1.6)
        if not rows or not cols:
            _no_data(axes, "还没有已评分的作答")
            return figure
        values = np.array([[cell.value if cell.enough else np.nan for cell in row] for row in analysis.heat])
        image = axes.imshow(np.ma.masked_invalid(values), cmap="RdYlGn", vmin=0.3, vmax=1.0, aspect="auto")
        axes.set_facecolor("#e6e6e6")
        for r, row in enumerate(analysis.heat):
            for c, cell in enumerate(row):
                if cell.n == 0:
                    text = "—"
                elif cell.enough:
                    text = f"{cell.value:.0%}\nn={cell.n}"
                elif analysis.public:                 # the public report shows no count below the minimum
                    text = f"数据不足\nn<{stats.MIN_N}"
                else:
                    text = f"数据不足\nn={cell.n}"
                axes.text(c, r, text, ha="center", va="center", fontsize=8)
        axes.set_xticks(range(cols), analysis.heat_topics)
        axes.set_yticks(range(rows), analysis.heat_roles)
        axes.set_title("各岗位各主题答对率（每人最近一次作答）")
        figure.colorbar(image, ax=axes, label="答对率", shrink=0.8)
        return figure


def item_map(analysis):
    """Each item with enough first attempts: facility against discrimination, flagged items in red."""
    with chinese_style():
        figure, (axes,) = _figure(7.5, 4.5)
        rows = [r for r in analysis.items if r.facility.enough and r.discrimination.enough]
        if not rows:
            _no_data(axes, f"数据不足：没有题目有 {stats.MIN_N} 次以上的首次作答")
            return figure
        for flagged, colour, label in ((False, "#4c72b0", "正常"), (True, "#c44e52", "需要复查")):
            chosen = [r for r in rows if bool(r.flags) == flagged]
            if chosen:
                axes.scatter([r.facility.value for r in chosen], [r.discrimination.value for r in chosen], color=colour, label=label, s=28)
        for row in rows:
            if row.flags:
                label = (row.text[:14] + "…" if len(row.text) > 14 else row.text) if row.text else row.item_id
                axes.annotate(label, (row.facility.value, row.discrimination.value), fontsize=8,
                              xytext=(4, 4), textcoords="offset points")
        for x in (LOW_FACILITY, HIGH_FACILITY):
            axes.axvline(x, color="#999999", linestyle="--", linewidth=1)
        axes.axhline(LOW_DISCRIMINATION, color="#999999", linestyle="--", linewidth=1)
        axes.axhline(0, color="#333333", linewidth=0.8)
        axes.set_xlim(0, 1)
        axes.set_ylim(min(-0.6, min(r.discrimination.value for r in rows) - 0.05), 1)
        axes.set_xlabel("难度（答对率）")
        axes.set_ylabel("区分度（题目与其余题目的相关）")
        axes.set_title("题目分析（首次作答）")
        axes.legend(loc="lower left", fontsize=9)
        return figure
