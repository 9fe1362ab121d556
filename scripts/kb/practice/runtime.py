"""The drill notebooks' grading cell: feedback for each answered drill and the next review
scheduled with FSRS (the `fsrs` package, never a hand-written scheduler). kb.py pastes this
file's source into the notebook's last cell, so it may import only the standard library and fsrs.

The review state is kept beside the notebook in practice/<role>-review.json (card per drill id,
the same meaning as the drill pages' localStorage), so the next run shows what is due.
"""
import html
import json
from datetime import datetime, timezone
from pathlib import Path

LETTERS = "ABCDEFGH"
# Outcome -> FSRS rating (1 Again, 2 Hard, 3 Good): the same table as assets/drill.js.
RATINGS = {"right": 3, "wrong": 1, "会": 3, "模糊": 2, "不会": 1}


def scheduler():
    from fsrs import Scheduler
    return Scheduler(enable_fuzzing=False)


def review(saved, outcome, now):
    """The card after one review: `saved` is a card as a dict (or None for a new card)."""
    from fsrs import Card, Rating
    card = Card.from_dict(saved) if saved else Card(due=now)
    card, _ = scheduler().review_card(card, Rating(RATINGS[outcome]), now)
    return card.to_dict()


def due_ids(cards, now):
    """Ids of the cards due at `now`, most overdue first."""
    due = [(datetime.fromisoformat(card["due"]), drill_id) for drill_id, card in cards.items()]
    return [drill_id for when, drill_id in sorted(due) if when <= now]


def outcome_of(drill, answer):
    """"right"/"wrong" for a letter, the self-rating itself for 会/模糊/不会, None if unanswered."""
    text = str(answer or "").strip().upper()
    if text in ("会", "模糊", "不会"):
        return text
    if len(text) == 1 and text in LETTERS[:len(drill["choices"])]:
        return "right" if drill["choices"][LETTERS.index(text)]["correct"] else "wrong"
    return None


def _show(html_text, plain):
    try:
        from IPython.display import HTML, display
        display(HTML(html_text))
    except ImportError:
        print(plain)


def _feedback(drill, answer, outcome):
    e = html.escape
    steps = "".join(f"<li>{e(s)}</li>" for s in drill["steps"])
    if outcome in ("right", "wrong"):
        picked = drill["choices"][LETTERS.index(answer.strip().upper())]
        head = ("<b style='color:#1a7f37'>✓ 回得好</b>" if outcome == "right" else "<b style='color:#cf222e'>✗ 这样回不合适</b>")
        body = f"<p>{e(picked['why'])}</p>"
        if outcome == "wrong":
            body += f"<p><b>推荐回复</b>：{e(drill['reply'])}</p>"
    else:
        head, body = f"<b>自评：{e(outcome)}</b>", f"<p><b>参考回复</b>：{e(drill['reply'])}</p>"
    return (f"<div style='margin:0.5em 0;padding:0.4em 0.8em;border-left:4px solid #8c959f'>"
            f"<p>客户说：“{e(drill['customer'])}” · 你的答案：{e(answer)}</p>{head}{body}"
            f"<p><b>回应步骤</b></p><ol>{steps}</ol><a href='{e(drill['link'])}'>查看话术：{e(drill['title'])}</a></div>")


def finish_drills(namespace, folder="practice", now=None):
    """Grade the answered drills, schedule each with FSRS, save the state and show what is due."""
    drills, role = namespace["DRILLS"], namespace["ROLE"]
    now = now or datetime.now(timezone.utc)
    path = Path(folder) / f"{role}-review.json"
    state = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"role": role, "cards": {}, "log": []}
    shown, answered = [], 0
    for index, drill in enumerate(drills, 1):
        answer = namespace.get(f"对练_{index:02d}", "")
        outcome = outcome_of(drill, answer)
        if outcome is None:
            continue
        answered += 1
        state["cards"][drill["id"]] = review(state["cards"].get(drill["id"]), outcome, now)
        state["log"].append({"id": drill["id"], "outcome": outcome, "rating": RATINGS[outcome], "at": now.isoformat()})
        shown.append(_feedback(drill, str(answer), outcome))
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
    temporary.replace(path)
    mine = {d["id"]: d for d in drills}
    upcoming = sorted((card["due"], mine[i]["customer"]) for i, card in state["cards"].items() if i in mine)
    summary = f"本次练了 {answered} 张；复习安排存在 {path}。"
    lines = "".join(f"<li>{html.escape(due[:16].replace('T', ' '))} · “{html.escape(words)}”</li>" for due, words in upcoming[:10])
    _show("".join(shown) + f"<p><b>{html.escape(summary)}</b></p><p>接下来要复习（UTC 时间）：</p><ul>{lines}</ul>",
          summary)
    return state
