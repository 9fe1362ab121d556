"""The finder's index: built from the published content only, links to real anchors, inert
text, and written only when it changed (Sphinx and browsers cache by modification time)."""
from __future__ import annotations

import json
import os
from datetime import date

from conftest import ROOT
from kb.content import load_content
from kb.finder import INDEX_FILE, INDEX_MARKER, build_index, render_index
from kb.pipeline import site_files
from kb.review import published
from kb.writers import sync_generated


def _index_of(files: dict[str, str]) -> dict:
    text = files[INDEX_FILE]
    assert text.startswith(INDEX_MARKER + "\nwindow.KB_FINDER_INDEX = ") and text.endswith(";\n")
    return json.loads(text.split(" = ", 1)[1][:-2])


def test_every_published_script_is_in_the_index_with_its_anchor(mini_project):
    content = load_content(mini_project)
    index = _index_of(site_files(content))
    scripts = {doc["id"]: doc for doc in index["docs"] if doc["k"] == "script"}
    assert set(scripts) == {item.id for item in content.of_kind("script")}
    doc = scripts["ask-price"]
    assert doc["u"] == "book/kb/scripts/objection.html#kb-ask-price" and doc["st"] == "异议处理"
    assert doc["r"] == content.items["ask-price"].data["response"]["text"]
    assert [index["products"][n]["id"] for n in doc["p"]] == ["cream"]
    assert {doc["k"] for doc in index["docs"]} >= {"script", "product", "case", "rule", "sop"}


def test_a_draft_is_not_in_the_published_index(mini_project):
    path = mini_project / "content" / "scripts" / "want-return.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("status: approved", "status: draft", 1), encoding="utf-8")
    content = load_content(mini_project)
    index = _index_of(site_files(published(content, date(2026, 11, 27))))
    assert "want-return" not in {doc["id"] for doc in index["docs"]}


def test_the_index_is_written_only_when_it_changed(mini_project):
    index_path = mini_project / INDEX_FILE
    sync_generated(mini_project, site_files(load_content(mini_project)))
    os.utime(index_path, ns=(1, 1))
    report = sync_generated(mini_project, site_files(load_content(mini_project)))
    assert INDEX_FILE in report.unchanged and os.stat(index_path).st_mtime_ns == 1
    script = mini_project / "content" / "scripts" / "ask-price.yml"
    script.write_text(script.read_text(encoding="utf-8").replace("customer_says: [太贵了]", "customer_says: [太贵了, 能便宜点吗]"), encoding="utf-8")
    report = sync_generated(mini_project, site_files(load_content(mini_project)))
    assert INDEX_FILE in report.written and "便宜点" in index_path.read_text(encoding="utf-8")


def test_the_index_file_holds_no_markup():
    content = load_content(ROOT)
    items = dict(content.items)
    hostile = items["objection-too-expensive"]
    items[hostile.id] = type(hostile)(hostile.kind, hostile.id, {**hostile.data, "title": "</script><img src=x onerror=alert(1)>`x`"},
                                      hostile.file)
    text = render_index(build_index(type(content)(items, synonyms=content.synonyms), content.synonyms))
    body = text.split("\n", 1)[1]
    assert not any(char in body for char in "<>`&"), "markup characters must be \\u escapes in the index"


def test_hand_written_pages_are_in_the_index_by_title_and_headings():
    from kb.finder import rank, read_book_pages
    content = load_content(ROOT)
    index = build_index(content, content.synonyms, read_book_pages(ROOT))
    pages = {doc["id"]: doc for doc in index["docs"] if doc["k"] == "page"}
    assert pages["book/trainer-guide"]["t"] == "培训师指南" and pages["book/trainer-guide"]["u"] == "book/trainer-guide.html"
    best = rank(index, "回复里的占位符怎么写", kinds=("page",))[0][0]
    assert index["docs"][best]["id"] == "book/trainer-guide"
