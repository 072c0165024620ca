"""Coverage: digests that let action records vouch for events, members, checklist and incident.

State scopes (incident record items, members and roles, the checklist) are small: the
record that changes one carries a digest of the whole state after the change, and the
newest such record must match the database. Events can be a hundred thousand rows: the
record that created them carries a digest of exactly those rows, and each row points at
the record (``TimelineEvent.action``), so verification regroups and recomputes them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from typing import Any, NamedTuple

from django.db import models

from hikeshi.incidents.audit.canonical import rows_digest
from hikeshi.incidents.audit.rows import (
    CHECKLIST,
    CHECKLIST_COLUMNS,
    EVENT_COLUMNS,
    EVENTS,
    INCIDENT,
    INCIDENT_COLUMNS,
    MEMBER_COLUMNS,
    MEMBERS,
    STATE_SCOPES,
    canonical_row,
)

# Ids per IN (...) clause: SQLite limits the parameters of one statement.
ID_CHUNK = 900
# Runs of consecutive ids queried as ranges in one statement; more fall back to IN lists.
MAX_RANGES = 50
# Rows fetched per round trip when streaming events.
EVENT_CHUNK = 2000


class EvidenceModels(NamedTuple):
    """The models whose rows are evidence; historical ones in a migration, else the app's."""

    incident: type[models.Model]
    type_tag: type[models.Model]
    membership: type[models.Model]
    checklist_item: type[models.Model]
    event: type[models.Model]


def current_models() -> EvidenceModels:
    """Return the application's evidence models."""
    from hikeshi.incidents.models import (
        ChecklistItem,
        Incident,
        IncidentTypeTag,
        Membership,
        TimelineEvent,
    )

    return EvidenceModels(Incident, IncidentTypeTag, Membership, ChecklistItem, TimelineEvent)


def state_rows(
    scope: str, incident_id: int, evidence: EvidenceModels | None = None
) -> list[dict[str, Any]]:
    """Return the canonical rows of one state scope of the incident, as the database has them."""
    evidence = evidence or current_models()
    if scope == INCIDENT:
        row = evidence.incident._default_manager.filter(pk=incident_id).values(*INCIDENT_COLUMNS)
        found = row.first()
        if found is None:
            return []
        tags = evidence.type_tag._default_manager.filter(incident_id=incident_id)
        types = sorted(tags.values_list("code", flat=True))
        return [{**canonical_row(found), "types": types}]
    columns: tuple[str, ...]
    if scope == MEMBERS:
        manager, columns = evidence.membership._default_manager, MEMBER_COLUMNS
    elif scope == CHECKLIST:
        manager, columns = evidence.checklist_item._default_manager, CHECKLIST_COLUMNS
    else:
        raise ValueError(f"unknown state scope {scope!r}")
    return [canonical_row(row) for row in manager.filter(incident_id=incident_id).values(*columns)]


def state_digest(scope: str, incident_id: int, evidence: EvidenceModels | None = None) -> str:
    """Return the digest of one state scope of the incident as the database has it now."""
    return rows_digest(state_rows(scope, incident_id, evidence))


def _id_ranges(event_ids: Sequence[int]) -> Iterator[tuple[int, int]]:
    """Yield (first, last) of each run of consecutive ids (an import's ids are one run)."""
    ordered = sorted(set(event_ids))
    start = previous = ordered[0] if ordered else 0
    for event_id in ordered[1:]:
        if event_id != previous + 1:
            yield start, previous
            start = event_id
        previous = event_id
    if ordered:
        yield start, previous


def _new_events(incident_id: int, event_ids: Sequence[int], manager: Any) -> Iterator[Any]:
    """Yield queries that together select the given events, this incident's and uncovered.

    By id ranges, not long IN lists: an import's ids are consecutive, so 100,000 events are
    one range query instead of a hundred. Ids scattered in many runs (imports interleaved
    on PostgreSQL) fall back to IN lists a statement can hold.
    """
    if not event_ids:
        # No ranges would mean no condition at all: every uncovered event of the incident,
        # a scan of the whole timeline on every action recorded.
        return
    ranges = list(_id_ranges(event_ids))
    uncovered = manager.filter(incident_id=incident_id, action__isnull=True)
    if len(ranges) <= MAX_RANGES:
        condition = models.Q()
        for first, last in ranges:
            condition |= models.Q(pk__gte=first, pk__lte=last)
        yield uncovered.filter(condition)
        return
    ordered = sorted(set(event_ids))
    for start in range(0, len(ordered), ID_CHUNK):
        yield uncovered.filter(pk__in=ordered[start : start + ID_CHUNK])


def unlinked_event_rows(
    incident_id: int, event_ids: Sequence[int], evidence: EvidenceModels | None = None
) -> list[dict[str, Any]]:
    """Return the canonical rows of the given events (this incident's, not yet covered)."""
    manager = (evidence or current_models()).event._default_manager
    wanted = set(event_ids)
    rows: list[dict[str, Any]] = []
    for query in _new_events(incident_id, event_ids, manager):
        for row in query.values("pk", *EVENT_COLUMNS).iterator(chunk_size=EVENT_CHUNK):
            # A range could hold an uncovered row someone else inserted: only ours count.
            if row.pop("pk") in wanted:
                rows.append(canonical_row(row))
    if len(rows) != len(wanted):
        # A caller passed events of another incident or already covered: a programming error.
        raise ValueError("events to cover must be this incident's and not yet covered")
    return rows


def coverage_for(
    incident_id: int,
    covers: Collection[str],
    event_ids: Sequence[int] = (),
    evidence: EvidenceModels | None = None,
) -> dict[str, str]:
    """Return the coverage a new record carries: state digests for ``covers``, event digest."""
    unknown = set(covers) - set(STATE_SCOPES)
    if unknown:
        raise ValueError(f"unknown coverage scope(s): {', '.join(sorted(unknown))}")
    coverage = {scope: state_digest(scope, incident_id, evidence) for scope in covers}
    if event_ids:
        coverage[EVENTS] = rows_digest(unlinked_event_rows(incident_id, event_ids, evidence))
    return coverage


def link_events(incident_id: int, event_ids: Sequence[int], record_id: int) -> None:
    """Point the events at the record that covers them (and only them)."""
    from hikeshi.incidents.models import TimelineEvent

    wanted = set(event_ids)
    for query in _new_events(incident_id, event_ids, TimelineEvent.objects):
        found = set(query.values_list("pk", flat=True))
        if found <= wanted:
            query.update(action_id=record_id)  # the usual case: one statement
            continue
        # Someone else's uncovered row lies within our ranges: name ours one by one.
        ours = sorted(found & wanted)
        for start in range(0, len(ours), ID_CHUNK):
            chunk = ours[start : start + ID_CHUNK]
            TimelineEvent.objects.filter(pk__in=chunk).update(action_id=record_id)
