"""The content model as data: kinds of items, where they live, which fields reference what."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Kind:
    name: str      # schema and template name
    folder: str    # content/<folder>/<id>.yml
    label: str     # Chinese name shown on the site


KINDS = (
    Kind("role", "roles", "岗位"),
    Kind("product", "products", "产品"),
    Kind("script", "scripts", "话术"),
    Kind("case", "cases", "案例"),
    Kind("rule", "rules", "群规"),
    Kind("sop", "sops", "流程 SOP"),
)
KIND_BY_NAME = {kind.name: kind for kind in KINDS}
KIND_BY_FOLDER = {kind.folder: kind for kind in KINDS}

# Sales stages in the order a conversation runs; the keys are the schema's enum.
STAGES = {
    "opening": "开场白",
    "discovery": "需求挖掘",
    "objection": "异议处理",
    "closing": "促成",
    "after_sales": "售后",
    "follow_up": "回访",
}

REVIEW_STATUS = {"draft": "草稿", "in_review": "待审核", "approved": "已审核"}

# Reference fields: key path pattern (with "*" for any list index) -> kinds it may point to.
REFERENCES = {
    ("related_products", "*"): ("product",),
    ("related_cases", "*"): ("case",),
    ("related_scripts", "*"): ("script",),
    ("roles", "*"): ("role",),
    ("learning_path", "*"): ("product", "script", "case", "rule", "sop"),
    ("reports_to",): ("role",),
    ("owner_role",): ("role",),
    ("steps", "*", "who"): ("role",),
}


def walk_refs(data, pattern, path=()):
    """Yield (path, value) for every value at a reference pattern like ('steps', '*', 'who')."""
    if not pattern:
        yield path, data
        return
    head, rest = pattern[0], pattern[1:]
    if head == "*":
        if isinstance(data, list):
            for index, value in enumerate(data):
                yield from walk_refs(value, rest, path + (index,))
    elif isinstance(data, dict) and head in data:
        yield from walk_refs(data[head], rest, path + (head,))


SCHEMA_DIR = Path(__file__).parent / "schemas"


@dataclass
class Item:
    kind: str
    id: str
    data: dict
    file: str           # path shown in messages, relative to the project root
    document: object = field(repr=False, default=None)   # yamlread.Document, for positions

    @property
    def title(self) -> str:
        return self.data.get("title") or self.data.get("name") or self.id

    def position(self, path) -> tuple[int, int]:
        return self.document.position(path) if self.document else (0, 0)


@dataclass
class Content:
    items: dict[str, Item]          # id -> item, ids are unique across kinds
    warnings: list = field(default_factory=list)   # problems.Problem that do not block (lint warnings)
    left_out: frozenset = frozenset()   # ids of unfinished items with problems, left out of a build
    synonyms: list = field(default_factory=list)   # the finder's synonym groups (content/synonyms.yml)

    def of_kind(self, kind: str) -> list[Item]:
        return sorted((i for i in self.items.values() if i.kind == kind), key=lambda i: i.id)
