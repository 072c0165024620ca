"""The hash chain over action records: computing a record's hash and verifying chains."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hikeshi.incidents.models import ActionRecord, Incident

GENESIS = "0" * 64


def _instant(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def canonical_content(record: ActionRecord) -> dict[str, Any]:
    """Return the fields the hash covers, as plain JSON values."""
    return {
        "incident": record.incident_id,
        "sequence": record.sequence,
        "actor": record.actor_id,
        "actor_name": record.actor_name,
        "performed_at": _instant(record.performed_at),
        "recorded_at": _instant(record.recorded_at),
        "kind": record.kind,
        "what": record.what,
        "scope": record.scope,
        "settings": record.settings_text,
        "note": record.note,
        "corrects": record.corrects_id,
        "checklist_item": record.checklist_item_ref,
        "evidence": record.evidence_ref,
        "finding": record.finding_ref,
        "prev_hash": record.prev_hash,
    }


def compute_hash(record: ActionRecord) -> str:
    """Return the SHA-256 hex digest of the record's canonical JSON."""
    payload = json.dumps(
        canonical_content(record), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    """The first place an incident's chain does not hold."""

    incident_id: int
    sequence: int | None
    record_id: int | None
    reason: str

    def describe(self) -> str:
        """Return a one-line, human-readable description."""
        where = f"incident {self.incident_id}"
        if self.sequence is not None:
            where += f", action record #{self.sequence} (id {self.record_id})"
        return f"{where}: {self.reason}"


def verify_incident(incident: Incident) -> ChainBreak | None:
    """Return the first break in the incident's chain, or None when it is intact."""
    expected_prev = GENESIS
    expected_sequence = 1
    # Ordered by primary key, not sequence: a reordering shows as a sequence out of place.
    for record in ActionRecord.objects.filter(incident=incident).order_by("pk").iterator():

        def broken(reason: str, rec: ActionRecord = record) -> ChainBreak:
            return ChainBreak(incident.pk, rec.sequence, rec.pk, reason)

        if record.sequence != expected_sequence:
            return broken(
                f"expected sequence {expected_sequence}, found {record.sequence}"
                " (a record was deleted or reordered)"
            )
        if record.prev_hash != expected_prev:
            return broken("previous-hash link does not match (a record was deleted or reordered)")
        if compute_hash(record) != record.record_hash:
            return broken("content does not match its hash (the record was changed)")
        expected_prev = record.record_hash
        expected_sequence += 1
    length = expected_sequence - 1
    if length != incident.audit_length or expected_prev != (incident.audit_head or GENESIS):
        return ChainBreak(
            incident.pk,
            None,
            None,
            f"the chain has {length} records but the incident's head says"
            f" {incident.audit_length} (records at the end were deleted or replaced)",
        )
    return None


def verify_all() -> Iterator[tuple[Incident, ChainBreak | None]]:
    """Yield every incident with the first break in its chain (None when intact)."""
    for incident in Incident.objects.order_by("pk").iterator():
        yield incident, verify_incident(incident)
