"""The hash chain over an incident's action records: a record's hashed content, walking a chain.

Pure Python (no Django at run time), so an exported chain verifies without a database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hikeshi.incidents.audit.canonical import GENESIS, instant, sha256_hex
from hikeshi.incidents.audit.findings import Finding

if TYPE_CHECKING:
    from hikeshi.incidents.models import ActionRecord


def record_content(record: ActionRecord) -> dict[str, Any]:
    """Return the fields a record's hash covers, as plain JSON values.

    ``coverage`` is hashed only when the record covers something: records written before
    coverage existed hash the original sixteen fields and still verify.
    """
    content: dict[str, Any] = {
        "incident": record.incident_id,
        "sequence": record.sequence,
        "actor": record.actor_id,
        "actor_name": record.actor_name,
        "performed_at": instant(record.performed_at),
        "recorded_at": instant(record.recorded_at),
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
    if record.coverage:
        content["coverage"] = record.coverage
    return content


def compute_hash(record: ActionRecord) -> str:
    """Return the SHA-256 hex digest of the record's canonical content."""
    return sha256_hex(record_content(record))


@dataclass(frozen=True)
class ChainEntry:
    """One record as the chain sees it: its id, stored hash and hashed content."""

    record_id: int
    record_hash: str
    content: dict[str, Any]

    @property
    def sequence(self) -> int:
        """Return the record's place in the chain (from 1), as its content says."""
        return int(self.content["sequence"])

    @property
    def coverage(self) -> dict[str, str]:
        """Return the scopes the record vouches for, with their digests."""
        return dict(self.content.get("coverage") or {})


@dataclass
class ChainWalk:
    """The result of walking a chain: the first break (if any) and the intact length/head."""

    findings: list[Finding] = field(default_factory=list)
    length: int = 0
    head: str = GENESIS
    entries: list[ChainEntry] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        """Return whether every record linked and matched its hash."""
        return not self.findings


def walk_chain(incident_id: int, entries: Iterable[ChainEntry]) -> ChainWalk:
    """Return the walk of ``entries`` in stored order, stopping at the first break.

    Stored order (primary key in the database, line order in an export), not sequence: a
    reordering then shows as a sequence out of place. Every entry is kept in ``entries``
    (coverage checks still read records after a break).
    """
    walk = ChainWalk()
    for entry in entries:
        walk.entries.append(entry)
        if walk.findings:
            continue
        expected = walk.length + 1

        def broken(reason: str, current: ChainEntry = entry) -> None:
            walk.findings.append(Finding(incident_id, reason, current.sequence, current.record_id))

        if entry.sequence != expected:
            broken(
                f"expected sequence {expected}, found {entry.sequence}"
                " (a record was deleted or reordered)"
            )
        elif entry.content.get("prev_hash") != walk.head:
            broken("previous-hash link does not match (a record was deleted or reordered)")
        elif sha256_hex(entry.content) != entry.record_hash:
            broken("content does not match its hash (the record was changed)")
        elif entry.content.get("incident") != incident_id:
            broken(f"the record says it belongs to incident {entry.content.get('incident')}")
        else:
            walk.length, walk.head = entry.sequence, entry.record_hash
    return walk
