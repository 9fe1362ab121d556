"""Cross-links both ways between products, scripts and cases (pure, from content data)."""
from __future__ import annotations

from collections import defaultdict

from .model import Content
from .textnorm import plain

# field -> kind of the items it lists; each link is also recorded in the other direction.
LINK_FIELDS = {"related_products": "product", "related_scripts": "script", "related_cases": "case"}


def related(content: Content) -> dict[str, dict[str, list[str]]]:
    """id -> kind -> sorted ids of items linked to it in either direction."""
    links: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    for item in content.items.values():
        for field, kind in LINK_FIELDS.items():
            for target in item.data.get(field) or []:
                if target in content.items:
                    links[item.id][kind].add(target)
                    links[target][item.kind].add(item.id)
    return {item_id: {kind: sorted(ids) for kind, ids in kinds.items()} for item_id, kinds in links.items()}


def tag_index(content: Content) -> dict[str, list[str]]:
    """tag -> ids of items carrying it, tags sorted; tags that look the same are one tag."""
    tags: dict[str, list[str]] = defaultdict(list)
    for item in sorted(content.items.values(), key=lambda i: (i.kind, i.id)):
        for tag in item.data.get("tags") or []:
            if item.id not in tags[plain(tag)]:
                tags[plain(tag)].append(item.id)
    return dict(sorted(tags.items()))


def roles_using(content: Content) -> dict[str, list[str]]:
    """content id -> ids of roles whose learning path includes it."""
    used: dict[str, list[str]] = defaultdict(list)
    for role in content.of_kind("role"):
        for ref in role.data.get("learning_path") or []:
            used[ref].append(role.id)
    return used
