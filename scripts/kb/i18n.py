"""Messages in the trainer's language: gettext catalogs with English msgids as the fallback.

Wrap every string a trainer sees:

    from .i18n import _, ngettext
    _("expected {expected}, received {received}").format(expected=..., received=...)
    ngettext("{n} problem found", "{n} problems found", n).format(n=n)

Use `str.format` placeholders *outside* `_()` (never f-strings: the extractor cannot see them),
and `N_("...")` to mark a string kept in a table and translated later with `_()`.

Language: `set_language()` (the CLI's `--lang`), else the `KB_LANG` setting, else the first of
LANGUAGE / LC_ALL / LC_MESSAGES / LANG that names a language we have a catalog for, else zh_CN
(the trainers read Chinese). `en` is English (the msgids themselves).

Catalogs: `scripts/kb/locale/<lang>/LC_MESSAGES/kb.po` (committed, edited by translators). The
binary `kb.mo` beside it is compiled from the `.po` by Babel on first use, and again whenever the
`.po` changed: the `.mo` carries the SHA-256 of the `.po` it came from, so a stale `.mo` is never
used (it is git-ignored). `python scripts/messages.py compile` compiles them ahead of time,
`python scripts/messages.py update` re-extracts the msgids from the code into the `.po` files.
"""
from __future__ import annotations

import gettext as _gettext
import hashlib
import io
import os
import sys
import threading
from pathlib import Path

DOMAIN = "kb"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DEFAULT_LANGUAGE = "zh_CN"
ENGLISH = "en"
SOURCE_HASH_KEY = "__kb_catalog_source_sha256__"   # a msgid no code uses: the .po's hash

_lock = threading.Lock()
_chosen: str | None = None                        # set_language(); None: from the environment
_loaded: dict[str, _gettext.NullTranslations] = {}


def available_languages() -> list[str]:
    """Languages with a catalog, plus English (the msgids)."""
    found = sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return [ENGLISH, *found]


def normalize(name: str) -> str | None:
    """'zh_CN.UTF-8' → 'zh_CN', 'zh' → 'zh_CN', 'en_US' → 'en', 'C'/'POSIX' → 'en'; None when
    we have no catalog for it."""
    name = name.strip().split(".")[0].split("@")[0].replace("-", "_")
    if not name:
        return None
    if name in ("C", "POSIX"):
        return ENGLISH
    have = available_languages()
    for candidate in have:
        if candidate.lower() == name.lower():
            return candidate
    base = name.split("_")[0].lower()
    if base == ENGLISH:
        return ENGLISH
    for candidate in have:                        # 'zh' or 'zh_SG': the closest catalog we have
        if candidate.split("_")[0].lower() == base:
            return candidate
    return None


def set_language(name: str | None) -> str:
    """Choose the language for this process (None: back to the environment). Returns the
    language used; raises ValueError naming the choices for one we do not have."""
    global _chosen
    if name is None:
        _chosen = None
        return current_language()
    found = normalize(name)
    if found is None:
        raise ValueError(name)
    _chosen = found
    return found


def current_language() -> str:
    if _chosen:
        return _chosen
    setting = os.environ.get("KB_LANG", "")
    if setting.strip() and normalize(setting):
        return normalize(setting)
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if not value:
            continue
        for part in value.split(":"):              # LANGUAGE may list several
            found = normalize(part)
            if found and not (found == ENGLISH and part.split(".")[0] in ("C", "POSIX")):
                return found
        if variable != "LANGUAGE":                 # the first set one of LC_ALL/LC_MESSAGES/LANG rules
            break
    return DEFAULT_LANGUAGE


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def compile_catalog(po_file: Path) -> bytes:
    """The .mo bytes for a .po file (Babel), carrying the .po's SHA-256 under SOURCE_HASH_KEY.
    Fuzzy entries are left out, as msgfmt does."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    source = po_file.read_bytes()
    catalog = read_po(io.BytesIO(source), locale=po_file.parent.parent.name, domain=DOMAIN)
    catalog.add(SOURCE_HASH_KEY, hashlib.sha256(source).hexdigest())
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def _is_current(translations: _gettext.NullTranslations, po_file: Path) -> bool:
    return translations.gettext(SOURCE_HASH_KEY) == hashlib.sha256(po_file.read_bytes()).hexdigest()


def _parsed(data: bytes) -> _gettext.GNUTranslations | None:
    try:
        return _gettext.GNUTranslations(io.BytesIO(data))
    except Exception:                              # truncated or foreign file: recompile
        return None


def compiled(language: str) -> _gettext.GNUTranslations:
    """The catalog of a language: the .mo on disk when it was compiled from the current .po, else
    compiled afresh (and saved atomically for the next run when the folder is writable)."""
    po_file = po_path(language)
    mo_file = po_file.with_suffix(".mo")
    if mo_file.exists():
        found = _parsed(mo_file.read_bytes())
        if found is not None and _is_current(found, po_file):
            return found
    return _gettext.GNUTranslations(io.BytesIO(save_compiled(language)))


def save_compiled(language: str) -> bytes:
    """Compile a language's .po and replace its .mo in one rename (a concurrent run reads the old
    or the new file, never half of one); a read-only checkout keeps it in memory only."""
    po_file = po_path(language)
    mo_file = po_file.with_suffix(".mo")
    data = compile_catalog(po_file)
    temporary = mo_file.with_name(f".{mo_file.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, mo_file)
    except OSError:
        temporary.unlink(missing_ok=True)
    return data


def translations(language: str | None = None) -> _gettext.NullTranslations:
    language = language or current_language()
    with _lock:
        if language not in _loaded:
            if language == ENGLISH or not po_path(language).exists():
                _loaded[language] = _gettext.NullTranslations()
            else:
                try:
                    _loaded[language] = compiled(language)
                except ImportError:                # Babel missing: say so once, speak English
                    print("kb: Babel is not installed (bash .ci/setup); messages are in English",
                          file=sys.stderr)
                    _loaded[language] = _gettext.NullTranslations()
        return _loaded[language]


def _(message: str) -> str:
    """The translation of an English message (the message itself when there is none)."""
    return translations().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations().ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks a string for extraction without translating it now (tables built at import)."""
    return message


gettext = _

# The operating system's words for the usual reasons a file or port cannot be used: `strerror`
# is always English, so the common ones are in the catalog too.
OS_REASONS = (N_("No such file or directory"), N_("Permission denied"), N_("Is a directory"), N_("Not a directory"),
              N_("Address already in use"), N_("No space left on device"), N_("Read-only file system"),
              N_("File exists"), N_("Directory not empty"))


def os_reason(error: BaseException) -> str:
    """Why an operation failed, from an OSError's strerror (translated when we know the words)."""
    reason = getattr(error, "strerror", None)
    return _(reason) if reason else str(error)
