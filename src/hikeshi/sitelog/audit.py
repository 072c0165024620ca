"""The site log's hash chain: an entry's hash, the chain's head, and verifying the chain."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hikeshi.sitelog.models import HEAD_ID, SiteLogEntry, SiteLogHead

GENESIS = "0" * 64
# Entries read per database round trip while verifying: memory stays flat on a long log.
VERIFY_CHUNK = 2000


def _instant(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def canonical_content(entry: SiteLogEntry) -> dict[str, Any]:
    """Return the fields the hash covers, as plain JSON values."""
    return {
        "sequence": entry.sequence,
        "occurred_at": _instant(entry.occurred_at),
        "actor": entry.actor_id,
        "actor_name": entry.actor_name,
        "kind": entry.kind,
        "subject": entry.subject,
        "detail": entry.detail,
        "client_address": entry.client_address,
        "prev_hash": entry.prev_hash,
    }


def compute_hash(entry: SiteLogEntry) -> str:
    """Return the SHA-256 hex digest of the entry's canonical JSON."""
    payload = json.dumps(
        canonical_content(entry), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def site_log_head() -> tuple[int, str]:
    """Return the chain's recorded length and head hash (hex); ``(0, "")`` when it is empty."""
    row = SiteLogHead.objects.filter(pk=HEAD_ID).values_list("length", "head").first()
    if row is None or row[0] == 0:
        return 0, ""
    return row[0], row[1]


def site_log_hash_at(sequence: int) -> str | None:
    """Return the hash of the entry at ``sequence`` (from 1), or None when there is none.

    With the chain itself intact, an entry's hash vouches for every entry before it: a
    checkpoint's head is compared with the entry at the checkpoint's length.
    """
    found = SiteLogEntry.objects.filter(sequence=sequence).values_list("record_hash", flat=True)
    return found.first()


@dataclass(frozen=True)
class SiteLogBreak:
    """The first place the site log's chain does not hold."""

    sequence: int | None
    entry_id: int | None
    reason: str

    def describe(self) -> str:
        """Return a one-line, human-readable description."""
        if self.sequence is None:
            return f"site log: {self.reason}"
        return f"site log entry #{self.sequence} (id {self.entry_id}): {self.reason}"


def find_site_log_break() -> SiteLogBreak | None:
    """Return the first break in the site log's chain, or None when it is intact."""
    expected_prev = GENESIS
    expected_sequence = 1
    # Ordered by primary key, not sequence: a reordering shows as a sequence out of place.
    for entry in SiteLogEntry.objects.order_by("pk").iterator(chunk_size=VERIFY_CHUNK):
        if entry.sequence != expected_sequence:
            return SiteLogBreak(
                entry.sequence,
                entry.pk,
                f"expected sequence {expected_sequence}, found {entry.sequence}"
                " (an entry was deleted or reordered)",
            )
        if entry.prev_hash != expected_prev:
            return SiteLogBreak(
                entry.sequence,
                entry.pk,
                "previous-hash link does not match (an entry was deleted or reordered)",
            )
        if compute_hash(entry) != entry.record_hash:
            return SiteLogBreak(
                entry.sequence,
                entry.pk,
                "content does not match its hash (the entry was edited)",
            )
        expected_prev = entry.record_hash
        expected_sequence += 1
    return _head_break(expected_sequence - 1, expected_prev)


def _head_break(length: int, newest_hash: str) -> SiteLogBreak | None:
    """Return how the head row disagrees with a chain of ``length`` entries, or None."""
    head = SiteLogHead.objects.filter(pk=HEAD_ID).first()
    if head is None:
        if length == 0:
            return None  # nothing was ever recorded
        return SiteLogBreak(
            None, None, f"the log has {length} entries but its head row is missing (deleted)"
        )
    if head.length != length:
        return SiteLogBreak(
            None,
            None,
            f"the log has {length} entries but its head records {head.length}"
            " (entries at the end were deleted, or the head was changed)",
        )
    if (head.head or GENESIS) != newest_hash:
        return SiteLogBreak(
            None,
            None,
            "the head hash does not match the newest entry"
            " (the newest entry or the head was replaced)",
        )
    return None


def verify_site_log() -> str | None:
    """Return a one-line English description of the first break in the site log, or None."""
    found = find_site_log_break()
    return None if found is None else found.describe()
