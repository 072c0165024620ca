"""The incident timeline as people and programs read it: events and action records merged.

Action records are not copied into the timeline; it is the union of both tables, ordered
by (time, source, id): at the same instant events come before actions (an action answers
what happened), then each source in id order. A page starts after (or ends before) a
position in that order, never at an offset: each source is read from its index on
(incident, time, id) for at most a page and one more row, and the two reads are merged
in Python. A deep page costs what the first costs, whatever the timeline holds.
Exports stream both tables in order and merge them as they go, so memory stays flat.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from operator import attrgetter
from typing import Any, NamedTuple

from django.db.models import Q, QuerySet
from django.utils import timezone

from hikeshi import bounds
from hikeshi.incidents.action_kinds import is_bookkeeping, kind_label
from hikeshi.incidents.models import ActionRecord, TimelineEvent
from hikeshi.incidents.selectors.keyset import Key, Ordering
from hikeshi.incidents.vocabulary import TimePrecision

EVENT, ACTION = 0, 1
EVENT_COLUMNS = ("pk", "occurred_at", "precision", "source", "device", "description")
ACTION_COLUMNS = (
    "pk",
    "performed_at",
    "what",
    "actor_name",
    "scope",
    "settings_text",
    "record_hash",
    "kind",
)
# The web page's size; programs may ask for up to MAX_PAGE_SIZE entries a page.
PAGE_SIZE = 200
MAX_PAGE_SIZE = 1000
# Rows fetched per round trip when streaming an export (per source).
EXPORT_CHUNK_ROWS = 2000
# Positions travel as the keyset module's opaque tokens: (time, source, id).
POSITION = Ordering((Key("at", datetime), Key("source", int), Key("id", int)))


class Position(NamedTuple):
    """A place in the timeline's order: (time, source, id)."""

    at: datetime
    source: int
    id: int

    def token(self) -> str:
        """Return the position as the opaque token a page link or an API answer carries."""
        return POSITION.token(self)


@dataclass(frozen=True)
class TimelineEntry:
    """One line of the timeline, from an event or an action record."""

    at: datetime
    precision: str
    source: str
    device: str
    description: str
    entry_type: str  # "event" or "action"
    actor: str = ""
    scope: str = ""
    settings: str = ""
    record_hash: str = ""
    action_id: int | None = None
    event_id: int | None = None
    kind: str = ""  # an action record's stored kind; empty for an event

    @property
    def kind_label(self) -> str:
        """Return the action record's kind in the active language (empty for an event)."""
        return kind_label(self.kind) if self.kind else ""

    @property
    def is_bookkeeping(self) -> bool:
        """Return whether the entry is a record hikeshi wrote to keep the case's record."""
        return bool(self.kind) and is_bookkeeping(self.kind)

    @property
    def position(self) -> Position:
        """Return (time, source, id), the key the timeline is ordered by."""
        if self.entry_type == "action":
            return Position(self.at, ACTION, self.action_id or 0)
        return Position(self.at, EVENT, self.event_id or 0)


def _event_entry(
    pk: int, at: datetime, precision: str, source: str, device: str, description: str
) -> TimelineEntry:
    """Return the entry of an event, from a row of EVENT_COLUMNS."""
    return TimelineEntry(
        at=at,
        precision=precision,
        source=source,
        device=device,
        description=description,
        entry_type="event",
        event_id=pk,
    )


def _action_entry(
    pk: int,
    at: datetime,
    what: str,
    actor: str,
    scope: str,
    settings: str,
    record_hash: str,
    kind: str,
) -> TimelineEntry:
    """Return the entry of an action record, from a row of ACTION_COLUMNS."""
    return TimelineEntry(
        at=at,
        precision=TimePrecision.EXACT,
        source="action",
        device="",
        description=what,
        entry_type="action",
        actor=actor,
        scope=scope,
        settings=settings,
        record_hash=record_hash,
        action_id=pk,
        kind=kind,
    )


@dataclass(frozen=True)
class _Source:
    """One table of the timeline: its rows, time column, place at an instant, columns."""

    number: int
    time_column: str
    columns: tuple[str, ...]

    def rows(self, incident_id: int) -> QuerySet[Any]:
        model = TimelineEvent if self.number == EVENT else ActionRecord
        return model.objects.filter(incident_id=incident_id).order_by()

    def entry(self, row: tuple[Any, ...]) -> TimelineEntry:
        return _event_entry(*row) if self.number == EVENT else _action_entry(*row)

    def beyond(self, position: Position, *, later: bool) -> Q:
        """Return the condition for this source's rows after (or before) ``position``.

        Written as a range on the time column first, so that the index on (incident, time,
        id) starts the read at the position instead of at the incident's first row.
        """
        at, strict_at, ge_or_le = (
            (self.time_column, "gt", "gte") if later else (self.time_column, "lt", "lte")
        )
        if (self.number > position.source) == later and self.number != position.source:
            # This source sorts after (before) the position's at the same instant.
            return Q(**{f"{at}__{ge_or_le}": position.at})
        if self.number != position.source:
            return Q(**{f"{at}__{strict_at}": position.at})
        beyond_id = Q(pk__gt=position.id) if later else Q(pk__lt=position.id)
        return Q(**{f"{at}__{ge_or_le}": position.at}) & (
            Q(**{f"{at}__{strict_at}": position.at}) | beyond_id
        )

    def read(
        self, incident_id: int, position: Position | None, *, later: bool, limit: int
    ) -> list[TimelineEntry]:
        """Return up to ``limit`` entries after (or before, nearest first) ``position``."""
        rows = self.rows(incident_id)
        if position is not None:
            rows = rows.filter(self.beyond(position, later=later))
        order = (self.time_column, "pk") if later else (f"-{self.time_column}", "-pk")
        return [self.entry(row) for row in rows.order_by(*order).values_list(*self.columns)[:limit]]

    def stream(self, incident_id: int) -> Iterator[TimelineEntry]:
        """Yield every entry of this source in order, read a chunk at a time."""
        rows = self.rows(incident_id).order_by(self.time_column, "pk").values_list(*self.columns)
        for row in rows.iterator(chunk_size=EXPORT_CHUNK_ROWS):
            yield self.entry(row)

    def any_beyond(self, incident_id: int, position: Position, *, later: bool) -> bool:
        return self.rows(incident_id).filter(self.beyond(position, later=later)).exists()


EVENTS = _Source(EVENT, "occurred_at", EVENT_COLUMNS)
ACTIONS = _Source(ACTION, "performed_at", ACTION_COLUMNS)
SOURCES = (EVENTS, ACTIONS)


@dataclass(frozen=True)
class TimelinePage:
    """Entries in timeline order, and where the pages before and after it start."""

    entries: list[TimelineEntry]
    # Ask for before=earlier / after=later to turn the page; None: nothing there.
    earlier: Position | None
    later: Position | None


def _merged(
    incident_id: int, position: Position | None, *, later: bool, limit: int
) -> list[TimelineEntry]:
    """Return up to ``limit`` entries after (or before, nearest first) ``position``."""
    reads = [source.read(incident_id, position, later=later, limit=limit) for source in SOURCES]
    merged = heapq.merge(*reads, key=attrgetter("position"), reverse=not later)
    return [entry for _, entry in zip(range(limit), merged, strict=False)]


def _exists_beyond(incident_id: int, position: Position, *, later: bool) -> bool:
    return any(source.any_beyond(incident_id, position, later=later) for source in SOURCES)


def page_after(
    incident_id: int, position: Position | None = None, *, size: int = PAGE_SIZE
) -> TimelinePage:
    """Return the ``size`` entries that follow ``position`` (from the start without one)."""
    size = max(1, min(size, MAX_PAGE_SIZE))
    found = _merged(incident_id, position, later=True, limit=size + 1)
    entries = found[:size]
    later = entries[-1].position if len(found) > size else None
    earlier = None
    if entries and position is not None:
        first = entries[0].position
        earlier = first if _exists_beyond(incident_id, first, later=False) else None
    return TimelinePage(entries, earlier, later)


def page_before(
    incident_id: int, position: Position | None = None, *, size: int = PAGE_SIZE
) -> TimelinePage:
    """Return the ``size`` entries that precede ``position`` (the newest without one)."""
    size = max(1, min(size, MAX_PAGE_SIZE))
    found = _merged(incident_id, position, later=False, limit=size + 1)
    entries = list(reversed(found[:size]))
    earlier = entries[0].position if len(found) > size else None
    later = None
    if entries and position is not None:
        last = entries[-1].position
        later = last if _exists_beyond(incident_id, last, later=True) else None
    return TimelinePage(entries, earlier, later)


def page_from(incident_id: int, position: Position, *, size: int = PAGE_SIZE) -> TimelinePage:
    """Return the page that starts with the entry at ``position`` (or the next one)."""
    just_before = Position(position.at, position.source, position.id - 1)
    return page_after(incident_id, just_before, size=size)


def latest(incident_id: int, count: int) -> list[TimelineEntry]:
    """Return the newest ``count`` entries, oldest of them first."""
    return page_before(incident_id, size=count).entries


def position_of_action(incident_id: int, action_id: int) -> Position | None:
    """Return an action record's place in the timeline (None if not in this incident)."""
    at = ACTIONS.rows(incident_id).filter(pk=action_id).values_list("performed_at", flat=True)
    found = at.first()
    return Position(found, ACTION, action_id) if found is not None else None


def position_of_event(incident_id: int, event_id: int) -> Position | None:
    """Return an event's place in the timeline (None if not in this incident)."""
    at = EVENTS.rows(incident_id).filter(pk=event_id).values_list("occurred_at", flat=True)
    found = at.first()
    return Position(found, EVENT, event_id) if found is not None else None


def start_of_day(day: date, zone_name: str) -> Position:
    """Return the position before every entry of ``day`` in the named zone (a day outside
    hikeshi's time range is taken as its first or last day)."""
    first, last = bounds.EARLIEST.date(), (bounds.LATEST - timedelta(days=1)).date()
    day = min(max(day, first), last)
    zone = bounds.display_zone(zone_name)
    return Position(timezone.make_aware(datetime.combine(day, time.min), zone), EVENT, 0)


def read_position(token: str, field: str = "cursor") -> Position:
    """Return the position a token names; InvalidInput on ``field`` for anything else."""
    at, source, entry_id = POSITION.read_token(token, field)
    return Position(at, source, entry_id)


def entries(incident_id: int) -> Iterator[TimelineEntry]:
    """Yield the whole timeline in order, each source streamed a chunk at a time."""
    return heapq.merge(
        *(source.stream(incident_id) for source in SOURCES), key=attrgetter("position")
    )
