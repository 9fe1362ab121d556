"""A deterministic, large, valid and cross-referenced content set for benchmarks and scale
tests (not sample content: it is written to a folder you name, never to content/)."""
from __future__ import annotations

import random
from pathlib import Path

import yaml

from .model import STAGES

WORDS = ("补水 保湿 修护 温和 清爽 滋润 舒缓 防晒 控油 细致 代餐 饱腹 膳食 纤维 营养 早餐 便携 冲泡 口感 "
         "价格 品质 服务 售后 物流 赠品 优惠 会员 复购 口碑 推荐 体验 试用 搭配 组合 季节 肤质 作息 饮食").split()
SAYINGS = ("太贵了 我再考虑一下 微商靠谱吗 会不会过敏 能退货吗 有没有优惠 别家更便宜 效果怎么样 用多久能看到变化 "
           "怎么用 孕妇能用吗 发货要多久 可以试用吗 有赠品吗 质量有保障吗 和商场的比怎么样 我皮肤敏感 我家人不同意 "
           "等活动再买 我没时间用").split()
REVIEW = {"status": "approved", "owner": "培训组", "reviewer": "审核组", "reviewed_on": "2026-06-01", "review_by": "2027-06-01"}


class _Text:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def sentence(self, words: int = 12) -> str:
        return "，".join("".join(self.rng.sample(WORDS, 2)) for _ in range(words // 2)) + "。"

    def lines(self, count: int, words: int = 8) -> list[str]:
        return [self.sentence(words) for _ in range(count)]


def _roles(count: int, text: _Text) -> list[dict]:
    roles = []
    for n in range(count):
        roles.append({
            "schema_version": 1, "id": f"role-{n:02d}", "name": f"岗位{n:02d}", "summary": text.sentence(),
            **({"reports_to": "role-00"} if n else {}),
            "duties": text.lines(4), "kpis": [{"name": f"指标{k}", "target": 100 * (k + 1), "unit": "元", "period": "月"} for k in range(3)],
            "levels": [{"name": f"第{k + 1}级", "criteria": text.lines(2)} for k in range(3)],
            "learning_path": [], "quiz": {"questions": 20, "pass_mark": 70, "topics": [
                {"topic": "scripts", "weight": 3}, {"topic": "products", "weight": 2}, {"topic": "cases", "weight": 1},
                {"topic": "rules", "weight": 1}, {"topic": "sops", "weight": 1}, {"topic": "roles", "weight": 1}]},
            "tags": ["岗位"], "review": REVIEW})
    return roles


# How a brand's knowledge base may grow: shares of the items by kind (roles come on top).
# "proportional" is the sample content's own mix (44 scripts, 8 products, 10 cases, 2 rule
# sets, 6 SOPs); "one-role" has that mix with every item naming the same single role.
MIXES = {
    "proportional": {"scripts": 44, "products": 8, "cases": 10, "rules": 2, "sops": 6},
    "script-heavy": {"scripts": 90, "products": 4, "cases": 3, "rules": 1, "sops": 2},
    "procedure-heavy": {"scripts": 10, "products": 5, "cases": 5, "rules": 40, "sops": 40},
    "one-role": {"scripts": 44, "products": 8, "cases": 10, "rules": 2, "sops": 6},
}


def mix_counts(mix: str, total: int) -> dict[str, int]:
    """Item counts per kind for `total` items in the given mix (at least one of each kind,
    since learning paths name a rule set and an SOP)."""
    shares = MIXES[mix]
    whole = sum(shares.values())
    counts = {kind: max(1, total * share // whole) for kind, share in shares.items()}
    counts["scripts"] += total - sum(counts.values())      # rounding goes to the scripts
    return counts


def generate_mix(mix: str, total: int, roles: int = 12, seed: int = 7) -> dict[str, list[dict]]:
    """A set of `total` items (plus roles) in one of MIXES."""
    return generate(**mix_counts(mix, total), roles=roles, seed=seed, single_role=(mix == "one-role"))


def generate(scripts: int = 2000, products: int = 500, cases: int = 300, roles: int = 12,
             rules: int = 4, sops: int = 12, seed: int = 7, single_role: bool = False) -> dict[str, list[dict]]:
    """kind folder -> list of item data. single_role: every item names the first role only."""
    rng = random.Random(seed)
    text = _Text(rng)
    role_items = _roles(roles, text)
    role_ids = [r["id"] for r in role_items]
    named_roles = role_ids[:1] if single_role else role_ids
    product_ids = [f"product-{n:04d}" for n in range(products)]
    script_ids = [f"script-{n:04d}" for n in range(scripts)]
    case_ids = [f"case-{n:04d}" for n in range(cases)]
    stages = list(STAGES)
    data: dict[str, list[dict]] = {"roles": role_items, "products": [], "scripts": [], "cases": [], "rules": [], "sops": []}
    for n, pid in enumerate(product_ids):
        data["products"].append({
            "schema_version": 1, "id": pid, "name": f"产品{n:04d}", "category": f"品类{n % 10}",
            "price": {"amount": 50 + n % 300, "spec": "50ml/瓶"}, "summary": text.sentence(16),
            "selling_points": text.lines(3), "specification": [{"name": "主要成分", "value": text.sentence(4)}],
            "effects": text.lines(2), "usage": text.lines(3, 6), "precautions": text.lines(2, 6), "not_for": text.lines(1, 4),
            "comparison": {"competitor": "同类产品", "rows": [{"aspect": "价格", "ours": "适中", "theirs": "较高"}]},
            "faqs": [{"q": rng.choice(SAYINGS), "a": text.sentence()}],
            "related_scripts": _pick(rng, script_ids, 2), "tags": rng.sample(WORDS, 2),
            "roles": _pick(rng, named_roles, 2), "review": REVIEW})
    for n, sid in enumerate(script_ids):
        says = rng.sample(SAYINGS, 3)
        data["scripts"].append({
            "schema_version": 1, "id": sid, "title": f"{says[0]}（{n:04d}）", "stage": stages[n % len(stages)],
            "customer_says": says, "concern": text.sentence(16),
            "response": {"steps": text.lines(3, 8), "text": text.sentence(30)},
            "avoid": [{"say": text.sentence(6), "why": text.sentence(6)}], "follow_up": text.lines(1),
            "related_products": _pick(rng, product_ids, 1), "related_cases": _pick(rng, case_ids, 1),
            "tags": rng.sample(WORDS, 2), "roles": _pick(rng, named_roles, 2), "review": REVIEW})
    for n, cid in enumerate(case_ids):
        actions = text.lines(3)
        data["cases"].append({
            "schema_version": 1, "id": cid, "title": f"案例{n:04d}：{text.sentence(4)}", "team_type": rng.choice(["微商团队", "私域销售团队", "网络销售部门"]),
            "situation": text.sentence(30), "actions": actions,
            "results": [{"metric": "日均订单", "before": 100 + n, "after": 120 + n, "unit": "单", "period": "3个月", "driver": actions[0]}],
            "lessons": text.lines(2), "questions": text.lines(1), "related_scripts": _pick(rng, script_ids, 2),
            "related_products": _pick(rng, product_ids, 1), "tags": rng.sample(WORDS, 2),
            "roles": _pick(rng, named_roles, 2), "review": REVIEW})
    for n in range(rules):
        data["rules"].append({"schema_version": 1, "id": f"rules-{n:02d}", "title": f"群规{n:02d}", "applies_to": "客户群",
                              "sections": [{"name": f"第{k + 1}部分", "rules": text.lines(3)} for k in range(4)],
                              "tags": ["群管理"], "roles": named_roles[:3], "review": REVIEW})
    for n in range(sops):
        data["sops"].append({"schema_version": 1, "id": f"sop-{n:02d}", "title": f"流程{n:02d}", "purpose": text.sentence(),
                             "trigger": text.sentence(4), "owner_role": rng.choice(named_roles), "deadline_hours": 24,
                             "steps": [{"action": text.sentence(6), "who": rng.choice(named_roles), "within_hours": 4 * (k + 1)} for k in range(4)],
                             "tags": ["流程"], "roles": named_roles[:3], "review": REVIEW})
    for role in role_items:
        role["learning_path"] = (_sample(rng, product_ids, 3) + _sample(rng, script_ids, 6) + _sample(rng, case_ids, 2)
                                 + [data["rules"][0]["id"], data["sops"][0]["id"]])
    return data


def _pick(rng: random.Random, ids: list[str], count: int) -> list[str]:
    return sorted(rng.sample(ids, min(count, len(ids))))


def _sample(rng: random.Random, ids: list[str], count: int) -> list[str]:
    return rng.sample(ids, min(count, len(ids)))


def write(folder: Path, data: dict[str, list[dict]]) -> int:
    """Write one YAML file per item under folder/<kind>/; returns the number of files."""
    count = 0
    for kind_folder, items in data.items():
        (folder / kind_folder).mkdir(parents=True, exist_ok=True)
        for item in items:
            text = yaml.safe_dump(item, allow_unicode=True, sort_keys=False, width=1000)
            (folder / kind_folder / f"{item['id']}.yml").write_text(text, encoding="utf-8")
            count += 1
    return count
