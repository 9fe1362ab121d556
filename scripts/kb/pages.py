"""Where an item is shown: the page (docname) and anchor of every item, the grouping of items
into pages and the pages' names. Pure; render.py writes the pages, and every module that links
to an item (quiz pages and notebooks, the finder, the coaching report, drills) resolves links
here, so none of them needs the renderer."""
from __future__ import annotations

import functools
import hashlib
import re

from .model import KIND_BY_NAME, STAGES, Content, Item
from .textnorm import plain

GENERATED_DIR = "book/kb"
TOPIC_NAMES = {"products": "产品知识", "scripts": "话术", "cases": "案例", "rules": "群规", "sops": "流程", "roles": "岗位职责"}


# Kinds shown many to a page, each item a section with its own anchor: the field that groups
# them and the page title. Few big pages instead of one per item keeps the theme's
# navigation (rendered on every page) small, which is what makes large books slow.
# SOPs are grouped by the role that owns them; rule sets, which name no natural group, share
# one ("all"), in pages of PAGE_SIZE: a brand with thousands of either stays a few pages.
GROUPED = {"script": ("stage", "{}话术"), "product": ("category", "产品 · {}"), "case": ("team_type", "案例 · {}"),
           "sop": ("owner_role", "流程 · {}"), "rule": (None, "群规")}
ALL_IN_ONE_GROUP = "all"


def group_value(item: Item) -> str:
    """The value that puts an item on its group's pages (names that look the same are one group)."""
    field = GROUPED[item.kind][0]
    return ALL_IN_ONE_GROUP if field is None else plain(item.data[field])


def _group_label(kind: str, value: str, content: Content) -> str:
    if kind == "script":
        return STAGES[value]
    if kind == "sop":           # owner_role is a role id: show the role's name
        role = content.items.get(value)
        return role.title if role is not None else value
    return value


@functools.lru_cache(maxsize=None)        # a build asks for the same few groups many times
def group_slug(kind: str, value: str) -> str:
    """The page name of a group: readable and stable, the value in pinyin (护肤 -> hufu), so a
    rep can share or guess products/hufu.html. Stage keys are already ASCII."""
    if kind == "script":
        return value
    from pypinyin import lazy_pinyin
    value = plain(value)
    slug = re.sub(r"-+", "-", "".join(re.sub(r"[^a-z0-9]+", "-", token.lower()) for token in lazy_pinyin(value))).strip("-")
    return slug if slug and slug != "index" and not slug.startswith("g-") and not UNSAFE_NAME.match(slug) else old_group_slug(value)


# a relative link to a page named like a URL scheme (javascript-alert-1.html) reads like a
# script link to people and filters: such groups keep the hashed name
UNSAFE_NAME = re.compile(r"(javascript|vbscript|data|file|about|blob)(-|$)")


def old_group_slug(value: str) -> str:
    """The page name groups had before readable names; those addresses redirect (redirects)."""
    return "g-" + hashlib.sha1(plain(value).encode("utf-8")).hexdigest()[:8]


def _group_slugs(kind: str, values: list[str]) -> dict[str, str]:
    """value -> page name; two values that read the same in pinyin (or one that reads like
    another's continuation page, 品类 3 and 品类's third page) keep their own hashed name."""
    slugs = {value: group_slug(kind, value) for value in values}
    taken: dict[str, int] = {}
    for slug in slugs.values():
        taken[slug] = taken.get(slug, 0) + 1
    def looks_continued(slug: str) -> bool:
        return re.sub(r"-\d+$", "", slug) in taken and re.search(r"-\d+$", slug) is not None
    return {value: (old_group_slug(value) if kind != "script" and (taken[slug] > 1 or looks_continued(slug)) else slug)
            for value, slug in slugs.items()}


PAGE_SIZE = 50     # items per grouped page; bigger groups continue on <page>-2, <page>-3 …


def _first_page(item: Item) -> str:
    folder = f"{GENERATED_DIR}/{KIND_BY_NAME[item.kind].folder}"
    if item.kind in GROUPED:
        return f"{folder}/{group_slug(item.kind, group_value(item))}"
    return f"{folder}/{item.id}"


def page_of(item: Item, content: Content | None = None) -> str:
    """Docname (path without .md) of the page that shows an item. An item of a large group may
    sit on a continuation page, which depends on its neighbours: pass the content shown."""
    if content is not None and item.kind in GROUPED:
        return layout(content).get(item.id, _first_page(item))
    return _first_page(item)


def layout(content: Content) -> dict[str, str]:
    """id -> docname for every grouped item, computed once per content object."""
    cached = content.__dict__.get("_page_layout")
    if cached is None:
        cached = {member.id: docname for kind in GROUPED for docname, _, _, members in groups(content, kind)
                  for member in members}
        content.__dict__["_page_layout"] = cached
    return cached


def groups(content: Content, kind: str) -> list[tuple[str, str, str, list[Item]]]:
    """(docname, title, group value, items) of each page of a grouped kind, at most PAGE_SIZE
    items a page; stages in conversation order, and every stage has a page even when empty."""
    title = GROUPED[kind][1]
    by_value: dict[str, list[Item]] = {}
    for item in content.of_kind(kind):
        by_value.setdefault(group_value(item), []).append(item)
    values = list(STAGES) if kind == "script" else sorted(by_value)
    result = []
    slugs = _group_slugs(kind, values)
    for value in values:
        members = by_value.get(value, [])
        if not members and kind != "script":
            continue
        base = f"{GENERATED_DIR}/{KIND_BY_NAME[kind].folder}/{slugs[value]}"
        label = _group_label(kind, value, content)
        chunks = [members[i:i + PAGE_SIZE] for i in range(0, len(members), PAGE_SIZE)] or [[]]
        for number, chunk in enumerate(chunks, 1):
            docname = base if number == 1 else f"{base}-{number}"
            suffix = f"（{number}/{len(chunks)}）" if len(chunks) > 1 else ""
            result.append((docname, title.format(label) + suffix, value, chunk))
    return result


def anchor(item_id: str) -> str:
    """Sphinx label of an item; prefixed so it never collides with a page name."""
    return f"kb-{item_id}"


def tag_label(tag: str) -> str:
    return "tag-" + hashlib.sha1(plain(tag).encode("utf-8")).hexdigest()[:10]
