"""Quiz attempt records (JSON Lines, scripts/kb/schemas/result.schema.json): the canonical digest.

This is the one definition of a record's digest. Standard library only, because quiz notebooks
carry a copy of this file's source in their grading cell; the self-check pages' JavaScript
(assets/quiz.js, `recordDigest`) computes the same bytes and is tested against this function.
"""
import hashlib
import json


def canonical_json(record: dict) -> str:
    """The record without its digest, as the exact text that is hashed."""
    body = {key: value for key, value in record.items() if key != "digest"}
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def record_digest(record: dict) -> str:
    return hashlib.sha256(canonical_json(record).encode("utf-8")).hexdigest()


def seal_record(record: dict) -> dict:
    """A copy of the record with its digest (re)computed."""
    body = {key: value for key, value in record.items() if key != "digest"}
    return {**body, "digest": record_digest(body)}


def digest_matches(record: dict) -> bool:
    """False when the record was edited after it was sealed (or has no digest)."""
    return isinstance(record.get("digest"), str) and record["digest"] == record_digest(record)
