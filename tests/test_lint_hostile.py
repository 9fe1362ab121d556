"""Compliance lint, second round (issue 14): invisible characters and full-width forms cannot
hide a term, they are reported where they are; consumer tips the 2023 SAMR guidance allows
are not flagged, and claims that merely look like tips still are."""
from __future__ import annotations

import pytest

from kb.lint import find_hits, load_rules
from kb.model import Item
from kb.textnorm import invisible_characters, normalized

RULES, _ = load_rules()


def terms_in(text: str, kind: str = "script") -> list[str]:
    item = Item(kind, "x", {"response": {"text": text}}, "content/scripts/x.yml")
    return [hit.rule.term for hit in find_hits(item, RULES)]


@pytest.mark.parametrize("text, term", [
    ("能根\u200b治干皮", "根治"), ("销量第\u2060一", "第一"), ("绝\u200c对不会过敏", "绝对"), ("可以治\u00ad愈", "治愈"),
    ("好评率１００％", "100%"), ("好评率100％", "100%"), ("稳\u200d赚不赔", "稳赚"), ("\ufeff最好的面霜", "最"),
    ("月入３万", "月入"), ("史\u2062上最低", "史上"), ("ｓｈｏｕ 全网第\u180e一", "第一"),
])
def test_hidden_and_full_width_terms_are_found(text, term):
    assert term in terms_in(text)


def test_positions_point_into_the_text_as_written():
    item = Item("script", "x", {"response": {"text": "好的，能根\u200b治"}}, "x.yml")
    hit = find_hits(item, RULES)[0]
    assert (hit.start, hit.end) == (4, 7) and hit.text[hit.start:hit.end] == "根\u200b治"


def test_normalization_keeps_a_map_to_the_written_text():
    norm = normalized("Ａ\u200bＢ㎏")
    assert norm.text == "ABkg"
    assert norm.span(0, 2) == (0, 3) and norm.span(2, 4) == (3, 4)
    assert normalized("plain text").origin == tuple(range(11))


def test_emoji_joiners_are_not_invisible_characters():
    assert invisible_characters("👩\u200d💻 好") == []
    assert invisible_characters("好\u200d的") == [(1, "\u200d")]


# Consumer tips: how or when to use, how long to keep. Not the fixture's sentences.
TIPS = [
    "面膜敷完后最好用清水洗脸",
    "最好在开封后半年内用完",
    "这款茶最佳冲泡水温是 85 度",
    "晚上洁面后使用效果最佳",
    "饭后半小时饮用最好",
    "开封后请密封，冷藏存放最好",
    "孕妇绝对不要服用",
    "绝对禁止让儿童接触",
    "第一遍用温水清洗",
    "最佳赏味期为出厂后 6 个月",
    "最宜在睡前涂抹",
    "空腹时最好不要喝",
]
CLAIMS = [
    "我们家的精华最好用",
    "效果最好的面霜",
    "最好的礼物就是它",
    "这是最佳选择",
    "同类产品中最佳",
    "绝对正品，放心使用",
    "绝对不会长痘",
    "销量第一，早晚使用",
    "第一品牌",
    "最佳配方，晚上使用",
    "用了最好，效果最佳",
    "全网最低，最好现在下单",
]


@pytest.mark.parametrize("text", TIPS)
def test_consumer_tips_are_not_flagged(text):
    assert [t for t in terms_in(text) if t in ("最", "绝对", "第一")] == []


@pytest.mark.parametrize("text", CLAIMS)
def test_claims_that_look_like_tips_are_flagged(text):
    assert [t for t in terms_in(text) if t in ("最", "绝对", "第一")] != []


def test_a_tip_excuses_only_its_own_terms():
    """A medical claim inside a usage tip is still a medical claim."""
    assert terms_in("最好在睡前使用，可以根治痘痘") == ["根治"]


def test_tags_and_groups_that_look_the_same_are_one():
    """Normalized once for names as for the lint: an invisible character or a full-width form
    cannot make a second heading (or a second page) that looks like the first."""
    from kb.model import Content
    from kb.relations import tag_index
    from kb.render import group_slug, groups, tag_label
    items = {f"p{n}": Item("product", f"p{n}", {"tags": [tag], "category": category}, f"p{n}.yml")
             for n, (tag, category) in enumerate([("价格", "护肤"), ("价\u200b格", "护\u00ad肤"), ("ＶＩＰ", "护肤")])}
    content = Content(items)
    assert tag_index(content) == {"VIP": ["p2"], "价格": ["p0", "p1"]}
    assert tag_label("价\u200b格") == tag_label("价格")
    assert [(title, [i.id for i in members]) for _, title, _, members in groups(content, "product")] == [("产品 · 护肤", ["p0", "p1", "p2"])]
    assert group_slug("product", "护\u00ad肤") == group_slug("product", "护肤")
