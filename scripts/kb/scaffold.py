"""`kb.py new KIND ID`: a commented template for a new content item.

The templates are data (scaffolds/<kind>.yml plus the shared scaffolds/_review.yml). Every
【填写…】 placeholder must be replaced; the file then validates. New items start as drafts,
so they are never published before someone approves them.
"""
from __future__ import annotations

import os
import re
from datetime import date, timedelta
from pathlib import Path

from .model import KIND_BY_FOLDER, KIND_BY_NAME
from .problems import ContentError, Problem
from .schema import load_schema
from .i18n import _

SCAFFOLD_DIR = Path(__file__).parent / "scaffolds"
REVIEW_PERIOD_DAYS = 365     # suggested review_by: one year after approval


def render_scaffold(kind: str, item_id: str, today: date) -> str:
    """The template text for one new item (pure)."""
    text = (SCAFFOLD_DIR / f"{kind}.yml").read_text(encoding="utf-8")
    text += (SCAFFOLD_DIR / "_review.yml").read_text(encoding="utf-8")
    values = {"id": item_id, "today": today.isoformat(),
              "review_by": (today + timedelta(days=REVIEW_PERIOD_DAYS)).isoformat()}
    return re.sub(r"\{\{(\w+)\}\}", lambda m: values[m.group(1)], text)


def _id_problem(item_id: str) -> tuple[str, str] | None:
    """(message, hint) when the id cannot be used: the schema's own check (formats.py)."""
    from .formats import id_problem
    longest = load_schema("common")["$defs"]["id"]["maxLength"]
    if len(item_id) > longest:
        return (_("expected an id of at most {limit} characters, received {length}").format(limit=longest, length=len(item_id)),
                _("for example objection-need-discount"))
    return id_problem(item_id)


def create(root: Path, kind: str, item_id: str, today: date | None = None) -> str:
    """Write content/<folder>/<id>.yml from the template; never overwrite. Returns its path."""
    from .writers import create_new
    folder = KIND_BY_NAME[kind].folder
    rel = f"content/{folder}/{item_id}.yml"
    wrong_id = _id_problem(item_id)
    if wrong_id:
        raise ContentError([Problem(rel, 0, 0, "", *wrong_id)])
    taken = [os.path.relpath(path, root) for other in KIND_BY_FOLDER
             for path in [root / "content" / other / f"{item_id}.yml"] if path.exists()]
    if taken:
        raise ContentError([Problem(taken[0], 0, 0, "", _("expected a new id, received '{id}' which this file already uses").format(id=item_id),
                                    _("kb.py new never overwrites a file: choose another id, or edit the existing file"))])
    try:
        create_new(root / rel, render_scaffold(kind, item_id, today or date.today()))
    except FileExistsError:   # created meanwhile by someone else
        raise ContentError([Problem(rel, 0, 0, "", _("expected a new file, found one that was just created"),
                                    _("kb.py new never overwrites a file: edit the existing one"))]) from None
    return rel
