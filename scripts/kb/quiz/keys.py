"""Answer keys kept on the trainer's machine: one file per quiz version, never overwritten,
and the grading secret that signs graded certification results.

keys/<quiz id>/<quiz version>.json   the key of one version (practice and certification)
keys/grading.secret                   HMAC-SHA256 secret (created on first use, mode 0600)

A practice key can always be regenerated from content, seed and version while the content is
unchanged; archiving it when the quiz is written (and when a record of it is imported) keeps
old versions gradable after the content changes.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path

from .model import Quiz
from .records import canonical_json

KEY_DIR = Path("keys")
SECRET_FILE = KEY_DIR / "grading.secret"
KEY_VERSION = 2


# ---- the secret and signatures ----

def grading_secret(root: Path) -> bytes:
    """The trainer's secret; created (exclusively, so two runs agree) when first needed."""
    path = root / SECRET_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
    import time
    for _attempt in range(50):     # another run may be writing it this very moment
        text = path.read_text(encoding="ascii", errors="replace").strip()
        if len(text) == 64 and all(ch in "0123456789abcdef" for ch in text):
            return bytes.fromhex(text)
        time.sleep(0.01)
    from ..i18n import _
    from ..problems import ContentError, Problem
    raise ContentError([Problem(str(SECRET_FILE), 0, 0, "", _("expected a grading secret (64 hexadecimal characters), received other text"),
                                _("restore keys/grading.secret from your backup: grades signed with the old secret can only be checked with it"))])


def _signed_text(record: dict) -> bytes:
    return canonical_json({k: v for k, v in record.items() if k not in ("digest", "signature")}).encode("utf-8")


def sign(record: dict, secret: bytes) -> str:
    return hmac.new(secret, _signed_text(record), hashlib.sha256).hexdigest()


def signature_valid(record: dict, secret: bytes) -> bool:
    claimed = record.get("signature")
    return isinstance(claimed, str) and hmac.compare_digest(claimed, sign(record, secret))


def key_mac(secret: bytes, quiz: Quiz) -> str:
    """A keyed digest of a certification quiz's answers: it goes into the version so a changed
    answer makes a new version, without letting a learner test guesses against it."""
    text = "|".join(f"{q.item.id}={q.key}" for q in quiz.questions)
    return hmac.new(secret, text.encode("utf-8"), hashlib.sha256).hexdigest()


# ---- key files ----

def key_path(root: Path, quiz_id: str, version: str) -> Path:
    return root / KEY_DIR / quiz_id / f"{version}.json"


def key_data(quiz: Quiz, link_of) -> dict:
    """Answers in the clear with the question texts (the report shows them instead of ids)."""
    items = []
    for question in quiz.questions:
        item = question.item
        title, url = link_of(item.content_id)
        items.append({"id": item.id, "type": item.type, "topic": item.topic, "content_id": item.content_id,
                      "stem": item.stem, "answer": question.key, "explanation": item.explanation, "title": title, "url": url})
    return {"key_version": KEY_VERSION, "quiz_id": quiz.quiz_id, "quiz_version": quiz.version, "role": quiz.role_id,
            "seed": quiz.seed, "mode": quiz.mode, "pass_mark": quiz.pass_mark, "items": items}


def cell_digest(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def locked_cells(notebook_text: str) -> dict[str, str]:
    """Cell id -> digest of each locked cell (editable: false) of a notebook as written, so
    `grade` can tell which ones a learner edited."""
    notebook = json.loads(notebook_text)
    return {cell["id"]: cell_digest("".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"])
            for cell in notebook["cells"] if cell.get("metadata", {}).get("editable") is False}


def key_text(key: dict) -> str:
    return json.dumps(key, ensure_ascii=False, indent=1) + "\n"


def archive_key(root: Path, key: dict) -> bool:
    """Write the key of a version if no file holds it yet; never replace one (True if written)."""
    from ..writers import atomic_write
    path = key_path(root, key["quiz_id"], key["quiz_version"])
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    atomic_write(tmp, key_text(key).encode("utf-8"))
    try:
        os.link(tmp, path)          # atomic and fails if the file exists: a key is never overwritten
    except FileExistsError:
        return False
    finally:
        tmp.unlink(missing_ok=True)
    return True


def read_key(path: Path) -> dict | None:
    try:
        key = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    from ..schema import is_valid
    if isinstance(key, dict) and key.get("key_version") in (1, KEY_VERSION) and is_valid("certify-key", key):
        return key
    return None


def find_key(root: Path, quiz_id: str, version: str) -> dict | None:
    """The key of exactly this version: the archive, else a key of the old layout (keys/<quiz>.json)."""
    key = read_key(key_path(root, quiz_id, version))
    if key is None:
        legacy = read_key(root / KEY_DIR / f"{quiz_id}.json")
        key = legacy if legacy and legacy.get("quiz_version") == version else None
    return key if key and key.get("quiz_id") == quiz_id and key.get("quiz_version") == version else None


def known_versions(root: Path, quiz_id: str) -> list[str]:
    folder = root / KEY_DIR / quiz_id
    return sorted(p.stem for p in folder.glob("*.json")) if folder.is_dir() else []


def archive_site_keys(root: Path, content) -> int:
    """Keep the key of each self-check page's quiz (seed-0 practice, as published), so its
    results stay gradable after the content changes; returns the number of new key files."""
    from .bank import read_bank
    from .generate import site_links, site_url_from_config
    from .page import practice_quizzes
    link_of = site_links(content, site_url_from_config(root), ".")
    return sum(archive_key(root, key_data(quiz, link_of)) for quiz in practice_quizzes(content, read_bank(root)))
