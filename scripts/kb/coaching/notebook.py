"""The report notebook: written with nbformat (pure), executed with nbclient.

Markdown cells carry their heading and intro in metadata too, so page.py can rebuild the
page from the executed notebook without a Markdown parser; code cells only call cells.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat

from ..problems import ContentError, Problem
from ..i18n import _

KERNEL_TIMEOUT = 600          # seconds per cell; 100,000 attempts take a few seconds


@dataclass(frozen=True)
class ReportSpec:
    root: str                 # project folder (absolute)
    records: str              # JSON Lines file the report reads (absolute)
    demo: bool
    public: bool
    site_base: str            # prefix of links to the site's pages
    site_ready: bool          # whether those pages exist yet


# (section key, heading, intro, code lines)
SECTIONS = (
    ("roles", "按岗位", "每个岗位的作答次数、通过率和成绩中位数（全部已评分作答），以及按周的变化。",
     ['show("roles", report)', 'chart("role_trend", report)']),
    ("topics", "按主题", "各岗位在每个主题上的答对率，按每人每份测验最近一次作答计算；最薄弱的主题列出要重读的页面。",
     ['chart("topic_heatmap", report)', 'show("topics", report)']),
    ("items", "按题目", "经典题目分析，只用每人每份测验的第一次作答：答对率（难度）、区分度（题目与其余题目得分的相关）、最多人选的错误答案。",
     ['chart("item_map", report)', 'show("items", report)']),
    ("learners", "按学员", "每人最近一次和最好的成绩、是否通过、比第一次进步多少、薄弱主题，以及一对一辅导时要带的阅读清单。",
     ['show("learners", report)']),
)


def title(spec: ReportSpec) -> str:
    return "辅导报告" + ("（演示数据）" if spec.demo else "") + ("（公开版）" if spec.public else "")


def _markdown(heading: str, intro: str, level: int):
    source = f"{'#' * level} {heading}" + (f"\n\n{intro}" if intro else "")
    return nbformat.v4.new_markdown_cell(source, metadata={"kb": {"heading": heading, "intro": intro, "level": level}})


def _code(lines: list[str], section: str):
    return nbformat.v4.new_code_cell("\n".join(lines), metadata={"kb": {"section": section}, "tags": ["hide-input"]})


def report_notebook(spec: ReportSpec):
    scripts = str(Path(spec.root) / "scripts")
    intro = ("本报告由 python scripts/kb.py report 生成，只给培训讲师和组长看，不发布到学员的网站。"
             if not spec.public else "公开版：不含学员姓名和个人数据。")
    cells = [_markdown(title(spec), intro, 1),
             _code(["import sys",
                    f"sys.path.insert(0, {scripts!r})",
                    "from kb.coaching.cells import chart, load, show",
                    f"report = load({spec.root!r}, {spec.records!r}, demo={spec.demo}, public={spec.public}, site_base={spec.site_base!r})",
                    f"show(\"summary\", report, site_ready={spec.site_ready})"], "summary")]
    for key, heading, text, lines in SECTIONS:
        if key == "learners" and spec.public:
            continue
        cells.append(_markdown(heading, text, 2))
        cells += [_code([line], key) for line in lines]
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
