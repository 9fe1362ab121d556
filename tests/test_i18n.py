"""Messages in Chinese: every msgid in the code has a zh_CN translation, the compiled catalog is
the .po's, the language follows --lang / KB_LANG / the locale, and argparse speaks it too."""
from __future__ import annotations

import re
import shutil

import pytest
from conftest import ROOT, run_kb

from kb import catalogs, i18n


def test_every_message_has_a_chinese_translation():
    """Fails for each msgid (in scripts/kb or argparse) that zh_CN lacks, leaves fuzzy or empty,
    or translates with other placeholders. Fix: python scripts/messages.py update, translate."""
    template = catalogs.extract()
    gaps = catalogs.missing(catalogs.read_catalog("zh_CN"), template)
    assert not gaps, "messages without a proper zh_CN translation (run python scripts/messages.py update):\n" + \
        "\n".join(str(gap) for gap in gaps)
    assert len(template) > 30                      # the extraction found the messages at all


def test_the_completeness_check_sees_a_missing_a_fuzzy_and_a_broken_translation():
    from babel.messages.catalog import Catalog
    template = Catalog(locale="zh_CN")
    for msgid in ("one {n}", "two", "three {name}"):
        template.add(msgid)
    catalog = Catalog(locale="zh_CN")
    catalog.add("one {n}", "一 {n}", flags=["fuzzy"])
    catalog.add("three {name}", "三 {名字}")
    reasons = {gap.msgid: gap.reason for gap in catalogs.missing(catalog, template)}
    assert set(reasons) == {"one {n}", "two", "three {name}"}
    assert "fuzzy" in reasons["one {n}"] and "no translation" in reasons["two"]
    assert "placeholders" in reasons["three {name}"]


def test_the_compiled_catalog_is_the_po_file():
    """Every non-fuzzy entry of the .po reads back the same through the catalog kb.py uses."""
    catalog = catalogs.read_catalog("zh_CN")
    loaded = i18n.translations("zh_CN")
    checked = 0
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, str):
            assert loaded.gettext(message.id) == message.string
        else:
            assert loaded.ngettext(message.id[0], message.id[1], 2) == message.string[0]
        checked += 1
    assert checked == len([m for m in catalog if m.id and not m.fuzzy]) > 30


def test_a_stale_compiled_catalog_is_recompiled(tmp_path, monkeypatch):
    """A .mo from an older .po (e.g. committed, or left by a previous checkout) is not used."""
    shutil.copytree(i18n.LOCALE_DIR, tmp_path / "locale")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path / "locale")
    po = i18n.po_path("zh_CN")
    mo = po.with_suffix(".mo")
    mo.unlink(missing_ok=True)
    assert i18n.compiled("zh_CN").gettext("options") == "选项"
    assert mo.read_bytes() == i18n.compile_catalog(po)          # compiled and saved on first use
    po.write_text(po.read_text(encoding="utf-8").replace('msgstr "选项"', 'msgstr "选项（新）"'), encoding="utf-8")
    monkeypatch.setattr(i18n, "_loaded", {})
    assert i18n.translations("zh_CN").gettext("options") == "选项（新）"
    assert mo.read_bytes() == i18n.compile_catalog(po)          # and saved again from the new .po
    mo.write_bytes(b"not a catalog")                            # a broken file is replaced too
    assert i18n.compiled("zh_CN").gettext("options") == "选项（新）"


@pytest.mark.parametrize("environment, expected", [
    ({"KB_LANG": "en"}, "en"),
    ({"KB_LANG": "zh_CN", "LANG": "en_US.UTF-8"}, "zh_CN"),
    ({"KB_LANG": "", "LANG": "en_US.UTF-8"}, "en"),
    ({"KB_LANG": "", "LANG": "zh_CN.UTF-8"}, "zh_CN"),
    ({"KB_LANG": "", "LANGUAGE": "zh_TW:en", "LANG": "en_US.UTF-8"}, "zh_CN"),
    ({"KB_LANG": "", "LC_ALL": "en_GB.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
    ({"KB_LANG": "", "LANG": "C.UTF-8"}, "zh_CN"),          # no real locale: the users read Chinese
    ({"KB_LANG": "", "LANG": "fr_FR.UTF-8"}, "zh_CN"),      # a language we have no catalog for
    ({"KB_LANG": "klingon"}, "zh_CN"),
])
def test_the_language_comes_from_the_setting_then_the_locale(monkeypatch, environment, expected):
    for variable in ("KB_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)
    for variable, value in environment.items():
        monkeypatch.setenv(variable, value)
    i18n.set_language(None)
    assert i18n.current_language() == expected


def test_lang_option_and_argparse_texts(language):
    language("en")
    chinese = run_kb(ROOT, "--lang", "zh_CN", "--help")
    assert chinese.returncode == 0
    assert chinese.stdout.startswith("用法：kb.py") and "显示本帮助信息并退出" in chinese.stdout
    language("zh_CN")
    wrong = run_kb(ROOT, "no-such-command")
    assert wrong.returncode == 2
    assert "kb.py：错误：参数 COMMAND：无效的选择：'no-such-command'" in wrong.stderr
    english = run_kb(ROOT, "--lang=en", "no-such-command")
    assert "kb.py: error: argument COMMAND: invalid choice: 'no-such-command'" in english.stderr
    after_the_command = run_kb(ROOT, "review", "--days", "x", "--lang", "en")
    assert after_the_command.stderr.endswith("kb.py review: error: argument --days: expected a number of days from 0 to 36500, received 'x'\n")


def _bare_text(node) -> bool:
    """A string literal or f-string with English words in it, not passed through _()."""
    import ast
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(re.search(r"[A-Za-z]{2,}", node.value))
    if isinstance(node, ast.JoinedStr):
        return any(_bare_text(part) for part in node.values if isinstance(part, ast.Constant))
    if isinstance(node, ast.BinOp):                     # "text " + something
        return _bare_text(node.left) or _bare_text(node.right)
    return False


def test_no_trainer_message_bypasses_gettext():
    """The messages a trainer reads (a Problem's message and hint, what the CLI prints, the
    errors it raises) go through _(): an f-string or plain literal there would never reach the
    catalog, so the completeness test above could not see it."""
    import ast
    messages = {"Problem": (4, 5, "message", "hint"), "print": (0,), "say": (0,),
                "BuildError": (0,), "BuildLocked": (0,), "ArgumentTypeError": (0,)}
    found = []
    for path in sorted((ROOT / "scripts" / "kb").rglob("*.py")):
        if path.name in ("bench.py", "runtime.py", "i18n.py"):   # benchmarks; the notebook's code; no catalog yet
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name not in messages:
                continue
            places, index, arguments = messages[name], 0, []
            for arg in node.args:                        # *where(...) / *item.position(...) give line, column
                if index in places:
                    arguments.append(arg)
                index += 2 if isinstance(arg, ast.Starred) else 1
            arguments += [keyword.value for keyword in node.keywords if keyword.arg in places]
            found += [f"{path.relative_to(ROOT)}:{node.lineno}" for arg in arguments if _bare_text(arg)]
    assert not found, "wrap these messages in _() (see README, Messages):\n" + "\n".join(found)


def test_a_fresh_clone_compiles_the_catalog_on_first_use(mini_project, language):
    """No .mo (a fresh clone before set-up): the first kb.py run compiles it and speaks Chinese."""
    mo = mini_project / "scripts" / "kb" / "locale" / "zh_CN" / "LC_MESSAGES" / "kb.mo"
    mo.unlink(missing_ok=True)
    language("zh_CN")
    result = run_kb(mini_project, "check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith("完成：内容检查通过\n")
    assert mo.read_bytes() == i18n.compile_catalog(mini_project / "scripts" / "kb" / "locale" / "zh_CN" / "LC_MESSAGES" / "kb.po")
