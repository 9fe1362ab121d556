"""Questions derived from content, and blueprint selection: distractors are never accidentally
correct; quizzes follow each role's blueprint, deterministically per seed."""
from __future__ import annotations

import copy
import re

import pytest

from conftest import FIXTURES, ROOT

from kb.content import load_content
from kb.model import Content, Item
from kb.quiz.bank import load_bank
from kb.quiz.blueprint import allocate, build_quiz, fit_to_pool
from kb.quiz.derive import derive_items
from kb.quiz.model import text_key
from kb.quiz.runtime import canonical_number

APPROVED = {"status": "approved", "owner": "测试员"}


@pytest.fixture(scope="module")
def sample():
    return load_content(ROOT)


def _keys(texts) -> set[str]:
    return {text_key(text) for text in texts}


def right_texts(item, content: Content) -> set[str]:
    """Keys of every option text that would be a right answer, worked out from the content
    independently of derive.py."""
    source = content.items[item.content_id]
    d = source.data
    suffix = item.id[len(f"auto-{source.id}-"):]
    number = int(suffix.rsplit("-", 1)[1]) - 1 if suffix[-1].isdigit() else None
    if suffix == "response":
        words = _keys(d["customer_says"])
        return _keys(s.data["response"]["text"] for s in content.of_kind("script") if words & _keys(s.data["customer_says"]))
    if suffix == "precautions":
        return _keys(d["precautions"] + d["usage"] + d.get("not_for", []) + d["selling_points"] + d.get("effects", []))
    if suffix.startswith("compare-"):
        return _keys([d["comparison"]["rows"][number]["ours"]])
    if suffix.startswith("driver-"):
        return _keys([d["results"][number]["driver"]])
    if suffix.startswith("section-"):
        return _keys(s["name"] for s in d["sections"] if any(rule in item.stem for rule in s["rules"]))
    if suffix.startswith("members-"):
        return _keys(d["sections"][number]["rules"])
    if suffix.startswith("who-"):
        return _keys([content.items[d["steps"][number]["who"]].data["name"]])
    if suffix.startswith("tier-"):
        criteria = d["tiers"][number]["criteria"]
        return _keys(t["name"] for t in d["tiers"] if text_key(t["criteria"]) == text_key(criteria))
    if suffix.startswith("duty-"):
        return _keys(d["duties"])
    if suffix == "reports-to":
        return _keys([content.items[d["reports_to"]].data["name"]])
    raise AssertionError(f"no oracle for {item.id}")


def assert_never_accidentally_correct(content: Content) -> int:
    checked = 0
    for item in derive_items(content):
        if item.type in ("single", "multiple"):
            right = right_texts(item, content)
            options = [text_key(option) for option in item.options]
            assert len(set(options)) == len(options), item.id
            for index, key in enumerate(options):
                assert (key in right) == (index in item.correct), f"{item.id}: option {item.options[index]!r}"
        elif item.type == "true_false" and item.id.endswith("-avoid-1"):
            said = re.search(r"可以回复：“(.*)”$", item.stem).group(1)
            script = content.items[item.content_id]
            words = _keys(script.data["customer_says"])
            approved = _keys(s.data["response"]["text"] for s in content.of_kind("script") if words & _keys(s.data["customer_says"]))
            assert item.truth is False and text_key(said) not in approved, item.id
        elif item.type == "true_false":
            rules = [rule for section in content.items[item.content_id].data["sections"] for rule in section["rules"]]
            assert item.truth is True and any(item.stem.endswith(rule) for rule in rules), item.id
        elif item.type == "ordering":
            assert len(_keys(item.options)) == len(item.options) >= 3, item.id
        elif item.type == "numeric":
            shown = {canonical_number(found) for found in re.findall(r"[0-9][0-9,]*(?:\.[0-9]+)?", item.stem)}
            assert item.number not in shown, item.id
        checked += 1
    return checked


def test_no_derived_distractor_is_accidentally_correct_in_the_sample(sample):
    assert assert_never_accidentally_correct(sample) > 300


def item(kind: str, item_id: str, **data) -> Item:
    return Item(kind, item_id, {"id": item_id, "roles": ["r1"], "review": APPROVED, **data}, f"content/{kind}s/{item_id}.yml")


def script(item_id, stage, says, text, avoid=()):
    return item("script", item_id, title=item_id, stage=stage, customer_says=list(says), concern="顾虑。",
                response={"steps": ["认同", "说明"], "text": text}, avoid=[{"say": a, "why": "原因"} for a in avoid])


@pytest.fixture
def traps() -> Content:
    """Content where careless distractors would be right answers too."""
    items = [
        # s2 answers the same words as s1: its response is right for s1's words as well
        script("s1", "objection", ["太贵了", "便宜点"], "回应一：先认同再拆分价格。", avoid=["这是全网最低价"]),
        script("s2", "objection", ["太贵了！"], "回应二：给出试用装。"),
        script("s3", "objection", ["再考虑一下"], "回应三：不催单。"),
        item("product", "p1", name="面霜", category="护肤", price={"amount": 168, "spec": "50g"}, summary="面霜。",
             selling_points=["清爽"], usage=["洁面后取适量", "均匀涂抹", "轻拍吸收"], precautions=["避开眼周", "开封后六个月内用完"]),
        # p2's precautions repeat p1's page (with other punctuation): not distractors for p1
        item("product", "p2", name="奶昔", category="食品", price={"amount": 99, "spec": "10袋"}, summary="奶昔。",
             selling_points=["饱腹"], usage=["冷水冲调", "摇匀", "饮用"], precautions=["避开眼周。", "均匀 涂抹", "冲调水温不超过40度"]),
        item("case", "c1", title="案例", team_type="微商团队", situation="情况。", lessons=["经验"],
             actions=["推出限时优惠", "推出限时优惠。", "每天提醒"],
             results=[{"metric": "日均订单", "before": 100, "after": 110, "unit": "单", "driver": "推出限时优惠"}]),
        item("rule", "g1", title="群规", applies_to="客户群",
             sections=[{"name": "行为规范", "rules": ["不发广告", "不拉人进群"]}, {"name": "礼仪", "rules": ["不发广告", "礼貌称呼"]}]),
        item("role", "r1", name="销售", summary="销售。", duties=["回复客户咨询", "跟进老客户"], levels=[], learning_path=[],
             kpis=[{"name": "月销售额", "target": 50000, "unit": "元", "period": "月"}], quiz={"questions": 1, "pass_mark": 60, "topics": []}),
        item("role", "r2", name="客服", summary="客服。", duties=["回复客户咨询。", "处理售后"], levels=[], learning_path=[], reports_to="r1",
             kpis=[{"name": "响应时长", "target": 2, "unit": "小时", "period": "日"}], quiz={"questions": 1, "pass_mark": 60, "topics": []}),
    ]
    return Content({i.id: i for i in items})


def test_traps_are_avoided(traps):
    derived = {i.id: i for i in derive_items(traps)}
    # s2 answers the same words, so its response is no distractor for s1 (nor s1's for s2)
    assert derived["auto-s1-response"].options == ("回应一：先认同再拆分价格。", "这是全网最低价", "回应三：不催单。")
    assert derived["auto-s2-response"].options == ("回应二：给出试用装。", "回应三：不催单。")
    # p2's "避开眼周。" and "均匀 涂抹" read like lines of p1's page
    assert derived["auto-p1-precautions"].options == ("避开眼周", "开封后六个月内用完", "冲调水温不超过40度")
    # "推出限时优惠。" is the driver with a full stop
    assert derived["auto-c1-driver-1"].options == ("推出限时优惠", "每天提醒")
    # "不发广告" is in both sections: no "which section" question about it
    assert [derived[f"auto-g1-section-{n}"].stem for n in (1, 2)] == [
        "《群规》中的这一条属于哪一部分？“不拉人进群”", "《群规》中的这一条属于哪一部分？“礼貌称呼”"]
    # r2's "回复客户咨询。" is r1's duty too
    assert [derived[f"auto-{r}-duty-{n}"].options[1:] for r in ("r1", "r2") for n in (1, 2)] == [
        ("处理售后",), ("处理售后",), ("跟进老客户",), ("跟进老客户",)]
    assert assert_never_accidentally_correct(traps) == len(derived)


def test_a_number_shown_in_the_stem_is_not_asked():
    sop = item("sop", "o1", title="危机流程", purpose="目的。", trigger="发生时", owner_role="r1",
               steps=[{"action": "1 小时内上报组长", "within_hours": 1}, {"action": "发布说明", "within_hours": 4}])
    derived = {i.id for i in derive_items(Content({"o1": sop}))}
    assert "auto-o1-step-hours" not in derived


def test_unapproved_content_is_not_asked_about(traps):
    draft = copy.deepcopy(traps)
    draft.items["p1"].data["review"] = {"status": "draft", "owner": "测试员"}
    assert not [i for i in derive_items(draft) if i.content_id == "p1"]


def test_allocation_follows_the_weights_by_largest_remainder():
    topics = [("scripts", 5), ("products", 4), ("rules", 1), ("sops", 1), ("cases", 1)]
    assert allocate(15, topics) == {"scripts": 7, "products": 5, "rules": 1, "sops": 1, "cases": 1}
    assert allocate(20, [("cases", 4), ("sops", 3), ("roles", 3), ("rules", 2), ("scripts", 1)]) == {
        "cases": 6, "sops": 5, "roles": 5, "rules": 3, "scripts": 1}
    assert fit_to_pool({"scripts": 7, "products": 5, "rules": 3}, {"scripts": 20, "products": 6, "rules": 1}) == {
        "scripts": 8, "products": 6, "rules": 1}


@pytest.fixture(scope="module")
def mini():
    return load_content(ROOT, FIXTURES / "mini")


def test_a_blueprint_larger_than_the_pool_is_an_error_for_certification(mini):
    role = copy.deepcopy(mini.items["rep"])
    role.data["quiz"]["questions"] = 200
    quiz, problems = build_quiz(mini, derive_items(mini), role, mode="certify")
    assert quiz is None
    assert [p.format() for p in problems] == [
        "tests/fixtures/mini/roles/rep.yml:14:14: quiz.questions: "
        "expected at most 16 questions (all the items available for this role's topics), received 200\n"
        "    hint: lower quiz.questions, add topics to the blueprint, or add items for this role to quizzes/bank/"]


def test_a_blueprint_larger_than_the_pool_gives_a_shorter_practice_quiz(mini):
    """Half of the facts are kept for certification: practice asks what it has, with a warning."""
    role = copy.deepcopy(mini.items["rep"])
    role.data["quiz"]["questions"] = 200
    quiz, problems = build_quiz(mini, derive_items(mini), role)
    assert len(quiz.questions) == 16
    assert [p.format() for p in problems][-1] == (
        "tests/fixtures/mini/roles/rep.yml:14:14: warning: quiz.questions: "
        "expected at most 16 questions (all the items available for this role's topics), received 200\n"
        "    hint: lower quiz.questions, add topics to the blueprint, or add items for this role to quizzes/bank/; "
        "the practice quiz has 16 questions until then")


def test_a_short_topic_is_a_warning_and_other_topics_fill_in(mini):
    role = copy.deepcopy(mini.items["rep"])
    role.data["quiz"] = {"questions": 6, "pass_mark": 60, "topics": [{"topic": "sops", "weight": 5}, {"topic": "scripts", "weight": 1}]}
    quiz, problems = build_quiz(mini, derive_items(mini), role)
    assert [p.format() for p in problems] == [
        "tests/fixtures/mini/roles/rep.yml:16:11: warning: quiz.topics: topic 'sops' has 2 question(s) available for this role, "
        "the blueprint asks for 5; other topics fill in\n"
        "    hint: add items with topic sops for this role to quizzes/bank/, or lower its weight"]
    assert sorted(q.item.topic for q in quiz.questions) == ["scripts"] * 4 + ["sops"] * 2


def test_quizzes_are_deterministic_and_seeds_give_equivalent_variants(sample):
    items = load_bank(ROOT, sample) + derive_items(sample)
    role = sample.items["sales"]
    first, _ = build_quiz(sample, items, role, seed=0)
    again, _ = build_quiz(sample, items, role, seed=0)
    other, _ = build_quiz(sample, items, role, seed=1)
    assert first == again
    assert [q.item.topic for q in first.questions] == [q.item.topic for q in other.questions]
    assert [q.item.id for q in first.questions] != [q.item.id for q in other.questions]
    assert first.version != other.version and first.salt != other.salt
    # spread: no content item is asked twice while the topic has others left
    ids = [q.item.content_id for q in first.questions]
    assert len(ids) == len(set(ids))

