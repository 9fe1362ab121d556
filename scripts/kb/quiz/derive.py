"""Questions derived from the content, so quizzes follow the material without hand work.

Pure: validated content in, QuizItems out; regenerated on every run, never stored in the bank.
Only approved content is asked about. A distractor is never accidentally correct: each stem
names its source precisely ("写在…的注意事项里", "推荐的回复"), and a distractor is dropped
when it reads the same as any text that would make it right (model.same_text).
"""
from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Container
from dataclasses import replace

from ..model import Content, Item
from .bank import number_text, typable_number
from .model import AUTO_PREFIX, TOPIC_OF_KIND, QuizItem, same_text, text_key
from .runtime import canonical_number

MAX_OPTIONS = 4          # the right option and up to three distractors
MAX_ORDERING = 5         # steps in one ordering question
SOP_WHO_QUESTIONS = 2    # "who does this step" questions per SOP
PROBE_ABOVE, PROBES = 64, 20
_NUMBERS = re.compile(r"[0-9][0-9,]*(?:\.[0-9]+)?")


class _Context:
    """What the derivers look up across items, computed once (large content sets stay fast)."""

    def __init__(self, content: Content):
        self.content = content
        self.scripts = [s for s in content.of_kind("script") if approved(s)]
        self.products = [p for p in content.of_kind("product") if approved(p)]
        self.roles = content.of_kind("role")
        self.role_names = sorted({role.data["name"] for role in self.roles})
        self.responses_by_stage: dict[str, list[str]] = defaultdict(list)
        # customer words -> keys of the approved responses to them (any of those is right)
        self.responses_by_words: dict[str, set[str]] = defaultdict(set)
        for script in self.scripts:
            self.responses_by_stage[script.data["stage"]].append(script.data["response"]["text"])
            for words in script.data["customer_says"]:
                self.responses_by_words[text_key(words)].add(text_key(script.data["response"]["text"]))
        self._outside: dict[str, list[str]] = {}
        self._other_precautions: dict[str, list[str]] = {}
        self.precautions_by_category: dict[str, list[str]] = defaultdict(list)
        self.ours_by_aspect: dict[str, list[str]] = defaultdict(list)
        for product in self.products:
            self.precautions_by_category[product.data["category"]] += product.data["precautions"]
            for row in (product.data.get("comparison") or {}).get("rows") or []:
                self.ours_by_aspect[text_key(row["aspect"])].append(row["ours"])


    def precautions_outside(self, category: str) -> list[str]:
        """Precautions of approved products of the other categories, computed once per category."""
        if category not in self._other_precautions:
            self._other_precautions[category] = [line for other in sorted(self.precautions_by_category) if other != category
                                                 for line in self.precautions_by_category[other]]
        return self._other_precautions[category]

    def responses_outside(self, stage: str) -> list[str]:
        """Approved responses of the other stages (distractors when a stage has too few)."""
        if stage not in self._outside:
            self._outside[stage] = [text for other, texts in sorted(self.responses_by_stage.items()) if other != stage for text in texts]
        return self._outside[stage]


def derive_items(content: Content) -> list[QuizItem]:
    """Every derived question, each tagged with the roles it suits: one pool that every role's
    quiz, the self-check pages and their answer keys share (derived once per content object,
    like practice.drills.all_drills; the items are frozen, callers copy the list)."""
    cached = content.__dict__.get("_derived_items")
    if cached is None:
        cached = content.__dict__["_derived_items"] = _derive_all(content)
    return list(cached)


def _derive_all(content: Content) -> list[QuizItem]:
    roles_of = _roles_of(content)
    context = _Context(content)
    derivers = {"script": _script_items, "product": _product_items, "case": _case_items,
                "rule": _rule_items, "sop": _sop_items, "role": _role_items}
    items = []
    for kind, derive in derivers.items():
        for source in content.of_kind(kind):
            if not approved(source):
                continue
            for item in derive(source, context):
                items.append(replace(item, roles=tuple(sorted(roles_of[source.id]))))
    return items


def approved(item: Item) -> bool:
    return (item.data.get("review") or {}).get("status", "approved") == "approved"


def _roles_of(content: Content) -> dict[str, set[str]]:
    """Content id -> roles whose quiz may ask about it: its `roles`, learning paths, and for a
    role itself, the role and the role it reports to (a lead should know the posts below)."""
    roles: dict[str, set[str]] = defaultdict(set)
    for item in content.items.values():
        roles[item.id].update(item.data.get("roles") or [])
        if item.kind == "role":
            roles[item.id].add(item.id)
            if item.data.get("reports_to"):
                roles[item.id].add(item.data["reports_to"])
            for ref in item.data.get("learning_path") or []:
                roles[ref].add(item.id)
    return roles


# ---- building blocks ----

def _item(source: Item, suffix: str, kind: str, stem: str, explanation: str, **fields) -> QuizItem:
    return QuizItem(id=f"{AUTO_PREFIX}{source.id}-{suffix}", type=kind, stem=stem, topic=TOPIC_OF_KIND[source.kind],
                    content_id=source.id, explanation=explanation, origin="derived", **fields)


def _rng(source: Item, suffix: str) -> random.Random:
    return random.Random(f"{source.id}|{suffix}")


def pick_distractors(right: list[str], candidates: list[str], also_right: list[str], rng: random.Random, count: int,
                     excluded: Container[str] = frozenset()) -> list[str]:
    """Up to `count` candidates that read differently from every right text (or text key in
    `excluded`) and from each other. `excluded` is only asked, never copied: it may be large."""
    taken = _Taken({text_key(text) for text in right + also_right}, excluded)
    if count <= 0:
        return []
    if len(candidates) > PROBE_ABOVE:
        # a long list: draw at random instead of sorting it all (one draw per question)
        chosen: dict[str, str] = {}
        for _ in range(PROBES * count):
            text = candidates[rng.randrange(len(candidates))]
            key = text_key(text)
            if key and key not in taken and key not in chosen:
                chosen[key] = text
                if len(chosen) == count:
                    return list(chosen.values())
    pool: dict[str, str] = {}
    for text in candidates:
        key = text_key(text)
        if key and key not in taken and key not in pool:
            pool[key] = text
    ordered = [pool[key] for key in sorted(pool)]
    return rng.sample(ordered, min(count, len(ordered)))


class _Taken:
    """Membership in a small set of keys or a large one that is shared between questions."""

    def __init__(self, own: set[str], shared: Container[str]):
        self.own, self.shared = own, shared

    def __contains__(self, key: str) -> bool:
        return key in self.own or key in self.shared


class _AnyOf:
    """Membership in any of several sets, without building their union (a common customer
    saying is answered by many scripts: the union per script made derivation quadratic)."""

    def __init__(self, sets):
        self.sets = list(sets)

    def __contains__(self, key: str) -> bool:
        for keys in self.sets:
            if key in keys:
                return True
        return False


def _choice(source: Item, suffix: str, stem: str, right: list[str], distractors: list[str], explanation: str) -> list[QuizItem]:
    """A single (one right text) or multiple choice question; none without a distractor."""
    if not distractors:
        return []
    kind = "single" if len(right) == 1 else "multiple"
    options = tuple(right) + tuple(distractors)
    return [_item(source, suffix, kind, stem, explanation, options=options, correct=tuple(range(len(right))))]


def _ordering(source: Item, suffix: str, stem: str, steps: list[str], explanation: str) -> list[QuizItem]:
    distinct = len({text_key(step) for step in steps}) == len(steps)
    if len(steps) < 3 or not distinct:
        return []   # two steps are a coin toss; repeated steps have no single right order
    return [_item(source, suffix, "ordering", stem, explanation, options=tuple(steps))]


def _numeric(source: Item, suffix: str, stem: str, value, unit: str, explanation: str) -> list[QuizItem]:
    answer = number_text(value)
    if not typable_number(value):
        return []   # e.g. 0.3333333: no learner types that
    if answer in {canonical_number(found) for found in _NUMBERS.findall(stem)}:
        return []   # the stem already shows the number (e.g. a step that says "1 小时内")
    return [_item(source, suffix, "numeric", stem, explanation, number=answer, unit=unit)]


def _clauses(parts: list[str]) -> str:
    """Sentences joined with ；and ended with 。, without doubled marks such as 。；"""
    return "；".join(part.strip().rstrip("。；;. ") for part in parts) + "。"


def _steps_text(steps: list[str]) -> str:
    return _clauses([f"{index}. {step}" for index, step in enumerate(steps, 1)])


def _flat_brackets(text: str) -> str:
    """'4个月（共两批新人）' -> '4个月，共两批新人', to sit inside brackets of its own."""
    return re.sub(r"[（(]([^（）()]*)[）)]", r"，\1", text)


# ---- one function per kind of content ----

def _script_items(script: Item, context: _Context) -> list[QuizItem]:
    d = script.data
    # A script answering the same customer words has an approved response that is also right.
    right = d["response"]["text"]
    also_right = _AnyOf(context.responses_by_words.get(text_key(w), ()) for w in d["customer_says"])
    rng = _rng(script, "response")
    distractors = pick_distractors([right], [a["say"] for a in d.get("avoid") or []], [], rng, 1, also_right)
    same_stage = context.responses_by_stage[d["stage"]]
    distractors += pick_distractors([right] + distractors, same_stage, [], rng, MAX_OPTIONS - 1 - len(distractors), also_right)
    other_stage = context.responses_outside(d["stage"])
    distractors += pick_distractors([right] + distractors, other_stage, [], rng, MAX_OPTIONS - 1 - len(distractors), also_right)
    say = d["customer_says"][0]
    steps = d["response"]["steps"]
    items = _choice(script, "response", f"客户说：“{say}”。按统一话术，推荐的回复是哪一条？", [right], distractors,
                    f"“{d['title']}”背后的顾虑：{d['concern']} 推荐的回应步骤：{_steps_text(steps)}")
    items += _ordering(script, "steps", f"客户说“{say}”时，推荐回应的几个步骤应按什么顺序进行？",
                       steps[:MAX_ORDERING], f"推荐的回应步骤依次是：{_steps_text(steps)}")
    for index, avoid in enumerate((d.get("avoid") or [])[:1]):
        if not same_text(avoid["say"], right):
            items.append(_item(script, f"avoid-{index + 1}", "true_false", f"客户说“{say}”时，可以回复：“{avoid['say']}”",
                               f"不要这样说：{avoid['why']}", truth=False))
    return items


def _page_lines(product: Item) -> list[str]:
    d = product.data
    return (list(d.get("precautions") or []) + list(d.get("usage") or []) + list(d.get("not_for") or [])
            + list(d.get("selling_points") or []) + list(d.get("effects") or []))


def _product_items(product: Item, context: _Context) -> list[QuizItem]:
    d = product.data
    name = d["name"]
    items = []
    rng = _rng(product, "precautions")
    right = rng.sample(d["precautions"], min(2, len(d["precautions"])))
    right.sort(key=d["precautions"].index)
    # Other categories first: their precautions are plausible yet clearly not this product's.
    distractors = []
    for candidates in (context.precautions_outside(d["category"]), context.precautions_by_category[d["category"]]):
        distractors += pick_distractors(right + distractors, candidates, _page_lines(product), rng, MAX_OPTIONS - len(right) - len(distractors))
    items += _choice(product, "precautions", f"以下哪些写在《{name}》的“注意事项”里？" if len(right) > 1 else f"以下哪一条写在《{name}》的“注意事项”里？",
                     right, distractors, f"《{name}》的注意事项：{_clauses(d['precautions'])}")
    items += _ordering(product, "usage", f"《{name}》的使用方法，正确的先后顺序是？", d["usage"][:MAX_ORDERING],
                       f"使用方法依次是：{_steps_text(d['usage'])}")
    comparison = d.get("comparison") or {}
    for index, row in enumerate(comparison.get("rows") or []):
        same_aspect = context.ours_by_aspect[text_key(row["aspect"])]
        rng = _rng(product, f"compare-{index}")
        distractors = pick_distractors([row["ours"]], [row["theirs"]], [], rng, 1)
        distractors += pick_distractors([row["ours"]] + distractors, same_aspect, [], rng, MAX_OPTIONS - 1 - len(distractors))
        items += _choice(product, f"compare-{index + 1}",
                         f"和{comparison['competitor']}相比，在“{row['aspect']}”方面，哪一项说的是《{name}》？",
                         [row["ours"]], distractors, f"“{row['aspect']}”：我们是{row['ours']}；{comparison['competitor']}是{row['theirs']}。")
    items += _numeric(product, "price", f"《{name}》（{d['price']['spec']}）的零售价是多少元？", d["price"]["amount"], "元",
                      f"《{name}》零售价 {number_text(d['price']['amount'])} 元，规格 {d['price']['spec']}。")
    return items


def _case_items(case: Item, context: _Context) -> list[QuizItem]:
    d = case.data
    items = []
    for index, result in enumerate(d["results"]):
        period = result.get("period") or "这段时间"
        change = f"从 {number_text(result['before'])} 变成了多少" if "before" in result else "达到了多少"
        facts = (f"案例中“{result['metric']}”" + (f"从 {number_text(result['before'])} " if "before" in result else "")
                 + f"到 {number_text(result['after'])}{result['unit']}（{_flat_brackets(period)}）。")
        items += _numeric(case, f"result-{index + 1}", f"案例《{d['title']}》中，“{result['metric']}”在{period}里{change}？（单位：{result['unit']}）",
                          result["after"], result["unit"], facts + (d["lessons"][0] if d["lessons"] else ""))
        if result.get("driver"):
            distractors = pick_distractors([result["driver"]], d["actions"], [], _rng(case, f"driver-{index}"), MAX_OPTIONS - 1)
            items += _choice(case, f"driver-{index + 1}", f"案例《{d['title']}》中，带来“{result['metric']}”变化的主要做法是哪一条？",
                             [result["driver"]], distractors, facts + f"主要靠：{result['driver']}")
    return items


def _rule_items(rules: Item, context: _Context) -> list[QuizItem]:
    d = rules.data
    sections = d["sections"]
    items = []
    for index, section in enumerate(sections):
        rng = _rng(rules, f"section-{index}")
        elsewhere = [rule for other in sections if other is not section for rule in other["rules"]]
        own = [rule for rule in section["rules"] if not any(same_text(rule, other) for other in elsewhere)]
        if not own:
            continue
        rule = rng.choice(own)
        where = f"这一条写在《{d['title']}》的“{section['name']}”部分。"
        items.append(_item(rules, f"true-{index + 1}", "true_false", f"《{d['title']}》规定：{rule}", where, truth=True))
        names = pick_distractors([section["name"]], [s["name"] for s in sections], [], rng, MAX_OPTIONS - 1)
        items += _choice(rules, f"section-{index + 1}", f"《{d['title']}》中的这一条属于哪一部分？“{rule}”", [section["name"]], names, where)
        if len(own) >= 2 and elsewhere:
            right = sorted(rng.sample(own, 2), key=section["rules"].index)
            distractors = pick_distractors(right, elsewhere, section["rules"], rng, 2)
            items += _choice(rules, f"members-{index + 1}", f"以下哪些写在《{d['title']}》的“{section['name']}”部分？", right, distractors,
                             f"“{section['name']}”部分写的是：{_clauses(section['rules'])}")
    return items


def _role_name(context: _Context, role_id: str) -> str:
    role = context.content.items.get(role_id)
    return role.data["name"] if role is not None else role_id


def _sop_items(sop: Item, context: _Context) -> list[QuizItem]:
    d = sop.data
    steps = [step["action"] for step in d["steps"]]
    rng = _rng(sop, "order")
    start = rng.randrange(0, len(steps) - MAX_ORDERING + 1) if len(steps) > MAX_ORDERING else 0
    window = steps[start:start + MAX_ORDERING]
    stem = f"把《{d['title']}》的步骤按先后顺序排列。" if len(window) == len(steps) else f"《{d['title']}》中的下面几步，正确的先后顺序是？"
    items = _ordering(sop, "order", stem, window, f"流程步骤依次是：{_steps_text(steps)}")
    if d.get("deadline_hours"):
        items += _numeric(sop, "deadline", f"《{d['title']}》要求在多少小时内完成？", d["deadline_hours"], "小时",
                          f"《{d['title']}》的完成时限是 {number_text(d['deadline_hours'])} 小时。触发条件：{d['trigger']}")
    timed = [step for step in d["steps"] if step.get("within_hours")]
    if timed:
        step = timed[0]
        items += _numeric(sop, "step-hours", f"在《{d['title']}》中，这一步要在开始后多少小时内完成？“{step['action']}”",
                          step["within_hours"], "小时", f"这一步的时限是开始后 {number_text(step['within_hours'])} 小时内。")
    role_names = context.role_names
    owned = [(index, step) for index, step in enumerate(d["steps"]) if step.get("who") in context.content.items]
    for index, step in sorted(rng.sample(owned, min(SOP_WHO_QUESTIONS, len(owned))), key=lambda pair: pair[0]):
        who = _role_name(context, step["who"])
        distractors = pick_distractors([who], role_names, [], _rng(sop, f"who-{index}"), MAX_OPTIONS - 1)
        items += _choice(sop, f"who-{index + 1}", f"在《{d['title']}》中，这一步由哪个岗位负责？“{step['action']}”", [who], distractors,
                         f"流程规定这一步由{who}负责。")
    tiers = d.get("tiers") or []
    for index, tier in enumerate(tiers if len(tiers) >= 2 else []):
        distractors = pick_distractors([tier["name"]], [t["name"] for t in tiers], [], _rng(sop, f"tier-{index}"), MAX_OPTIONS - 1)
        items += _choice(sop, f"tier-{index + 1}", f"按《{d['title']}》，符合这一条件的客户属于哪一层？“{tier['criteria']}”",
                         [tier["name"]], distractors, f"“{tier['name']}”客户：{tier['criteria']} 服务：{tier['service']}")
    return items


def _role_items(role: Item, context: _Context) -> list[QuizItem]:
    d = role.data
    name = d["name"]
    items = []
    for index, kpi in enumerate(d["kpis"]):
        items += _numeric(role, f"kpi-{index + 1}", f"“{name}”岗位的考核指标“{kpi['name']}”，每{kpi['period']}的目标是多少？（单位：{kpi['unit']}）",
                          kpi["target"], kpi["unit"], f"目标：{number_text(kpi['target'])}{kpi['unit']}/{kpi['period']}。" + kpi.get("note", ""))
    others = [o for o in context.roles if o.id != role.id]
    other_duties = [duty for o in others for duty in o.data["duties"]]
    rng = _rng(role, "duties")
    for index, duty in enumerate(rng.sample(d["duties"], min(2, len(d["duties"])))):
        distractors = pick_distractors([duty], other_duties, d["duties"], rng, MAX_OPTIONS - 1)
        items += _choice(role, f"duty-{index + 1}", f"以下哪一条写在“{name}”岗位的职责里？", [duty], distractors,
                         f"“{name}”的职责包括：{duty}")
    if d.get("reports_to") in context.content.items:
        boss = _role_name(context, d["reports_to"])
        names = [o.data["name"] for o in others]
        distractors = pick_distractors([boss], names, [name], _rng(role, "reports-to"), MAX_OPTIONS - 1)
        items += _choice(role, "reports-to", f"“{name}”岗位向哪个岗位汇报？", [boss], distractors, f"“{name}”向“{boss}”汇报。")
    return items
