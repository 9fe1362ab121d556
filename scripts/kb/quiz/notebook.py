"""Pure renderer: a Quiz -> the text of a self-grading Jupyter notebook (nbformat v4).

Cells: locked instructions, the locked quiz data (salted answer hashes, encoded explanations,
links; no answers; answers.py, which makes the answer cells forgiving), the learner's name, one
question and one answer cell per item, and a locked last cell that grades with the standard
library only (records.py + runtime.py). One way to hand in: Run All.
"""
from __future__ import annotations

import json
import platform
from pathlib import Path

import nbformat

from .. import mdtext
from ..pages import TOPIC_NAMES
from .model import ANSWER_HINTS, LETTERS, TYPE_LABELS, Quiz
from .payload import learner_payload
from .answers import answer_name
from .runtime import RUN_ALL, quiz_seal

HERE = Path(__file__).parent
LOCKED = {"editable": False, "deletable": False}
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def language_info(python_version: str) -> dict:
    """What ipykernel reports on start. JupyterLab and Notebook 7 write the kernel's report into
    the notebook and mark it modified unless it is equal, so the notebook carries the same."""
    return {"codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py", "mimetype": "text/x-python",
            "name": "python", "nbconvert_exporter": "python", "pygments_lexer": "ipython3", "version": python_version}


def grading_source() -> str:
    """The last cell: the record digest and the runtime, pasted so the notebook needs no imports."""
    records = (HERE / "records.py").read_text(encoding="utf-8")
    runtime = (HERE / "runtime.py").read_text(encoding="utf-8")
    return ("# 评分代码（由 kb.py quiz 生成，已锁定）：用“运行 → 运行全部单元格”交卷；请不要修改。\n"
            + records + "\n\n" + runtime + "\n\nfinish_quiz(globals())\n")


def data_source(payload: dict, seal: str) -> str:
    text = json.dumps(payload, ensure_ascii=False, indent=1, sort_keys=True)
    assert '"""' not in text   # cannot happen in JSON text; the raw string below relies on it
    answers = (HERE / "answers.py").read_text(encoding="utf-8")
    return ("# 测验数据（由 kb.py quiz 生成，已锁定）：只有加密的答案校验值，没有答案。\n"
            "# 请不要修改这一格：改动后评分会提示“被改动”，成绩无效。\n"
            "import json\n"
            f'QUIZ = json.loads(r"""{text}""")\n'
            f'QUIZ_SEAL = "{seal}"\n\n'
            "# 读答案的规则：中文引号、全角字母和数字、不带引号的字母都按你的本意读出。\n"
            + answers +
            '\nQUIZ_RUNS = watch_answer_cells(get_ipython() if "get_ipython" in globals() else None, len(QUIZ["items"]))\n')


def _intro(quiz: Quiz, self_check_url: str | None) -> str:
    name = mdtext.escape(quiz.role_name)
    lines = [f"# {name} · 岗位{'考核' if quiz.mode == 'certify' else '测验'}", "", _phone_line(quiz, self_check_url), "",
             f"共 {len(quiz.questions)} 题，{quiz.pass_mark} 分及格（满分 100）。", "",
             "**怎么做**", "",
             "1. 在“你的名字”下面那一格的引号里写上名字。",
             "2. 每道题下面有一个答题格，把答案写在引号里：单选写一个字母（如 \"B\"），多选写出所有正确选项的字母（如 \"ACD\"），"
             "排序按先后顺序写字母（如 \"CABD\"），连线按 1、2、3… 的顺序写出对应的字母（如 \"BCA\"），判断写“对”或“错”，填数字只写数字（如 \"24\"）。",
             "3. 写完后点菜单“运行 → 运行全部单元格”（Run → Run All Cells）交卷；改了答案就再点一次。"
             "想从头再来，点“内核 → 重启内核并运行全部单元格”（Kernel → Restart Kernel and Run All Cells）。",
             "4. 最后一格下面会告诉你要把什么发给培训讲师：一段复制到微信的文字和一个记录文件。"]
    if quiz.mode == "certify":
        lines += ["", "**本次是考核**：最后一格只记录你的答案，不显示对错；成绩由培训讲师评分后通知你。"
                  "记录保存在 results 文件夹里，按讲师的要求提交这个文件或整个笔记本。"]
    else:
        lines += ["", "最后一格会给出分数、各主题的得分，答错的题会给出解析和要重读的页面链接。"
                  "可以改了答案再交，答案不变时不算新的一次作答。"]

    lines += ["", "说明格、测验数据格和评分格已锁定，请不要修改：改动后评分会提示“被改动”，成绩无效。", "",
              f"测验编号：{quiz.quiz_id}（版本 {quiz.version}）"]
    return "\n".join(lines)


def _phone_line(quiz: Quiz, self_check_url: str | None) -> str:
    if quiz.mode == "certify":   # the practice page is another quiz: the phone version is the offline page
        where = "请向培训讲师要这次考核的网页文件（.html），在手机浏览器里打开作答"
    else:
        page = f"[知识库网站上的自测页]({self_check_url})" if self_check_url else "知识库网站上的“自测”页"
        where = f"请打开{page}答题，那里同样会给出成绩和要交给讲师的记录"
    return f"**用手机？** 手机屏幕放不下这个笔记本，{where}。"


def question_markdown(quiz: Quiz, index: int) -> str:
    question = quiz.questions[index]
    item = question.item
    lines = [f"### 第 {index + 1} 题 · {TYPE_LABELS[item.type]} · {TOPIC_NAMES[item.topic]}", "", mdtext.escape(item.stem), ""]
    if question.lefts:
        lines += [f"{number}\\. {mdtext.escape(left)}  " for number, left in enumerate(question.lefts, 1)] + [""]
    lines += [f"- **{LETTERS[i]}**. {mdtext.escape(option)}" for i, option in enumerate(question.options)]
    if item.type == "numeric" and item.unit and item.unit not in item.stem:
        lines += [f"（单位：{mdtext.escape(item.unit)}）"]
    return "\n".join(lines).rstrip() + "\n"


def answer_source(quiz: Quiz, index: int) -> str:
    item = quiz.questions[index].item
    unit = f"（单位：{item.unit}）" if item.type == "numeric" and item.unit else ""
    hint = ANSWER_HINTS[item.type] + unit
    return f'{answer_name(index, len(quiz.questions))} = ""  # {_comment(hint)}\n'


def _comment(text: str) -> str:
    return " ".join(text.split())   # one line: trainer units cannot open a new line of code


def render_notebook(quiz: Quiz, link_of, self_check_url: str | None = None, python_version: str | None = None) -> str:
    """Notebook JSON text; `link_of(content_id)` gives (title, url) of the page to reread;
    `self_check_url`, the role's self-check page on the published site, is offered to phone users;
    `python_version` (default: this Python's) is the kernel's the learners are expected to run."""
    payload = learner_payload(quiz, link_of)
    grading = grading_source()
    cells = [_markdown("intro", _intro(quiz, self_check_url)),
             _code("quiz-data", data_source(payload, quiz_seal(payload, grading)), {**LOCKED, "jupyter": {"source_hidden": True}}),
             _markdown("learner-text", "## 你的名字"),
             _code("learner", 'learner = ""  # 在引号里写上你的名字\n', {"deletable": False, "kb_quiz": {"cell": "learner"}})]
    for index, question in enumerate(quiz.questions):
        name = answer_name(index, len(quiz.questions))
        cells.append(_markdown(f"{name}-text", question_markdown(quiz, index)))
        cells.append(_code(name, answer_source(quiz, index), {"deletable": False, "kb_quiz": {"cell": "answer", "item": question.item.id}}))
    cells.append(_markdown("submit-text", "## 交卷\n\n" + RUN_ALL + "下面会显示"
                           + ("记录结果" if quiz.mode == "certify" else "成绩，答错的题会给出解析和要重读的页面")
                           + "，以及要发给培训讲师的内容。"))
    cells.append(_code("submit", grading, {**LOCKED, "jupyter": {"source_hidden": True}, "kb_quiz": {"cell": "submit"}}))
    notebook = nbformat.v4.new_notebook(cells=cells, metadata={
        "kernelspec": KERNELSPEC, "language_info": language_info(python_version or platform.python_version()),
        "kb_quiz": {"quiz_id": quiz.quiz_id, "quiz_version": quiz.version, "role": quiz.role_id, "mode": quiz.mode, "seed": quiz.seed}})
    nbformat.validate(notebook)
    return nbformat.writes(notebook) + "\n"


def _markdown(cell_id: str, source: str):
    return nbformat.v4.new_markdown_cell(source, id=cell_id, metadata=dict(LOCKED))


def _code(cell_id: str, source: str, metadata: dict):
    return nbformat.v4.new_code_cell(source, id=cell_id, metadata=metadata)
