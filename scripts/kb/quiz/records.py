"""Quiz attempt records (JSON Lines, scripts/kb/schemas/result.schema.json): the digest that
makes a changed record visible."""
from __future__ import annotations

import hashlib
import json


def record_digest(record: dict) -> str:
    """sha256 hex of the canonical JSON of the record without its "digest" field."""
    body = {key: value for key, value in record.items() if key != "digest"}
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
