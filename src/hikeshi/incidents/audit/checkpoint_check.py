"""Comparing chains with checkpoints: what changed after a checkpoint fixed a chain's head.

Pure Python: the database (``hikeshi audit verify --checkpoint``) and an export
(``hikeshi audit verify-export``) give the same stamps and get the same findings.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from hikeshi.incidents.audit.checkpoint_files import ChainHead, Checkpoint
from hikeshi.incidents.audit.findings import Finding


@dataclass(frozen=True)
class RecordStamp:
    """What a checkpoint comparison needs of one record."""

    sequence: int
    record_id: int
    record_hash: str
    recorded_at: datetime


@dataclass
class _Claim:
    """One (length, head) that one or more checkpoints recorded for a chain."""

    head: ChainHead
    first: Checkpoint
    last: Checkpoint


def _claims(incident_id: int, checkpoints: Sequence[Checkpoint]) -> list[_Claim]:
    """Return the distinct heads the checkpoints recorded, each with its oldest and newest."""
    claims: dict[ChainHead, _Claim] = {}
    for checkpoint in checkpoints:  # oldest first
        head = checkpoint.incidents.get(incident_id)
        if head is None:
            continue
        if head in claims:
            claims[head].last = checkpoint
        else:
            claims[head] = _Claim(head, checkpoint, checkpoint)
    return list(claims.values())


def _head_findings(
    incident_id: int, stamps: Sequence[RecordStamp], claim: _Claim
) -> Iterator[Finding]:
    wanted = claim.head.length
    if wanted == 0:
        return
    longest = stamps[-1].sequence if stamps else 0
    if longest < wanted:
        gone = (
            f"record #{wanted} was"
            if longest + 1 == wanted
            else f"records #{longest + 1}–#{wanted} were"
        )
        yield Finding(
            incident_id,
            f"{claim.first.label()} recorded {wanted} action records, the database has "
            f"{longest}: {gone} deleted",
            longest + 1,
        )
        return
    record = next((stamp for stamp in stamps if stamp.sequence == wanted), None)
    if record is None or record.record_hash != claim.head.head:
        yield Finding(
            incident_id,
            f"its hash is not the one {claim.first.label()} recorded for #{wanted}: the "
            "history up to here was rewritten, or records were inserted or removed before it",
            wanted,
            None if record is None else record.record_id,
        )


def _time_findings(
    incident_id: int, stamps: Sequence[RecordStamp], claims: list[_Claim]
) -> Iterator[Finding]:
    """Yield records placed beyond a checkpoint but dated before it, or the reverse."""
    count = len(stamps)
    sequences = [stamp.sequence for stamp in stamps]
    # suffix_min[i]: earliest recorded_at among stamps[i:]; prefix_max[i]: latest in stamps[:i].
    suffix_min: list[datetime | None] = [None] * (count + 1)
    for i in range(count - 1, -1, -1):
        later = suffix_min[i + 1]
        at = stamps[i].recorded_at
        suffix_min[i] = at if later is None or at < later else later
    prefix_max: list[datetime | None] = [None] * (count + 1)
    for i in range(count):
        earlier = prefix_max[i]
        at = stamps[i].recorded_at
        prefix_max[i + 1] = at if earlier is None or at > earlier else earlier
    named: set[int] = set()
    for claim in claims:
        # stamps[:cut] are the records the checkpoint fixed, stamps[cut:] came after it.
        cut = bisect_right(sequences, claim.head.length)
        newest = claim.last  # the latest checkpoint with this head proves the most
        earliest_after = suffix_min[cut]
        if earliest_after is not None and earliest_after < newest.taken_at:
            for stamp in stamps[cut:]:
                if stamp.recorded_at < newest.taken_at and stamp.record_id not in named:
                    named.add(stamp.record_id)
                    yield Finding(
                        incident_id,
                        f"recorded at {stamp.recorded_at.isoformat()}, before {newest.label()}, "
                        f"which ended the chain at #{claim.head.length}: back-dated",
                        stamp.sequence,
                        stamp.record_id,
                    )
        oldest = claim.first
        latest_within = prefix_max[cut]
        if latest_within is not None and latest_within > oldest.taken_at:
            for stamp in stamps[:cut]:
                if stamp.recorded_at > oldest.taken_at and stamp.record_id not in named:
                    named.add(stamp.record_id)
                    yield Finding(
                        incident_id,
                        f"recorded at {stamp.recorded_at.isoformat()}, after {oldest.label()}, "
                        f"yet placed within the #{claim.head.length} records it fixed: inserted",
                        stamp.sequence,
                        stamp.record_id,
                    )


def incident_findings(
    incident_id: int, stamps: Sequence[RecordStamp] | None, checkpoints: Sequence[Checkpoint]
) -> list[Finding]:
    """Return what contradicts the checkpoints in one incident's chain.

    ``stamps`` are the records sorted by sequence, or None when the incident is gone.
    """
    claims = _claims(incident_id, checkpoints)
    if stamps is None:
        if not claims:
            return []
        first = claims[0]
        return [
            Finding(
                incident_id,
                f"{first.first.label()} lists it with {first.head.length} action records; the "
                "database has no such incident: it was deleted",
            )
        ]
    findings: list[Finding] = []
    for claim in claims:
        findings.extend(_head_findings(incident_id, stamps, claim))
    findings.extend(_time_findings(incident_id, stamps, claims))
    if stamps:
        opened = stamps[0].recorded_at
        for checkpoint in checkpoints:
            if incident_id not in checkpoint.incidents and opened < checkpoint.taken_at:
                findings.append(
                    Finding(
                        incident_id,
                        f"not in {checkpoint.label()}, though its first record was recorded "
                        f"at {opened.isoformat()}, before it: inserted with a back-dated history",
                        stamps[0].sequence,
                        stamps[0].record_id,
                    )
                )
                break
    return findings


def site_log_findings(
    length: int,
    head: str,
    hash_at: Callable[[int], str | None],
    checkpoints: Sequence[Checkpoint],
) -> list[Finding]:
    """Return where the site log is shorter than, or differs from, what a checkpoint recorded.

    A log that grew since a checkpoint is compared at the checkpoint's length (``hash_at``
    gives the hash of the entry there); its own chain (``verify_site_log``) vouches for
    the entries before.
    """
    findings: list[Finding] = []
    seen: set[ChainHead] = set()
    for checkpoint in checkpoints:
        claim = checkpoint.site_log
        if claim in seen:
            continue
        seen.add(claim)
        if length < claim.length:
            findings.append(
                Finding(
                    None,
                    f"site log: {checkpoint.label()} recorded {claim.length} entries, the log "
                    f"has {length}: entries at the end were deleted",
                )
            )
        elif claim.length and (head if length == claim.length else hash_at(claim.length)) != (
            claim.head
        ):
            findings.append(
                Finding(
                    None,
                    f"site log: its head is not the one {checkpoint.label()} recorded for "
                    f"{claim.length} entries: the log was rewritten",
                )
            )
    return findings
