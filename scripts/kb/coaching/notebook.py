"""The report notebook: written with nbformat (pure), executed with nbclient.

Markdown cells carry their heading and intro in metadata too, so page.py can rebuild the
page from the executed notebook without a Markdown parser; code cells only call cells.py.
"""
from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path

import nbformat

from ..problems import ContentError, Problem
from ..i18n import _
from .db import Filters

KERNEL_TIMEOUT = 600          # seconds per cell; 100,000 attempts take a few seconds


@dataclass(frozen=True)
class ReportSpec:
    database: str             # the results database, relative to the notebook's folder (the kernel's cwd)
    demo: bool
    public: bool
    site_base: str            # prefix of links to the site's pages
    site_ready: bool          # whether those pages exist yet
    min_n: int = 10           # smallest sample a statistic is shown for
    filters: Filters = Filters()
    root: str = ".."          # the project folder, relative to the notebook's folder


# (section key, heading, intro, code lines); {mode} is the analysis of practice or certification
SECTIONS = (
    ("roles", "按岗位", "每个岗位的作答次数、通过率和成绩中位数（全部已评分作答），以及按周的变化。",
     ['show("roles", {mode})', 'chart("role_trend", {mode})']),
    ("topics", "按主题", "各岗位在每个主题上的答对率，按每人每份测验最近一次作答计算；最薄弱的主题列出要重读的页面。",
     ['chart("topic_heatmap", {mode})', 'show("topics", {mode})']),
    ("items", "按题目", "经典题目分析，只用每人每份测验的第一次作答：答对率（难度）、区分度（题目与其余题目得分的相关）、最多人选的错误答案。",
     ['chart("item_map", {mode})', 'show("items", {mode})']),
    ("learners", "按学员", "每人最近一次和最好的成绩、是否通过、比第一次进步多少（按答对题数的准确比例计算）、薄弱主题，以及一对一辅导时要带的阅读清单。",
     ['show("learners", {mode})']),
)
# Practice is graded on the learner's machine (re-checked at import); certification by the trainer.
MODES = (("practice", "自测成绩（学员自评，导入时已按答案复核）",
          "学员自己做的练习测验：分数由测验自己算出，导入时按答案重新评过一遍，与记录不符的已被拒收。"),
         ("certify", "考核成绩（讲师评分并签名）", "岗位考核：只计入 kb.py grade 用讲师的答案评分并签名的成绩。"))


def title(spec: ReportSpec) -> str:
    return "辅导报告" + ("（演示数据）" if spec.demo else "") + ("（公开版）" if spec.public else "")


def _markdown(heading: str, intro: str, level: int):
    source = f"{'#' * level} {heading}" + (f"\n\n{intro}" if intro else "")
    return nbformat.v4.new_markdown_cell(source, metadata={"kb": {"heading": heading, "intro": intro, "level": level}})


def _code(lines: list[str], section: str):
    return nbformat.v4.new_code_cell("\n".join(lines), metadata={"kb": {"section": section}, "tags": ["hide-input"]})


def report_notebook(spec: ReportSpec):
    """Every path in the notebook is relative to the notebook's own folder, where it runs (as
    in Jupyter): the notebook, the public one in particular, holds no local path."""
    intro = ("本报告由 python scripts/kb.py report 生成，只给培训讲师和组长看，不发布到学员的网站。"
             if not spec.public else "公开版：不含学员姓名和个人数据。")
    filters = spec.filters
    cells = [_markdown(title(spec), intro, 1),
             _code(["import sys",
                    f"sys.path.insert(0, {posixpath.join(spec.root, 'scripts')!r})",
                    "from kb.coaching.cells import chart, load, show",
                    "from kb.coaching.db import Filters",
                    f"report = load({spec.database!r}, demo={spec.demo}, public={spec.public}, site_base={spec.site_base!r}, "
                    f"min_n={spec.min_n}, filters=Filters({filters.roles!r}, {filters.teams!r}, {filters.since!r}, {filters.until!r}), root={spec.root!r})",
                    f"show(\"summary\", report, site_ready={spec.site_ready})"], "summary")]
    for mode, heading, text in MODES:
        cells.append(_markdown(heading, text, 2))
        cells.append(_code([f'show("mode", report.{mode})'], f"{mode}-summary"))
        for key, sub, sub_text, lines in SECTIONS:
            if key == "learners" and spec.public:
                continue
            cells.append(_markdown(sub, sub_text, 3))
            cells += [_code([line.format(mode=f"report.{mode}")], f"{mode}-{key}") for line in lines]
    notebook = nbformat.v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"}, "kb": {"title": title(spec), "demo": spec.demo, "public": spec.public}})
    nbformat.validate(notebook)
    return notebook


def execute(notebook, cwd: Path, shown: str):
    """Run every cell in a fresh kernel; a failing cell becomes one Problem (not a traceback)."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    client = NotebookClient(notebook, timeout=KERNEL_TIMEOUT, kernel_name="python3", resources={"metadata": {"path": str(cwd)}},
                            extra_arguments=["--IPKernelApp.log_level=ERROR"])   # no start-up chatter on the terminal
    try:
        client.execute()
    except CellExecutionError as error:
        raise ContentError([Problem(shown, 0, 0, "", _("the report notebook stopped: {ename}: {evalue}").format(ename=error.ename, evalue=error.evalue),
                                    _("the previous report was left as it was; run the notebook in Jupyter to see the whole error"))]) from None
    except (CellTimeoutError, DeadKernelError) as error:
        raise ContentError([Problem(shown, 0, 0, "", _("the report notebook did not finish: {error}").format(error=error),
                                    _("the previous report was left as it was; check memory and try again"))]) from None
    return notebook
