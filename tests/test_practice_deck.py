"""Anki decks from `kb.py deck`, imported with the real Anki library into a fresh collection:
the right notes and fields, trainer text kept as text, and a rebuilt deck updating in place."""
from __future__ import annotations

import html
import time

import pytest

from conftest import make_project, run_kb

from kb.content import load_content
from kb.practice.deck import role_notes
from kb.review import published, today

ROLE = "sales"


def import_deck(collection_path, package):
    from anki.collection import Collection
    from anki.import_export_pb2 import ImportAnkiPackageOptions, ImportAnkiPackageRequest
    collection = Collection(str(collection_path))
    try:
        # the options Anki's import dialog starts with: update notes and note types if newer
        collection.import_anki_package(ImportAnkiPackageRequest(package_path=str(package), options=ImportAnkiPackageOptions()))
        notes = {}
        for note_id in collection.find_notes(""):
            note = collection.get_note(note_id)
            notes[note.guid] = {"fields": dict(note.items()), "tags": note.tags, "cards": len(note.cards())}
        return notes
    finally:
        collection.close()


def note_for(notes, title):
    return next(note for note in notes.values() if note["fields"].get("话术") == html.escape(title))


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path / "project")


def test_deck_imports_into_anki_and_updates_in_place(project, tmp_path):
    result = run_kb(project, "deck", "--role", ROLE)
    assert result.returncode == 0, result.stderr
    content = published(load_content(project), today())
    expected = role_notes(content)[ROLE]
    scripts = [n for n in expected if n.kind == "script"]
    script = content.items[scripts[0].guid_parts[1]]

    notes = import_deck(tmp_path / "one.anki2", project / "decks" / f"{ROLE}.apkg")
    assert len(notes) == len(expected)
    assert sum(1 for n in notes.values() if "话术" in n["fields"]) == len(scripts)
    assert all(n["cards"] == 1 for n in notes.values())
    note = note_for(notes, script.data["title"])
    assert note["fields"]["回复"] == html.escape(script.data["response"]["text"])
    assert note["fields"]["客户说"].startswith("“" + html.escape(script.data["customer_says"][0]))
    assert "阶段::" + {"opening": "开场白", "discovery": "需求挖掘", "objection": "异议处理", "closing": "促成",
                      "after_sales": "售后", "follow_up": "回访"}[script.data["stage"]] in note["tags"]
    assert "话术" in note["tags"]

    # edit the script's reply (with markup in it), rebuild, import into the same collection
    path = project / script.file
    source = path.read_text(encoding="utf-8")
    old = script.data["response"]["text"]
    path.write_text(source.replace(old, "<b>新的回复</b>" + old, 1), encoding="utf-8")
    time.sleep(1.1)            # Anki updates a note when the imported one is newer (to the second)
    assert run_kb(project, "deck", "--role", ROLE).returncode == 0
    again = import_deck(tmp_path / "one.anki2", project / "decks" / f"{ROLE}.apkg")
    assert set(again) == set(notes)                                        # same notes, none doubled
    edited = note_for(again, script.data["title"])
    assert edited["fields"]["回复"] == "&lt;b&gt;新的回复&lt;/b&gt;" + html.escape(old)   # text, not markup


def test_unknown_role_is_a_clear_error(project):
    result = run_kb(project, "deck", "--role", "nobody")
    assert result.returncode == 1
    assert "expected the id of a role, received 'nobody'" in result.stderr
    assert not (project / "decks" / "nobody.apkg").exists()
