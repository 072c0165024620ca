"""Checking coverage: where the database's events, members, checklist or incident row
disagree with the action records that vouch for them."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby
from typing import Any

from hikeshi.incidents.audit.canonical import rows_digest
from hikeshi.incidents.audit.chain import ChainEntry
from hikeshi.incidents.audit.coverage import EVENT_CHUNK, state_rows
from hikeshi.incidents.audit.findings import Finding
from hikeshi.incidents.audit.rows import (
    CHECKLIST,
    EVENT_COLUMNS,
    EVENTS,
    INCIDENT,
    MEMBERS,
    STATE_SCOPES,
    canonical_row,
)

# Findings about single events reported per incident before summing up the rest.
EVENT_FINDINGS_SHOWN = 20

SCOPE_WORDS = {
    INCIDENT: (
        "the incident's record items in the database (title, intake items, status, triage) "
        "differ from those this record vouches for: they were changed outside hikeshi"
    ),
    MEMBERS: (
        "the incident's members and roles in the database differ from those this record "
        "vouches for: a membership was added, changed or removed outside hikeshi"
    ),
    CHECKLIST: (
        "the checklist in the database differs from the one this record vouches for: an "
        "item's status, performed-at, scope, settings, not-applicable reason or assignee was "
        "changed, or an item added or removed, outside hikeshi"
    ),
}


def _state_findings(incident_id: int, entries: list[ChainEntry]) -> Iterator[Finding]:
    for scope in STATE_SCOPES:
        covering = [e for e in entries if scope in e.coverage]
        rows = state_rows(scope, incident_id)
        if not covering:
            if rows:
                yield Finding(
                    incident_id,
                    f"no action record vouches for the {scope} (rows added outside hikeshi, "
                    "or the records that covered them were deleted)",
                    subject=scope,
                )
            continue
        newest = max(covering, key=lambda entry: entry.sequence)
        if newest.coverage[scope] != rows_digest(rows):
            yield Finding(incident_id, SCOPE_WORDS[scope], newest.sequence, newest.record_id)


def _event_groups(incident_id: int) -> Iterator[tuple[int | None, list[dict[str, Any]]]]:
    """Yield (action record id, canonical rows with ``pk``) for the incident's events."""
    from hikeshi.incidents.models import TimelineEvent

    rows = (
        TimelineEvent.objects.filter(incident_id=incident_id)
        .order_by("action_id", "pk")
        .values("pk", "action_id", *EVENT_COLUMNS)
        .iterator(chunk_size=EVENT_CHUNK)
    )
    for action_id, group in groupby(rows, key=lambda row: row["action_id"]):
        yield action_id, list(group)


def _event_findings(incident_id: int, entries: list[ChainEntry]) -> Iterator[Finding]:
    covering = {e.record_id: e for e in entries if EVENTS in e.coverage}
    seen: set[int] = set()
    loose: list[Finding] = []
    unshown = 0
    for action_id, group in _event_groups(incident_id):
        entry = covering.get(action_id) if action_id is not None else None
        if entry is None:
            reason = (
                "is covered by no action record (inserted outside hikeshi)"
                if action_id is None
                else f"points at action record id {action_id}, which did not create events "
                "in this incident (moved or inserted outside hikeshi)"
            )
            for row in group:
                # Named one by one up to a limit: a forged import must not flood the report.
                if len(loose) < EVENT_FINDINGS_SHOWN:
                    loose.append(
                        Finding(incident_id, reason, subject=f"timeline event {row['pk']}")
                    )
                else:
                    unshown += 1
            continue
        seen.add(entry.record_id)
        digest = rows_digest(
            {name: value for name, value in canonical_row(row).items() if name in EVENT_COLUMNS}
            for row in group
        )
        if digest != entry.coverage[EVENTS]:
            yield Finding(
                incident_id,
                f"the {len(group)} timeline events it created differ from those it vouches "
                "for: an event was edited, added or deleted outside hikeshi",
                entry.sequence,
                entry.record_id,
            )
    for entry in covering.values():
        if entry.record_id not in seen:
            yield Finding(
                incident_id,
                "the timeline events it created are no longer in this incident (deleted or "
                "moved outside hikeshi)",
                entry.sequence,
                entry.record_id,
            )
    yield from loose
    if unshown:
        yield Finding(
            incident_id,
            f"{unshown} more timeline events are covered by no action record of this incident",
        )


def coverage_findings(incident_id: int, entries: list[ChainEntry]) -> list[Finding]:
    """Return where the database's events, members, checklist or incident row disagree with
    the records that vouch for them."""
    return [*_state_findings(incident_id, entries), *_event_findings(incident_id, entries)]
