"""Anki decks per role (`kb.py deck`): a note per approved script of the role and notes for the
product facts, written with genanki. Stable ids everywhere (note GUIDs from content ids, model
and deck ids from fixed names), so a rebuilt deck imported again updates the cards in place.
Anki fields are HTML: every trainer text is escaped, so it shows as text, never as markup.
"""
from __future__ import annotations

import hashlib
import html
import re
import time
from dataclasses import dataclass
from pathlib import Path

from ..model import STAGES, Content, Item
from ..quiz.derive import _roles_of, approved

DECK_DIR = "decks"
CARD_STYLE = """.card { font-family: sans-serif; font-size: 18px; text-align: left; line-height: 1.5; }
.kb-label { color: #57606a; font-size: 14px; margin-top: 12px; }
.kb-avoid { color: #cf222e; }"""
SCRIPT_FIELDS = ("客户说", "回复", "步骤", "不要说", "跟进", "话术", "阶段")
FACT_FIELDS = ("问题", "答案", "产品")


def _stable_id(name: str) -> int:
    """A fixed 31-bit id from a name (Anki model and deck ids must not change between builds)."""
    return int(hashlib.sha1(name.encode("utf-8")).hexdigest()[:8], 16) >> 1 | 1 << 30


def text(value: str) -> str:
    """Trainer text as HTML text (line breaks kept)."""
    return html.escape(str(value), quote=True).replace("\n", "<br>")


def lines(values, ordered: bool = False) -> str:
    tag = "ol" if ordered else "ul"
    return f"<{tag}>" + "".join(f"<li>{text(v)}</li>" for v in values) + f"</{tag}>" if values else ""


def tag(value: str) -> str:
    """Anki tags cannot hold spaces; '::' makes a hierarchy in Anki's browser."""
    return re.sub(r"\s+", "_", str(value).strip())


@dataclass(frozen=True)
class Note:
    guid_parts: tuple[str, ...]
    kind: str                    # "script" or "fact"
    fields: tuple[str, ...]
    tags: tuple[str, ...]


def script_note(script: Item) -> Note:
    d = script.data
    avoid = "".join(f'<li><span class="kb-avoid">{text(a["say"])}</span> —— {text(a["why"])}</li>' for a in d.get("avoid") or [])
    fields = ("<br>".join(f"“{text(words)}”" for words in d["customer_says"]), text(d["response"]["text"]),
              lines(d["response"]["steps"], ordered=True), f"<ul>{avoid}</ul>" if avoid else "",
              lines(d.get("follow_up") or []), text(d["title"]), text(STAGES[d["stage"]]))
    tags = ("话术", f"阶段::{STAGES[d['stage']]}", *(f"主题::{tag(t)}" for t in d.get("tags") or []))
    return Note(("kb-script", script.id), "script", fields, tags)


def product_notes(product: Item) -> list[Note]:
    d = product.data
    name = d["name"]
    tags = ("产品知识", f"品类::{tag(d['category'])}", *(f"主题::{tag(t)}" for t in d.get("tags") or []))
    facts = [("selling-points", f"{name}的主要卖点有哪些？", lines(d["selling_points"])),
             ("usage", f"{name}怎么用？", lines(d["usage"], ordered=True)),
             ("precautions", f"{name}有哪些注意事项？", lines(d["precautions"]))]
    if d.get("not_for"):
        facts.append(("not-for", f"哪些人不适合用{name}？", lines(d["not_for"])))
    notes = [Note(("kb-product", product.id, key), "fact", (text(question), answer, text(name)), tags)
             for key, question, answer in facts]
    for faq in d.get("faqs") or []:
        # the question is the key: an edited answer updates the same note
        notes.append(Note(("kb-product", product.id, "faq", faq["q"]), "fact", (text(faq["q"]), text(faq["a"]), text(name)), tags))
    return notes


def role_notes(content: Content) -> dict[str, list[Note]]:
    """Role id -> its notes: approved scripts of the role, then the products those scripts are
    about and the products the role is asked about (its learning path, `roles`)."""
    roles_of = _roles_of(content)
    scripts = [s for s in content.of_kind("script") if approved(s)]
    products = {p.id: p for p in content.of_kind("product") if approved(p)}
    result = {}
    made_script_notes: dict[str, Note] = {}       # a script or product shared by roles is made once
    made_product_notes: dict[str, list[Note]] = {}
    for role in content.of_kind("role"):
        mine = [s for s in scripts if role.id in roles_of[s.id]]
        wanted = {p for s in mine for p in s.data.get("related_products") or []}
        wanted |= {pid for pid in products if role.id in roles_of[pid]}
        notes = [made_script_notes[s.id] if s.id in made_script_notes else made_script_notes.setdefault(s.id, script_note(s)) for s in mine]
        for pid in sorted(wanted):
            if pid in products:
                if pid not in made_product_notes:
                    made_product_notes[pid] = product_notes(products[pid])
                notes += made_product_notes[pid]
        result[role.id] = notes
    return result


def _models():
    import genanki
    script_model = genanki.Model(
        _stable_id("kb-practice-script-model-v1"), "青禾话术对练",
        fields=[{"name": name} for name in SCRIPT_FIELDS],
        templates=[{"name": "客户说 → 回复",
                    "qfmt": '<div class="kb-label">{{阶段}} · 客户说：</div>{{客户说}}<div class="kb-label">你会怎么回？</div>',
                    "afmt": '{{FrontSide}}<hr id="answer"><div class="kb-label">推荐回复（{{话术}}）</div>{{回复}}'
                            '<div class="kb-label">步骤</div>{{步骤}}{{#不要说}}<div class="kb-label">不要这样说</div>{{不要说}}{{/不要说}}'
                            '{{#跟进}}<div class="kb-label">之后要做</div>{{跟进}}{{/跟进}}'}],
        css=CARD_STYLE)
    fact_model = genanki.Model(
        _stable_id("kb-practice-fact-model-v1"), "青禾产品知识",
        fields=[{"name": name} for name in FACT_FIELDS],
        templates=[{"name": "问题 → 答案", "qfmt": '<div class="kb-label">{{产品}}</div>{{问题}}',
                    "afmt": '{{FrontSide}}<hr id="answer">{{答案}}'}],
        css=CARD_STYLE)
    return {"script": script_model, "fact": fact_model}


def build_package(role: Item, notes: list[Note], made: dict | None = None):
    """A genanki package of the role's deck; `made` shares genanki notes between the decks of
    one run (a script in five roles' decks is built once)."""
    import genanki
    made = {} if made is None else made
    models = made.setdefault("models", _models())
    deck = genanki.Deck(_stable_id(f"kb-practice-deck|{role.id}"), f"青禾销售训练::{role.data['name']}")
    for note in notes:
        if note.guid_parts not in made:
            made[note.guid_parts] = genanki.Note(model=models[note.kind], fields=list(note.fields), tags=list(note.tags),
                                                 guid=genanki.guid_for(*note.guid_parts))
        deck.add_note(made[note.guid_parts])
    return genanki.Package(deck)


def write_decks(root: Path, roles: list[str] | None = None, content: Content | None = None) -> dict[str, int]:
    """decks/<role>.apkg for every role (or only `roles`); returns {path: note count}.
    `content`: the published content when the caller has it already (benchmark)."""
    from ..pipeline import read_content
    from ..review import published, today
    from ..writers import atomic_write
    from .generate import check_roles
    content = content or published(read_content(root), today())
    check_roles(content, roles)
    notes = role_notes(content)
    written, made = {}, {}
    (root / DECK_DIR).mkdir(exist_ok=True)
    for role in content.of_kind("role"):
        if roles and role.id not in roles:
            continue
        target = root / DECK_DIR / f"{role.id}.apkg"
        atomic_write(target, package_bytes(build_package(role, notes[role.id], made)))
        written[str(target.relative_to(root))] = len(notes[role.id])
    return written


def package_bytes(package) -> bytes:
    """The .apkg file: genanki fills the collection (write_to_db), in memory rather than in
    genanki's temporary file on disk, whose schema script alone took 0.2 s a deck of syncing;
    zipped the way genanki's write_to_file does (collection.anki2 and an empty media map)."""
    import io
    import itertools
    import sqlite3
    import zipfile
    timestamp = time.time()
    connection = sqlite3.connect(":memory:")
    try:
        package.write_to_db(connection.cursor(), timestamp, itertools.count(int(timestamp * 1000)))
        connection.commit()
        database = connection.serialize()
    finally:
        connection.close()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("collection.anki2", database)
        archive.writestr("media", "{}")
    return buffer.getvalue()
