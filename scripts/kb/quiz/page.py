"""Pure renderers of the quiz as a web page that grades itself offline in the browser.

The HTML is written here, by the project: every trainer text goes through `esc` (html.escape,
plus backticks so no text can close the MyST fence around it). The quiz data sits in an
attribute as escaped JSON; assets/quiz.js is inlined so the page works from file:// too.
"""
from __future__ import annotations

import html
import json
import posixpath
import re
from pathlib import Path

from .. import mdtext
from ..pages import GENERATED_DIR, TOPIC_NAMES, anchor, page_of
from .model import LETTERS, TYPE_LABELS, Quiz
from .payload import learner_payload
from .runtime import answer_name

ASSETS = Path(__file__).parent / "assets"
QUIZ_PAGES = f"{GENERATED_DIR}/quizzes"
STYLE = """
.kb-quiz fieldset.kb-q { border: 1px solid #d0d7de; border-radius: 6px; margin: 1rem 0; padding: 0.5rem 1rem; }
.kb-quiz legend { font-weight: bold; font-size: 0.95rem; padding: 0 0.3rem; }
.kb-quiz label.kb-q-option { display: block; padding: 0.45rem 0; cursor: pointer; }
.kb-quiz input[type=text] { font-size: 1rem; padding: 0.3rem; max-width: 100%; }
.kb-quiz .kb-q-right { border-color: #1a7f37; }
.kb-quiz .kb-q-wrong { border-color: #cf222e; }
.kb-quiz .kb-q-feedback { margin-top: 0.5rem; }
.kb-quiz button, .kb-quiz .kb-quiz-download { font-size: 1rem; padding: 0.4rem 1rem; margin: 0.3rem 0.5rem 0.3rem 0; }
.kb-quiz .kb-quiz-score { font-size: 1.2rem; font-weight: bold; }
.kb-quiz .kb-quiz-record-text { width: 100%; font-size: 0.9rem; }
.kb-quiz fieldset.kb-q-right { border: 2px solid #1a7f37; border-left-width: 6px; background: #f0fff4; }
.kb-quiz fieldset.kb-q-wrong { border: 2px solid #cf222e; border-left-width: 6px; background: #fff5f5; }
.kb-quiz .kb-q-mark { font-weight: bold; margin-right: 0.3rem; }
.kb-quiz .kb-q-right .kb-q-mark, .kb-quiz .kb-q-right .kb-q-feedback strong { color: #1a7f37; }
.kb-quiz .kb-q-wrong .kb-q-mark, .kb-quiz .kb-q-wrong .kb-q-feedback strong { color: #cf222e; }
.kb-quiz .kb-q-slot { display: flex; flex-wrap: wrap; align-items: center; gap: 0.4rem; margin: 0.5rem 0; }
.kb-quiz .kb-q-slot-name { min-width: 4.5rem; }
.kb-quiz label.kb-q-chip { display: inline-block; cursor: pointer; }
.kb-quiz label.kb-q-chip input { position: absolute; opacity: 0; width: 1px; height: 1px; }
.kb-quiz label.kb-q-chip span { display: inline-block; min-width: 2.75rem; min-height: 2.75rem; line-height: 2.75rem; text-align: center;
  border: 1px solid #8c959f; border-radius: 8px; background: #f6f8fa; font-weight: bold; }
.kb-quiz label.kb-q-chip input:checked + span { background: #0969da; border-color: #0969da; color: #fff; }
.kb-quiz label.kb-q-chip input:focus-visible + span { outline: 2px solid #0969da; outline-offset: 2px; }
.kb-quiz .kb-quiz-reread { border-left: 5px solid #cf222e; padding: 0.3rem 0.8rem; background: #fff5f5; }
.kb-quiz .kb-quiz-practice { border-left: 5px solid #0969da; padding: 0.3rem 0.8rem; background: #f6f8fa; }
""".strip()


def esc(text) -> str:
    """Trainer text as HTML text (and no backticks, which could close the MyST fence)."""
    return html.escape(str(text), quote=True).replace("`", "&#96;")


def _script() -> str:
    source = (ASSETS / "quiz.js").read_text(encoding="utf-8")
    assert "</script" not in source.lower() and "`" not in source
    return source


def _inputs(quiz: Quiz, index: int) -> list[str]:
    question = quiz.questions[index]
    item = question.item
    name = answer_name(index, len(quiz.questions))
    if item.type in ("single", "multiple"):
        kind = "radio" if item.type == "single" else "checkbox"
        return [f'<label class="kb-q-option"><input type="{kind}" name="{name}" value="{LETTERS[i]}"> <b>{LETTERS[i]}</b>. {esc(option)}</label>'
                for i, option in enumerate(question.options)]
    if item.type == "true_false":
        return [f'<label class="kb-q-option"><input type="radio" name="{name}" value="{value}"> {label}</label>'
                for value, label in (("T", "对"), ("F", "错"))]
    lines = []
    if question.lefts:
        lines.append('<ol class="kb-q-lefts">' + "".join(f"<li>{esc(left)}</li>" for left in question.lefts) + "</ol>")
    if question.options:
        lines.append('<ul class="kb-q-options">' + "".join(f"<li><b>{LETTERS[i]}</b>. {esc(option)}</li>"
                                                           for i, option in enumerate(question.options)) + "</ul>")
    if item.type == "numeric":
        unit = f" {esc(item.unit)}" if item.unit else ""
        lines.append(f'<label>答案：<input type="text" name="{name}" inputmode="decimal" autocomplete="off">{unit}</label>')
    else:
        lines += _tap_slots(question, name)
    return lines


def _tap_slots(question, name: str) -> list[str]:
    """Ordering and matching answered by tapping: one row of letter chips per step (ordering) or
    per left-hand item (matching); the checked letters read in row order make the answer."""
    letters = LETTERS[:len(question.options)]
    if question.item.type == "ordering":
        hint = '<p class="kb-q-hint">每一步点一个字母，按先后顺序排好。</p>'
        rows = [f"第 {k} 步" for k in range(1, len(question.options) + 1)]
    else:
        hint = '<p class="kb-q-hint">给左边每一项点选右边对应的字母。</p>'
        rows = [f"{k}." for k in range(1, len(question.lefts) + 1)]
    out = [hint]
    for k, row in enumerate(rows, 1):
        chips = "".join(f'<label class="kb-q-chip"><input type="radio" name="{name}-{k}" value="{letter}" aria-label="{row} 选 {letter}">'
                        f"<span>{letter}</span></label>" for letter in letters)
        out.append(f'<div class="kb-q-slot" role="radiogroup" aria-label="{row}"><span class="kb-q-slot-name">{row}</span>{chips}</div>')
    return out


def quiz_html(quiz: Quiz, link_of, practice: dict | None = None) -> str:
    """The quiz as a self-contained HTML fragment (form, style, data and script). `practice`:
    content id -> [[title, url] …] of drill sets to practise after missing a question about it."""
    data = json.dumps(learner_payload(quiz, link_of), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    button = "提交答案" if quiz.mode == "certify" else "提交并查看成绩"
    drills = f' data-practice="{esc(json.dumps(practice, ensure_ascii=False, sort_keys=True, separators=(",", ":")))}"' if practice else ""
    parts = [f'<div class="kb-quiz" data-quiz="{esc(data)}"{drills}>', f"<style>{STYLE}</style>",
             "<noscript><p>这个自测页需要浏览器开启 JavaScript。</p></noscript>",
             '<form class="kb-quiz-form" autocomplete="off">',
             '<p class="kb-quiz-learner"><label>你的名字：<input type="text" name="learner" maxlength="60"></label></p>']
    for index, question in enumerate(quiz.questions):
        item = question.item
        parts.append(f'<fieldset class="kb-q" data-item="{esc(item.id)}" data-type="{item.type}">')
        parts.append(f"<legend>第 {index + 1} 题 · {TYPE_LABELS[item.type]} · {esc(TOPIC_NAMES[item.topic])}</legend>")
        parts.append(f'<p class="kb-q-stem">{esc(item.stem)}</p>')
        parts += _inputs(quiz, index)
        parts.append('<div class="kb-q-feedback" hidden></div>')
        parts.append("</fieldset>")
    parts += [f'<button type="submit" class="kb-quiz-submit">{button}</button>', "</form>",
              '<div class="kb-quiz-result" aria-live="polite" hidden></div>', "</div>",
              f"<script>\n{_script()}</script>"]
    return "\n".join(parts)


def page_links(content, from_dir: str = QUIZ_PAGES):
    """link_of for pages under `from_dir`: relative links to the item's section on the site."""
    def link_of(content_id: str) -> tuple[str, str]:
        item = content.items[content_id]
        target = posixpath.relpath(page_of(item, content) + ".html", from_dir)
        return item.title, f"{target}#{anchor(content_id)}"
    return link_of


def raw_html_block(fragment: str) -> mdtext.Raw:
    """A MyST raw-HTML directive whose fence no line of the fragment can close."""
    longest = max((len(run) for run in re.findall(r"`+", fragment)), default=0)
    fence = "`" * max(3, longest + 1)
    return mdtext.Raw(f"{fence}{{raw}} html\n{fragment}\n{fence}")


def standalone_html(quiz: Quiz, link_of) -> str:
    """A whole HTML file (certification mode hands it out by itself, outside the site)."""
    title = esc(f"{quiz.role_name} · 岗位{'考核' if quiz.mode == 'certify' else '测验'}")
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{title}</title>\n</head>\n<body>\n<h1>{title}</h1>\n"
            f"<p>共 {len(quiz.questions)} 题。写上名字，答完后点“提交答案”，再把成绩记录复制或下载下来交给培训讲师。</p>\n"
            f"<p>测验编号：{esc(quiz.quiz_id)}（版本 {esc(quiz.version)}）</p>\n"
            f"{quiz_html(quiz, link_of)}\n</body>\n</html>\n")


def practice_quizzes(content, bank: list) -> list[Quiz]:
    """Seed-0 practice quiz of every role (the one on the site and in quizzes/<role>.ipynb)."""
    from ..problems import ContentError
    from .blueprint import build_quiz, item_pool
    items = item_pool(content, bank)
    quizzes, problems = [], []
    for role in content.of_kind("role"):
        quiz, found = build_quiz(content, items, role)
        problems += found
        if quiz is not None:
            quizzes.append(quiz)
    if any(problem.severity == "error" for problem in problems):
        raise ContentError(problems)
    return quizzes


def render_selfcheck_pages(content, bank: list, env, context: dict) -> dict[str, str]:
    """book/kb/quizzes/<role>.md for each role and an index page (MyST text)."""
    from ..practice.page import practice_links
    pages = {}
    link_of = page_links(content)
    listed = []
    for quiz in practice_quizzes(content, bank):
        role = content.items[quiz.role_id]
        pages[f"{QUIZ_PAGES}/{role.id}.md"] = env.get_template("quiz_page.md.j2").render(
            role=role, count=len(quiz.questions), pass_mark=quiz.pass_mark,
            quiz_block=raw_html_block(quiz_html(quiz, link_of, practice_links(content, quiz, QUIZ_PAGES))), **context)
        listed.append((role, len(quiz.questions), quiz.pass_mark))
    pages[f"{QUIZ_PAGES}/index.md"] = env.get_template("quiz_index.md.j2").render(quizzes=listed, **context)
    return pages
