"""Spaced review and the 错题本 outside the browser: the FSRS schedule equals the libraries'
(Python fsrs and ts-fsrs run in node), the drill notebook executed with nbclient gives feedback
and saves the schedule, and `kb.py practice --learner` builds exactly the missed items, their
variants and the drills of the scripts behind them from the learner's imported attempts."""
from __future__ import annotations

import json
import subprocess
from datetime import datetime, timedelta, timezone

import nbformat
import pytest

from conftest import ROOT, make_project, run_kb

from kb.content import load_content
from kb.practice import runtime
from kb.practice.drills import all_drills
from kb.quiz.bank import load_bank
from kb.quiz.blueprint import item_pool
from kb.quiz.page import practice_quizzes
from kb.quiz.records import seal_record
from kb.review import published, today

START = datetime(2026, 11, 27, 8, 0, tzinfo=timezone.utc)
OUTCOMES = ["right", "right", "wrong", "模糊", "会", "right", "不会", "right"]
TS_FSRS = ROOT / "scripts" / "kb" / "practice" / "web" / "node_modules" / "ts-fsrs" / "dist" / "index.cjs"


def python_schedule():
    """(due, stability, difficulty, state) after each outcome, reviewing each card when it is due."""
    card, now, rows = None, START, []
    for outcome in OUTCOMES:
        card = runtime.review(card, outcome, now)
        now = datetime.fromisoformat(card["due"])
        rows.append((now.isoformat().replace("+00:00", "Z"), round(card["stability"], 6), round(card["difficulty"], 6), card["state"]))
    return rows


def test_schedule_is_the_fsrs_library(  ):
    """runtime.review is a thin call of the fsrs package with our rating table."""
    from fsrs import Card, Rating, Scheduler
    scheduler, card, now = Scheduler(enable_fuzzing=False), Card(due=START), START
    ours = python_schedule()
    for outcome, row in zip(OUTCOMES, ours):
        card, _ = scheduler.review_card(card, Rating({"right": 3, "wrong": 1, "会": 3, "模糊": 2, "不会": 1}[outcome]), now)
        now = card.due
        assert row == (now.isoformat().replace("+00:00", "Z"), round(card.stability, 6), round(card.difficulty, 6), card.state.value)


def test_ts_fsrs_in_node_gives_the_same_schedule():
    """The ts-fsrs the site ships (pinned in package-lock.json) and the Python fsrs agree."""
    ratings = [runtime.RATINGS[o] for o in OUTCOMES]
    script = f"""
const f = require({json.dumps(str(TS_FSRS))});
const s = f.fsrs(f.generatorParameters({{enable_fuzz: false}}));
let now = new Date({json.dumps(START.isoformat())}), card = f.createEmptyCard(now), rows = [];
for (const r of {json.dumps(ratings)}) {{
  card = s.next(card, now, r).card; now = card.due;
  rows.push([now.toISOString().replace('.000Z', 'Z'), Number(card.stability.toFixed(6)), Number(card.difficulty.toFixed(6)), card.state]);
}}
console.log(JSON.stringify(rows));"""
    result = subprocess.run(["node", "-e", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert [tuple(row) for row in json.loads(result.stdout)] == python_schedule()


def test_due_ids_most_overdue_first():
    cards = {"a": {"due": (START - timedelta(days=1)).isoformat()}, "b": {"due": (START - timedelta(days=3)).isoformat()},
             "c": {"due": (START + timedelta(hours=1)).isoformat()}}
    assert runtime.due_ids(cards, START) == ["b", "a"]


def test_drill_notebook_gives_feedback_and_saves_the_schedule(tmp_path):
    from nbclient import NotebookClient
    project = make_project(tmp_path / "project")
    result = run_kb(project, "practice", "--role", "sales")
    assert result.returncode == 0, result.stderr
    path = project / "quizzes" / "drills" / "sales__objection.ipynb"
    for written in sorted((project / "quizzes" / "drills").glob("*.ipynb")):
        nbformat.validate(nbformat.read(written, as_version=4))          # raises on an invalid notebook
    notebook = nbformat.read(path, as_version=4)
    drills = {d.id: d for d in all_drills(published(load_content(project), today()))}
    answers = {}
    for cell in notebook.cells:
        meta = cell.metadata.get("kb_drill", {})
        if meta.get("cell") == "answer" and len(answers) < 3:
            drill = drills[meta["drill"]]
            letter = "ABCD"[[c.correct for c in drill.choices].index(len(answers) != 1)]
            answers[drill.id] = letter if len(answers) < 2 else "模糊"
            cell.source = f'{cell.source.split(" =")[0]} = "{answers[drill.id]}"\n'
    NotebookClient(notebook, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(tmp_path)}}).execute()
    output = "".join(o.get("data", {}).get("text/html", "") for o in notebook.cells[-1].outputs)
    first, second, third = (drills[i] for i in answers)
    assert "✓ 回得好" in output and "✗ 这样回不合适" in output and "自评：模糊" in output
    wrong = next(c for c in second.choices if not c.correct and c.text == second.choices["ABCD".index(answers[second.id])].text)
    assert wrong.why.replace("“", "") in output.replace("“", "")
    state = json.loads((tmp_path / "practice" / "sales-review.json").read_text(encoding="utf-8"))
    assert sorted(state["cards"]) == sorted(answers)
    assert [e["rating"] for e in state["log"]] == [3, 1, 2]


def attempt(items, wrong_ids, when, n, learner="张三", version=""):
    entries = [{"item_id": q.item.id, "topic": q.item.topic, "content_id": q.item.content_id,
                "response": "Z" if q.item.id in wrong_ids else q.key, "correct": q.item.id not in wrong_ids} for q in items]
    right = sum(e["correct"] for e in entries)
    return seal_record({"record_version": 1, "attempt_id": f"{n:08x}-1111-4222-8333-444455556666", "learner": learner,
                        "role": "sales", "quiz_id": "sales", "quiz_version": version, "seed": 0, "mode": "practice", "source": "web",
                        "submitted_at": when, "pass_mark": 70, "score": round(100 * right / len(entries), 1),
                        "passed": 100 * right / len(entries) >= 70, "items": entries})


def test_mistakes_hold_exactly_the_missed_items_and_their_drills(tmp_path):
    project = make_project(tmp_path / "project")
    everything = load_content(project)
    content = published(everything, today())
    [quiz] = [q for q in practice_quizzes(content, load_bank(project, everything)) if q.role_id == "sales"]
    questions = list(quiz.questions)
    scripts_asked = [q for q in questions if q.item.topic == "scripts"]
    other = [q for q in questions if q.item.topic != "scripts"]
    first_wrong = {scripts_asked[0].item.id, scripts_asked[1].item.id, other[0].item.id}
    later_wrong = {scripts_asked[1].item.id, other[1].item.id}       # scripts_asked[0] and other[0] now right
    records = [attempt(questions, first_wrong, "2026-11-20T10:00:00+08:00", 1, version=quiz.version),
               attempt(questions, later_wrong, "2026-11-25T10:00:00+08:00", 2, version=quiz.version),
               attempt(questions, {q.item.id for q in questions}, "2026-11-26T10:00:00+08:00", 3, learner="李四", version=quiz.version)]
    fixture = tmp_path / "attempts.jsonl"
    fixture.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    imported = run_kb(project, "results", "import", str(fixture))
    assert imported.returncode == 0, imported.stdout + imported.stderr

    result = run_kb(project, "practice", "--learner", "张三")
    assert result.returncode == 0, result.stderr
    notebook = nbformat.read(project / "quizzes" / "practice" / "张三.ipynb", as_version=4)
    data_cell = next(c for c in notebook.cells if c.get("id") == "quiz-data")
    payload = json.loads(data_cell.source.split('r"""', 1)[1].split('"""', 1)[0])
    asked = [item["id"] for item in payload["items"]]
    missed = [q.item.id for q in questions if q.item.id in later_wrong]
    assert sorted(asked[:2]) == sorted(missed)                          # exactly the items still missed
    pool = {i.id: i for i in item_pool(content, load_bank(project, everything))}
    variants = asked[2:]
    assert variants and not set(variants) & set(missed)
    assert all(pool[v].content_id in {pool[m].content_id for m in missed} for v in variants)

    script_id = scripts_asked[1].item.content_id
    behind = {script_id} | set(content.items[other[1].item.content_id].data.get("related_scripts") or [])
    drills_nb = nbformat.read(project / "quizzes" / "practice" / "张三-drills.ipynb", as_version=4)
    drill_ids = [c.metadata["kb_drill"]["drill"] for c in drills_nb.cells if c.metadata.get("kb_drill", {}).get("cell") == "answer"]
    assert sorted(drill_ids) == sorted(d.id for d in all_drills(content) if d.script_id in behind)
    assert "2 missed question(s)" in result.stdout


def test_unknown_learner_is_a_clear_error(tmp_path):
    project = make_project(tmp_path / "project")
    result = run_kb(project, "practice", "--learner", "没有这个人")
    assert result.returncode == 1
    assert "expected quiz attempts of '没有这个人', received none" in result.stderr
    assert not (project / "quizzes" / "practice").exists()


def test_a_case_becomes_a_drill_of_the_script_its_team_used():
    content = published(load_content(ROOT), today())
    drills = all_drills(content)
    from_cases = [d for d in drills if d.case_id]
    cases_with_scripts = [c for c in content.of_kind("case")
                          if any(ref in content.items and content.items[ref].kind == "script" for ref in c.data.get("related_scripts") or [])]
    assert len(from_cases) == len(cases_with_scripts) > 0
    for drill in from_cases:
        case = content.items[drill.case_id]
        assert drill.customer == case.data["situation"] and drill.script_id in case.data["related_scripts"]
        [right] = [c for c in drill.choices if c.correct]
        assert right.text == content.items[drill.script_id].data["response"]["text"] and case.data["lessons"][0] in right.why
        assert len(drill.choices) >= 2 and len({c.text for c in drill.choices}) == len(drill.choices)
