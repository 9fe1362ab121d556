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
    from .records import seal_record
except ImportError:   # in a notebook cell, records.py's source was pasted above this one
    pass

MAX_RESPONSE = 200
LETTER_TYPES = ("single", "multiple", "ordering", "matching")
TRUE_WORDS = {"t", "true", "y", "yes", "对", "正确", "是", "是的", "对的", "√", "✓", "✔"}
FALSE_WORDS = {"f", "false", "n", "no", "x", "错", "错误", "否", "不对", "不是", "×", "✗", "✘"}
TAMPERED = "检测到测验数据或评分代码被改动：本次成绩无效，没有保存记录。请重新获取原始测验文件后再做。"


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

def answer_name(index: int, count: int) -> str:
    """Variable of the index-th answer cell: q01, q02 … (q001 … for 100 questions or more)."""
    return f"q{index + 1:0{3 if count >= 100 else 2}d}"


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


# ---- the notebook's last cell ----

def _show(html_text: str, plain: str) -> None:
    try:
        from IPython.display import HTML, display
        display(HTML(html_text))
    except ImportError:
        print(plain)


def finish_quiz(namespace: dict):
    """Grade (practice) or just record (certify) the answers in the notebook; append the record."""
    quiz, seal = namespace.get("QUIZ"), namespace.get("QUIZ_SEAL")
    source = _running_cell_source(namespace)
    if not isinstance(quiz, dict) or source is None or seal != quiz_seal(quiz, source):
        _show(f"<p style='color:#b00020;font-weight:bold'>⚠ {html.escape(TAMPERED)}</p>", "⚠ " + TAMPERED)
        return None
    count = len(quiz["items"])
    entries = [grade_item(quiz, item, namespace.get(answer_name(index, count), ""))
               for index, item in enumerate(quiz["items"])]
    learner = str(namespace.get("learner") or "").strip()
    record = new_record(quiz, learner, entries, "notebook") if learner else None
    saved = _append_record(quiz, record) if record else None
    parts, plain = _report(quiz, entries)
    if record is None:
        note = "没有填写姓名，本次结果没有保存：在第一个代码格的引号里写上名字，再点“运行全部”。"
    else:
        note = f"记录已保存到 {saved}（作答编号 {record['attempt_id'][:8]}）。"
    parts.append(f"<p>{html.escape(note)}</p>")
    _show("\n".join(parts), plain + "\n" + note)
    return record


def _append_record(quiz: dict, record: dict) -> str:
    path = Path("results") / f"{quiz['role']}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return str(path)


def _report(quiz: dict, entries: list):
    """HTML parts and a plain-text version of the result."""
    if quiz["mode"] != "practice":
        text = f"已记录 {len(entries)} 题的答案。本次是考核，成绩由培训讲师评分后通知你。"
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
            link = f"<a href='{html.escape(item['url'], quote=True)}' target='_blank'>重读：{html.escape(item['title'])}</a>"
            parts.append(f"<li>第 {index + 1} 题：你的答案 {html.escape(answer)}。{html.escape(why)} {link}</li>")
            plain.append(f"第 {index + 1} 题：你的答案 {answer}。{why} 重读：{item['title']} {item['url']}")
        parts.append("</ol>")
    else:
        parts.append("<p>全部答对！</p>")
    return parts, "\n".join(plain)
