"""What runs where the learner is: answer normalisation, hashing, grading, the result record.

Standard library only. A quiz notebook's grading cell is the source of records.py followed by
this file's source, so a notebook runs with nothing but Python and Jupyter. The self-check
pages do the same in JavaScript (assets/quiz.js); tests check both give identical results.

Answers are compared as salted hashes: sha256(salt + item_id + normalised answer).
"""
import base64
import datetime
import hashlib
import html
import json
import re
import unicodedata
import uuid
from pathlib import Path

try:
    from .answers import LEARNER, answer_name, assignments, read_cell
    from .records import seal_record
except ImportError:   # in a notebook: answers.py is in the data cell, records.py above this code
    pass

MAX_RESPONSE = 200
LETTER_TYPES = ("single", "multiple", "ordering", "matching")
TRUE_WORDS = {"t", "true", "y", "yes", "对", "正确", "是", "是的", "对的", "√", "✓", "✔"}
FALSE_WORDS = {"f", "false", "n", "no", "x", "错", "错误", "否", "不对", "不是", "×", "✗", "✘"}
TAMPERED = "检测到测验数据或评分代码被改动：本次成绩无效，没有保存记录。请重新获取原始测验文件后再做。"
RUN_ALL = "请点菜单“运行 → 运行全部单元格”（Run → Run All Cells）交卷。"
MISSING_DATA = "还没有读到测验数据（可能刚重启过内核，或只运行了这一格）：没有评分。" + RUN_ALL
NOT_A_FULL_RUN = ("只运行了部分单元格：屏幕上的答案可能还没有读进来，为了不按旧答案评分，这次没有评分、没有保存。"
                  + RUN_ALL)
NO_NAME = "没有填写姓名，本次结果没有保存：在“你的名字”下面那一格的引号里写上名字，再点菜单“运行 → 运行全部单元格”。"
SUBMIT_CELL = "submit"
TRAINER = "培训讲师"


# ---- normalisation and hashing (mirrored in assets/quiz.js) ----

def canonical_number(text: str) -> str:
    """First number in the text as a canonical decimal: ' 24.0 小时' -> '24', '50,000' -> '50000'."""
    text = re.sub(r"[ \t\n\r\f\v,，]", "", text)
    match = re.search(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", text)
    if not match:
        return ""
    number = match.group()
    negative = number.startswith("-")
    whole, _, fraction = number.lstrip("-").partition(".")
    out = (whole.lstrip("0") or "0") + ("." + fraction.rstrip("0") if fraction.rstrip("0") else "")
    return "-" + out if negative and out != "0" else out


def normalize(kind: str, value) -> str:
    """A typed answer as compared and recorded: 'b' -> 'B', 'c, a' -> 'AC' (multiple), '对' -> 'T'.

    Returns '' for no usable answer."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        value = "".join(str(part) for part in value)
    text = unicodedata.normalize("NFKC", str(value))
    if kind in LETTER_TYPES:
        letters = "".join(ch for ch in text if ch.isascii() and ch.isalpha()).upper()
        if kind == "multiple":
            letters = "".join(sorted(set(letters)))
        return letters[:MAX_RESPONSE]
    if kind == "true_false":
        word = re.sub(r"[ \t\n\r\f\v.。!！,，、]", "", text).lower()
        return "T" if word in TRUE_WORDS else "F" if word in FALSE_WORDS else ""
    if kind == "numeric":
        return canonical_number(text)[:MAX_RESPONSE]
    return ""


def answer_hash(salt: str, item_id: str, normalized: str) -> str:
    return hashlib.sha256((salt + item_id + normalized).encode("utf-8")).hexdigest()


def _keystream(salt: str, item_id: str, length: int) -> bytes:
    out, counter = b"", 0
    while len(out) < length:
        out += hashlib.sha256(f"{salt}|{item_id}|{counter}".encode("utf-8")).digest()
        counter += 1
    return out[:length]


def encode_text(salt: str, item_id: str, text: str) -> str:
    """Explanations are stored encoded so the file does not show them (they often name the answer)."""
    data = text.encode("utf-8")
    return base64.b64encode(bytes(a ^ b for a, b in zip(data, _keystream(salt, item_id, len(data))))).decode("ascii")


def decode_text(salt: str, item_id: str, encoded: str) -> str:
    data = base64.b64decode(encoded)
    return bytes(a ^ b for a, b in zip(data, _keystream(salt, item_id, len(data)))).decode("utf-8")


# ---- grading ----

def grade_item(quiz: dict, item: dict, value) -> dict:
    """The record entry of one answer; 'correct' only when the quiz carries a key."""
    response = normalize(item["type"], value)
    entry = {"item_id": item["id"], "topic": item["topic"], "content_id": item["content_id"], "response": response}
    if quiz["mode"] == "practice":
        entry["correct"] = bool(response) and answer_hash(quiz["salt"], item["id"], response) in item["hashes"]
    return entry


def score_tenths(entries: list) -> int:
    """Score in tenths of a percent, rounded half up with integers (JavaScript does the same)."""
    right = sum(1 for entry in entries if entry.get("correct"))
    return (2000 * right + len(entries)) // (2 * len(entries)) if entries else 0


def score_value(tenths: int):
    return tenths // 10 if tenths % 10 == 0 else tenths / 10


def new_record(quiz: dict, learner: str, entries: list, source: str, submitted_at=None, attempt_id=None) -> dict:
    record = {
        "record_version": 1,
        "attempt_id": attempt_id or str(uuid.uuid4()),
        "learner": learner.strip()[:60],
        "role": quiz["role"], "quiz_id": quiz["quiz_id"], "quiz_version": quiz["quiz_version"],
        "seed": quiz["seed"], "mode": quiz["mode"], "source": source,
        "submitted_at": submitted_at or datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "pass_mark": quiz["pass_mark"],
        "items": entries,
    }
    if all("correct" in entry for entry in entries):
        tenths = score_tenths(entries)
        record["score"] = score_value(tenths)
        record["passed"] = tenths >= quiz["pass_mark"] * 10
    return seal_record(record)


def topic_breakdown(quiz: dict, entries: list) -> list:
    """[(topic label, right, total)] in the order topics first appear."""
    totals = {}
    for entry in entries:
        right, total = totals.get(entry["topic"], (0, 0))
        totals[entry["topic"]] = (right + bool(entry.get("correct")), total + 1)
    return [(quiz["topic_names"].get(topic, topic), right, total) for topic, (right, total) in totals.items()]


# ---- tamper evidence ----

def _clean_source(source: str) -> str:
    return "\n".join(line.rstrip() for line in source.replace("\r\n", "\n").split("\n")).strip()


def quiz_seal(quiz: dict, grading_source: str) -> str:
    """Digest of the quiz data and the grading cell; the key cell stores it as QUIZ_SEAL."""
    data = json.dumps(quiz, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((data + "\n" + _clean_source(grading_source)).encode("utf-8")).hexdigest()


def _running_cell_source(namespace: dict):
    """Source of the cell being executed, from IPython's input history (None outside IPython)."""
    shell = namespace.get("get_ipython")
    try:
        raw = shell().history_manager.input_hist_raw
        if raw:
            return raw[-1]
    except Exception:   # not IPython: fall back to the In list, if any
        pass
    inputs = namespace.get("In")
    return inputs[-1] if isinstance(inputs, list) and inputs else None



# ---- reading the answers (the cells' text, logged by answers.watch_answer_cells) ----

def read_answers(quiz: dict, namespace: dict):
    """({learner / q01 …: text}, None), or (None, message) when the answer cells did not all run,
    in order, once each, since the data cell (the grading would not see what is on screen)."""
    count = len(quiz["items"])
    names = [LEARNER] + [answer_name(index, count) for index in range(count)]
    runs = namespace.get("QUIZ_RUNS")
    if not isinstance(runs, list) or not runs:    # no IPython hooks: the variables as they are
        return {name: namespace.get(name, "") for name in names}, None
    if any(cell in names for cell, _ in runs):    # the frontend sends cell ids (Lab, Notebook 7, nbclient)
        ours = [cell for cell, _ in runs if cell in names or cell == SUBMIT_CELL]
        if ours != names + [SUBMIT_CELL]:
            return None, NOT_A_FULL_RUN
        texts = {cell: text for cell, text in runs if cell in names}
        return {name: read_cell(texts[name], name, count) for name in names}, None
    earlier = [text for _, text in runs[:-1]]     # no cell ids: the answer lines, in run order
    found = [hit for text in earlier for hit in assignments(text, count) if hit[0] in names]
    order = [names.index(name) for name, _ in found]
    if any("finish_quiz(" in text for text in earlier) or order != sorted(set(order)):
        return None, NOT_A_FULL_RUN
    return {name: "" for name in names} | dict(found), None


def unreadable_lines(quiz: dict, answers: dict, entries: list) -> list:
    """One line per answer that was written but cannot be read as an answer of its type."""
    lines = []
    for index, entry in enumerate(entries):
        typed = str(answers.get(answer_name(index, len(entries))) or "").strip()
        if typed and not entry["response"]:
            shown = typed if len(typed) <= 20 else typed[:20] + "…"
            lines.append(f"第 {index + 1} 题：没能读懂你写的“{shown}”，这题按未作答计分（答题格里的提示写着这道题怎么写）。")
    return lines


# ---- the notebook's last cell ----

def _show(html_text: str, plain: str) -> None:
    try:
        from IPython.display import HTML, display
        display(HTML(html_text))
    except ImportError:
        print(plain)


def _warning(text: str) -> None:
    _show(f"<p style='color:#b00020;font-weight:bold'>⚠ {html.escape(text)}</p>", "⚠ " + text)


def finish_quiz(namespace: dict) -> None:
    """Grade (practice) or just record (certify) the answers on screen; save the record once per
    distinct set of answers and show what to hand in. Returns nothing (no Out[n] in the notebook)."""
    quiz, seal = namespace.get("QUIZ"), namespace.get("QUIZ_SEAL")
    if "QUIZ" not in namespace:
        return _warning(MISSING_DATA)
    source = _running_cell_source(namespace)
    if not isinstance(quiz, dict) or source is None or seal != quiz_seal(quiz, source):
        return _warning(TAMPERED)
    answers, problem = read_answers(quiz, namespace)
    if problem:
        return _warning(problem)
    count = len(quiz["items"])
    entries = [grade_item(quiz, item, answers.get(answer_name(index, count), ""))
               for index, item in enumerate(quiz["items"])]
    parts, plain = _report(quiz, entries)
    unreadable = unreadable_lines(quiz, answers, entries)
    if unreadable:
        parts.insert(1, "<ul style='color:#b00020'>" + "".join(f"<li>{html.escape(line)}</li>" for line in unreadable) + "</ul>")
        plain = "\n".join([plain] + unreadable)
    learner = str(answers.get(LEARNER) or "").strip()
    if learner:
        record, path, repeated = save_attempt(quiz, new_record(quiz, learner, entries, "notebook"))
        box, box_plain = hand_in(quiz, record, path, repeated)
    else:
        box, box_plain = f"<p style='color:#b00020'>{html.escape(NO_NAME)}</p>", NO_NAME
    parts.insert(2 if unreadable else 1, box)
    _show("\n".join(parts), plain + "\n" + box_plain)


# ---- saving and handing in ----

def _answers_of(record: dict) -> list:
    return [(entry["item_id"], entry["response"]) for entry in record["items"]]


def _same_attempt(one: dict, other: dict) -> bool:
    keys = ("learner", "quiz_id", "quiz_version", "mode")
    return all(one.get(key) == other.get(key) for key in keys) and _answers_of(one) == _answers_of(other)


def attempt_file(record: dict) -> str:
    """results/<quiz id>-<name>-<date>-<time>.jsonl: whose attempt it is, readable in a chat."""
    name = re.sub(r"[^\w\u4e00-\u9fff]+", "_", unicodedata.normalize("NFKC", record["learner"])).strip("_")[:30] or "learner"
    when = re.sub(r"[^0-9T]", "", record["submitted_at"][:19]).replace("T", "-")
    return f"results/{record['quiz_id']}-{name}-{when}.jsonl"


def save_attempt(quiz: dict, record: dict, folder: Path = Path(".")):
    """(record, path, repeated): an attempt with the same learner and answers as a saved one is
    not a new attempt (its record and file are reused); a new one gets a file of its own."""
    for path in sorted((folder / "results").glob(f"{quiz['quiz_id']}-*.jsonl")):
        try:
            saved = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        except (OSError, ValueError):
            continue
        for old in saved:
            if isinstance(old, dict) and isinstance(old.get("items"), list) and _same_attempt(old, record):
                return old, path.relative_to(folder).as_posix(), True
    first = folder / attempt_file(record)
    first.parent.mkdir(parents=True, exist_ok=True)
    for number in range(1, 1000):
        path = first if number == 1 else first.with_name(f"{first.stem}-{number}{first.suffix}")
        try:
            with path.open("x", encoding="utf-8") as handle:   # never overwrite another attempt
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            return record, path.relative_to(folder).as_posix(), False
        except FileExistsError:
            continue
    raise FileExistsError(first)


def chat_text(quiz: dict, record: dict, file_name: str) -> str:
    """The short message the learner pastes into WeChat for the trainer."""
    kind = "考核" if quiz["mode"] == "certify" else "测验"
    when = record["submitted_at"][:16].replace("T", " ")
    if "score" in record:
        result = f"成绩 {record['score']} 分（及格线 {record['pass_mark']} 分），{'通过' if record['passed'] else '未通过'}"
    else:
        result = f"已作答 {len(record['items'])} 题，等待讲师评分"
    return (f"【{quiz.get('role_name', quiz['role'])}{kind}】{record['learner']}\n{result}\n"
            f"交卷时间 {when}，作答编号 {record['attempt_id'][:8]}\n"
            f"记录文件 {file_name} 随后发送")


def hand_in(quiz: dict, record: dict, path: str, repeated: bool):
    """HTML box and plain text: what to send to the trainer, and how."""
    file_name = path.rsplit("/", 1)[-1]
    text = chat_text(quiz, record, file_name)
    again = "这次的答案和之前交过的一样，不算新的一次作答；沿用同一个记录文件。" if repeated else ""
    steps = [f"复制下面这段文字（点进框里，按 Ctrl+A 全选、Ctrl+C 复制），在微信里发给{TRAINER}。",
             f"再把记录文件 {path} 发给{TRAINER}：在左边的文件列表里（Notebook 7 在文件页）打开 results 文件夹，"
             f"右键点这个文件 → “下载”，再在微信里作为文件发送。"]
    parts = ["<div style='border:2px solid #2e7d32;border-radius:6px;padding:8px 12px;margin:8px 0'>",
             f"<h4>交给{TRAINER}</h4>",
             f"<p>{html.escape(again)}</p>" if again else "",
             f"<ol><li>{html.escape(steps[0])}</li></ol>",
             f"<textarea readonly rows='{text.count(chr(10)) + 2}' style='width:100%;max-width:40em;font-size:14px'>{html.escape(text)}</textarea>",
             f"<ol start='2'><li>{html.escape(steps[1])}</li></ol>",
             "</div>"]
    plain = "\n".join([f"交给{TRAINER}：", again, "1. " + steps[0], text, "2. " + steps[1]])
    return "".join(parts), plain


def _report(quiz: dict, entries: list):
    """HTML parts and a plain-text version of the result."""
    if quiz["mode"] != "practice":
        text = f"已记录 {len(entries)} 题的答案。本次是考核，成绩由{TRAINER}评分后通知你。"
        return [f"<h3>{html.escape(text)}</h3>"], text
    tenths = score_tenths(entries)
    passed = tenths >= quiz["pass_mark"] * 10
    verdict = "通过 ✓" if passed else "未通过 ✗"
    head = f"成绩：{score_value(tenths)} 分（及格线 {quiz['pass_mark']} 分）{verdict}"
    parts = [f"<h3>{html.escape(head)}</h3>", "<table><tr><th>主题</th><th>答对</th><th>题数</th></tr>"]
    plain = [head]
    for label, right, total in topic_breakdown(quiz, entries):
        parts.append(f"<tr><td>{html.escape(label)}</td><td>{right}</td><td>{total}</td></tr>")
        plain.append(f"  {label}: {right}/{total}")
    parts.append("</table>")
    wrong = [(index, item, entry) for index, (item, entry) in enumerate(zip(quiz["items"], entries)) if not entry["correct"]]
    if wrong:
        parts.append("<h4>需要复习的题目</h4><ol>")
        for index, item, entry in wrong:
            answer = entry["response"] or "（未作答）"
            why = decode_text(quiz["salt"], item["id"], item["explain"])
            link = f"<a href='{html.escape(item['url'], quote=True)}' target='_blank' rel='noopener'>重读：{html.escape(item['title'])}</a>"
            parts.append(f"<li>第 {index + 1} 题：你的答案 {html.escape(answer)}。{html.escape(why)} {link}</li>")
            plain.append(f"第 {index + 1} 题：你的答案 {answer}。{why} 重读：{item['title']} {item['url']}")
        parts.append("</ol>")
    else:
        parts.append("<p>全部答对！</p>")
    return parts, "\n".join(plain)
