"""Drills (对练) from the approved scripts: pure, content in, plain data out.

A drill shows one thing a customer says (one of the script's `customer_says`) and asks for the
reply to send. The choices are the approved response and plausible wrong ones: the script's
`avoid` lines (their `why` is the feedback) and the approved replies of neighbouring scripts of
the same stage (right for another situation, wrong here). The same drill serves the speaking
mode: the rep answers in their own words, then compares with the model reply and its steps.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from ..model import STAGES, Content, Item
from ..quiz.derive import _roles_of, approved
from ..quiz.model import text_key

WRONG_CHOICES = 3        # wrong replies next to the right one
NEIGHBOURS = 4           # scripts of the same stage, on either side, whose replies may be offered


@dataclass(frozen=True)
class Choice:
    text: str
    correct: bool
    why: str             # feedback when this choice is picked
    source: str = ""     # id of the script whose reply this is (neighbour replies), else ""


@dataclass(frozen=True)
class Drill:
    id: str                          # stable: the script id and a hash of the customer's words
    script_id: str
    title: str                       # the script's title (the situation)
    stage: str
    customer: str                    # what the customer says
    concern: str
    reply: str                       # the approved reply (model reply in speaking mode)
    steps: tuple[str, ...]           # key points of the reply
    avoid: tuple[tuple[str, str], ...]
    follow_up: tuple[str, ...]
    choices: tuple[Choice, ...]      # shuffled, exactly one correct
    roles: tuple[str, ...] = field(default=(), compare=False)
    case_id: str = ""                # a drill from a case: `customer` holds the case's situation


def drill_id(script_id: str, words: str) -> str:
    """Stable across rebuilds and reorderings: review history on a phone and Anki notes follow it."""
    return f"{script_id}~{hashlib.sha1(words.encode('utf-8')).hexdigest()[:8]}"


class _Stages:
    """Approved scripts of each stage in id order, and which replies answer which words."""

    def __init__(self, scripts: list[Item]):
        self.by_stage: dict[str, list[Item]] = {}
        self.position: dict[str, int] = {}
        self.replies_for_words: dict[str, set[str]] = {}
        for script in scripts:
            members = self.by_stage.setdefault(script.data["stage"], [])
            self.position[script.id] = len(members)
            members.append(script)
            for words in script.data["customer_says"]:
                self.replies_for_words.setdefault(text_key(words), set()).add(text_key(script.data["response"]["text"]))

    def neighbours(self, script: Item) -> list[Item]:
        """Scripts of the same stage nearest to this one (alternating after, before)."""
        members = self.by_stage[script.data["stage"]]
        here = self.position[script.id]
        found = []
        for distance in range(1, len(members)):
            for index in (here + distance, here - distance):
                if 0 <= index < len(members):
                    found.append(members[index])
            if len(found) >= NEIGHBOURS:
                break
        return found[:NEIGHBOURS]


def _candidates(script: Item, stages: _Stages) -> list[tuple[str, Choice]]:
    """(text key, choice) of every wrong reply a drill of this script may offer, in order of
    preference: its `avoid` lines, then the replies of its neighbours in the stage."""
    data = script.data
    taken = {text_key(data["response"]["text"])}
    found = []
    for avoid in data.get("avoid") or []:
        key = text_key(avoid["say"])
        if key and key not in taken:
            taken.add(key)
            found.append((key, Choice(avoid["say"], False, avoid["why"])))
    for other in stages.neighbours(script):
        if len(found) >= WRONG_CHOICES + 2:       # enough to spare a couple the words rule out
            break
        text = other.data["response"]["text"]
        key = text_key(text)
        if key and key not in taken:
            taken.add(key)
            why = f"这是客户“{other.data['customer_says'][0]}”时（{other.data['title']}）的回复，没有回应这位客户真正在意的：{data['concern']}"
            found.append((key, Choice(text, False, why, other.id)))
    return found


def _wrong_choices(candidates: list[tuple[str, Choice]], words: str, stages: _Stages) -> list[Choice]:
    """Up to WRONG_CHOICES candidates, leaving out any reply approved for these very words
    (another script answering the same words would make it right)."""
    also_right = stages.replies_for_words.get(text_key(words), ())
    return [choice for key, choice in candidates if key not in also_right][:WRONG_CHOICES]


def script_drills(script: Item, stages: _Stages, roles: tuple[str, ...] = ()) -> list[Drill]:
    """One drill per customer phrase of an approved script."""
    data = script.data
    drills = []
    candidates = _candidates(script, stages)
    right = Choice(data["response"]["text"], True, "这是统一话术里的推荐回复。")
    for words in data["customer_says"]:
        ident = drill_id(script.id, words)
        # a fixed order per drill that does not put the right reply first: sorted by a hash
        choices = sorted([right] + _wrong_choices(candidates, words, stages),
                         key=lambda choice: hashlib.sha1(f"{ident}|{choice.text}".encode("utf-8")).digest())
        drills.append(Drill(
            id=ident, script_id=script.id, title=data["title"], stage=data["stage"], customer=words,
            concern=data["concern"], reply=data["response"]["text"], steps=tuple(data["response"]["steps"]),
            avoid=tuple((a["say"], a["why"]) for a in data.get("avoid") or []),
            follow_up=tuple(data.get("follow_up") or []), choices=tuple(choices), roles=roles))
    return drills


def all_drills(content: Content) -> list[Drill]:
    """Every drill of the approved scripts, in stage order then script id, with their roles
    (computed once per content object: the pages and the table of contents both ask)."""
    cached = content.__dict__.get("_drills")
    if cached is not None:
        return cached
    scripts = [s for s in content.of_kind("script") if approved(s)]
    stages = _Stages(scripts)
    roles_of = _roles_of(content)
    cases_of: dict[str, list[Item]] = {}          # script id -> approved cases that practise it
    for case in content.of_kind("case"):
        if approved(case) and _first_script(case, stages):
            cases_of.setdefault(_first_script(case, stages), []).append(case)
    drills = []
    for stage in STAGES:
        for script in stages.by_stage.get(stage, []):
            roles = tuple(sorted(roles_of[script.id]))
            drills += script_drills(script, stages, roles)
            drills += [case_drill(case, script, stages, roles) for case in cases_of.get(script.id, [])]
    content.__dict__["_drills"] = drills
    return drills


def _first_script(case: Item, stages: _Stages) -> str:
    """The first approved script a case names: the one its drill practises."""
    return next((ref for ref in case.data.get("related_scripts") or [] if ref in stages.position), "")


def case_drill(case: Item, script: Item, stages: _Stages, roles: tuple[str, ...]) -> Drill:
    """A drill from a case: its situation, and the reply of the script the team used there."""
    data = script.data
    ident = f"{case.id}~case"
    right = Choice(data["response"]["text"], True, f"案例里的团队就是这样做的（{data['title']}）：{case.data['lessons'][0]}"
                   if case.data.get("lessons") else f"案例里的团队用的就是这条话术（{data['title']}）。")
    choices = sorted([right] + [choice for _, choice in _candidates(script, stages)][:WRONG_CHOICES],
                     key=lambda choice: hashlib.sha1(f"{ident}|{choice.text}".encode("utf-8")).digest())
    return Drill(id=ident, script_id=script.id, title=case.data["title"], stage=data["stage"], customer=case.data["situation"],
                 concern=data["concern"], reply=data["response"]["text"], steps=tuple(data["response"]["steps"]),
                 avoid=tuple((a["say"], a["why"]) for a in data.get("avoid") or []), follow_up=tuple(data.get("follow_up") or []),
                 choices=tuple(choices), roles=roles, case_id=case.id)


def drills_by_role(content: Content, drills: list[Drill] | None = None) -> dict[str, list[Drill]]:
    """Role id -> its drills (stage order), for every role, even one without scripts."""
    drills = all_drills(content) if drills is None else drills
    result: dict[str, list[Drill]] = {role.id: [] for role in content.of_kind("role")}
    for drill in drills:
        for role in drill.roles:
            if role in result:
                result[role].append(drill)
    return result


def by_stage(drills: list[Drill]) -> dict[str, list[Drill]]:
    """Stage key -> drills, only stages that have some, in conversation order."""
    grouped = {stage: [d for d in drills if d.stage == stage] for stage in STAGES}
    return {stage: members for stage, members in grouped.items() if members}


def drill_data(drill: Drill, link: str) -> dict:
    """What the page and the notebook carry of a drill (plain JSON)."""
    return {"id": drill.id, "script": drill.script_id, "title": drill.title, "stage": drill.stage,
            "customer": drill.customer, "concern": drill.concern, "reply": drill.reply, "steps": list(drill.steps),
            "avoid": [{"say": say, "why": why} for say, why in drill.avoid], "follow_up": list(drill.follow_up),
            "choices": [{"text": c.text, "correct": c.correct, "why": c.why} for c in drill.choices], "link": link,
            "case": drill.case_id}


def scripts_behind(content: Content, content_id: str) -> list[str]:
    """Scripts whose drills practise what a quiz question about `content_id` asks: the script
    itself, or the item's related_scripts (products list theirs)."""
    source = content.items.get(content_id)
    if source is None:
        return []
    return [source.id] if source.kind == "script" else list(source.data.get("related_scripts") or [])
