"""The byte form every hash of the audit trail is taken over: canonical JSON, SHA-256."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

# The previous hash of a chain's first record.
GENESIS = "0" * 64


def instant(value: datetime | None) -> str | None:
    """Return the time as UTC ISO 8601 with microseconds (None stays None)."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def canonical_json(value: Any) -> str:
    """Return ``value`` as canonical JSON text: sorted keys, no spaces, text left unescaped."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def sha256_hex(value: Any) -> str:
    """Return the SHA-256 hex digest of ``value``'s canonical JSON (UTF-8)."""
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


def rows_digest(rows: Iterable[Mapping[str, Any]]) -> str:
    """Return the SHA-256 hex digest of a multiset of canonical rows (order does not matter).

    Each row's canonical JSON is one line (JSON escapes newlines inside text, so a line is
    one row); the lines are sorted, so the database may return the rows in any order.
    """
    lines = sorted(canonical_json(row) for row in rows)
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line.encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()
