"""Pure renderer of a drill notebook (nbformat v4): the drills of one set as questions with
lettered replies, an answer cell each (a letter, or 会/模糊/不会 after saying the reply aloud),
and a locked last cell (runtime.py) that gives the feedback and schedules reviews with FSRS."""
from __future__ import annotations

import json
from pathlib import Path

import nbformat

from .. import mdtext
from ..model import STAGES
from .drills import Drill, drill_data

HERE = Path(__file__).parent
LOCKED = {"editable": False, "deletable": False}
LETTERS = "ABCDEFGH"


def _intro(title: str, count: int) -> str:
    return "\n".join([
        f"# {mdtext.escape(title)}", "", f"共 {count} 张对练卡片。每张卡片给出客户的一句话：", "",
        "1. **选择回复**：在卡片下面的答题格里写你会发的那一句的字母（例如 \"B\"）；",
        "2. 或者 **口头练习**：先不看选项，自己说出或写下回复，再对照推荐回复给自己打分，在答题格里写 \"会\"、\"模糊\" 或 \"不会\"。", "",
        "写完后点菜单“运行 → 运行全部单元格”。最后一格给出每张卡片的反馈和回应步骤，并按遗忘规律（FSRS）安排下次复习，"
        "复习安排保存在笔记本旁边的 practice 文件夹里。没写答案的卡片不计入。需要 fsrs 包（项目的 requirements.txt 已包含）。"])


def _drill_markdown(number: int, drill: Drill) -> str:
    lines = [f"### 第 {number} 张 · {STAGES[drill.stage]} · {mdtext.escape(drill.title)}", "",
             (f"案例情境：{mdtext.escape(drill.customer)}" if drill.case_id else f"客户说：“{mdtext.escape(drill.customer)}”"),
             "", "你会回复哪一句？", ""]
    lines += [f"- **{LETTERS[i]}**. {mdtext.escape(choice.text)}" for i, choice in enumerate(drill.choices)]
    return "\n".join(lines) + "\n"


def render_drill_notebook(title: str, role_id: str, drills: list[Drill], link_of) -> str:
    data = json.dumps([drill_data(d, link_of(d.script_id)[1]) for d in drills], ensure_ascii=False, indent=1)
    assert '"""' not in data
    cells = [nbformat.v4.new_markdown_cell(_intro(title, len(drills)), id="intro", metadata=dict(LOCKED)),
             nbformat.v4.new_code_cell(f'# 对练数据（由 kb.py practice 生成，已锁定）\nimport json\nROLE = {json.dumps(role_id)}\n'
                                       f'DRILLS = json.loads(r"""{data}""")\n', id="drill-data",
                                       metadata={**LOCKED, "jupyter": {"source_hidden": True}})]
    for number, drill in enumerate(drills, 1):
        cells.append(nbformat.v4.new_markdown_cell(_drill_markdown(number, drill), id=f"drill-{number:02d}-text", metadata=dict(LOCKED)))
        cells.append(nbformat.v4.new_code_cell(f'对练_{number:02d} = ""  # 写字母，或 会 / 模糊 / 不会\n', id=f"drill-{number:02d}",
                                               metadata={"deletable": False, "kb_drill": {"cell": "answer", "drill": drill.id}}))
    runtime = (HERE / "runtime.py").read_text(encoding="utf-8")
    cells.append(nbformat.v4.new_markdown_cell("## 看反馈、安排复习\n\n运行下面这一格。", id="finish-text", metadata=dict(LOCKED)))
    cells.append(nbformat.v4.new_code_cell("# 反馈与复习安排（由 kb.py practice 生成，已锁定）\n" + runtime + "\n\nfinish_drills(globals())\n",
                                           id="finish", metadata={**LOCKED, "jupyter": {"source_hidden": True}}))
    notebook = nbformat.v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"}, "kb_drill": {"role": role_id, "drills": len(drills)}})
    # built from nbformat's own constructors, so valid by construction (the tests validate the
    # written notebooks); writing without nbformat.writes' schema check keeps large sets fast
    return nbformat.v4.nbjson.writes(notebook) + "\n"
