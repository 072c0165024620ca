"""The incident timeline: events and action records in one chronological list."""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from typing import overload

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import IntegerField, Q, QuerySet, Value
from django.utils.translation import gettext_noop

from hikeshi.incidents.action_kinds import ActionKind, is_bookkeeping, kind_label
from hikeshi.incidents.models import ActionRecord, Incident, TimelineEvent
from hikeshi.incidents.services import inputs
from hikeshi.incidents.services.actions import ActionInput, append_action
from hikeshi.incidents.services.errors import InvalidInput
from hikeshi.incidents.vocabulary import TimePrecision

# At the same instant events come before actions (an action answers what happened), then
# each source in id order: the merge key is (time, source, id), in SQL and in Python alike.
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
# Rows fetched per round trip when streaming an export (per source).
EXPORT_CHUNK_ROWS = 2000
# The longest slice read at once: its ids go into one IN (...) per source, and SQLite
# limits the parameters of a statement. Longer reads iterate instead.
MAX_PAGE_SIZE = 1000


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
    def order_key(self) -> tuple[datetime, int, int]:
        """Return (time, source, id), the key the timeline is ordered by."""
        if self.entry_type == "action":
            return self.at, ACTION, self.action_id or 0
        return self.at, EVENT, self.event_id or 0


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


class Timeline:
    """The incident's events and action records as one sequence, oldest first.

    A page is merged in the database (a UNION of both sources' keys, ordered and sliced in
    SQL), then only that page's rows are loaded; iterating streams both sources in order
    and merges them in Python, holding a chunk of each at a time. Django's Paginator and
    django-ninja's pagination take it like a queryset.
    """

    def __init__(self, incident: Incident) -> None:
        self.incident_id = incident.pk

    def _events(self) -> QuerySet[TimelineEvent]:
        return TimelineEvent.objects.filter(incident_id=self.incident_id).order_by()

    def _actions(self) -> QuerySet[ActionRecord]:
        return ActionRecord.objects.filter(incident_id=self.incident_id).order_by()

    def _keys(self) -> QuerySet[TimelineEvent, tuple[datetime, int, int]]:
        """Return (time, source, id) of every entry, merged and ordered in SQL."""
        # The union takes its column names from the first query, hence occurred_at below.
        events = self._events().annotate(source_order=Value(EVENT, IntegerField()))
        actions = self._actions().annotate(source_order=Value(ACTION, IntegerField()))
        return (
            events.values_list("occurred_at", "source_order", "pk")
            .union(actions.values_list("performed_at", "source_order", "pk"), all=True)
            .order_by("occurred_at", "source_order", "pk")
        )

    def count(self) -> int:
        """Return the number of entries (two counts, one per source)."""
        return self._events().count() + self._actions().count()

    def __len__(self) -> int:
        return self.count()

    @overload
    def __getitem__(self, index: int) -> TimelineEntry: ...

    @overload
    def __getitem__(self, index: slice) -> list[TimelineEntry]: ...

    def __getitem__(self, index: int | slice) -> TimelineEntry | list[TimelineEntry]:
        if isinstance(index, int):
            if index < 0:
                raise IndexError("the timeline is read from the start; no negative index")
            found = self[index : index + 1]
            if not found:
                raise IndexError("timeline index out of range")
            return found[0]
        start, stop = index.start or 0, index.stop
        if index.step not in (None, 1) or start < 0 or stop is None or stop < start:
            raise IndexError("the timeline takes [start:stop] slices with 0 <= start <= stop")
        if stop - start > MAX_PAGE_SIZE:
            raise IndexError(f"a slice of the timeline holds {MAX_PAGE_SIZE} entries at most")
        return self._load(list(self._keys()[start:stop]))

    def _load(self, keys: list[tuple[datetime, int, int]]) -> list[TimelineEntry]:
        """Return the entries of ``keys`` in their order (one query per source present)."""
        event_ids = [pk for _, source, pk in keys if source == EVENT]
        action_ids = [pk for _, source, pk in keys if source == ACTION]
        loaded: dict[int, dict[int, TimelineEntry]] = {EVENT: {}, ACTION: {}}
        if event_ids:
            events = self._events().filter(pk__in=event_ids).values_list(*EVENT_COLUMNS)
            loaded[EVENT] = {row[0]: _event_entry(*row) for row in events}
        if action_ids:
            actions = self._actions().filter(pk__in=action_ids).values_list(*ACTION_COLUMNS)
            loaded[ACTION] = {row[0]: _action_entry(*row) for row in actions}
        return [loaded[source][pk] for _, source, pk in keys if pk in loaded[source]]

    def __iter__(self) -> Iterator[TimelineEntry]:
        events = (
            _event_entry(*row)
            for row in self._events()
            .order_by("occurred_at", "pk")
            .values_list(*EVENT_COLUMNS)
            .iterator(chunk_size=EXPORT_CHUNK_ROWS)
        )
        actions = (
            _action_entry(*row)
            for row in self._actions()
            .order_by("performed_at", "pk")
            .values_list(*ACTION_COLUMNS)
            .iterator(chunk_size=EXPORT_CHUNK_ROWS)
        )
        return heapq.merge(events, actions, key=attrgetter("order_key"))

    def position_of_action(self, action_id: int) -> int | None:
        """Return the 0-based place of an action record in the timeline (None if not here)."""
        at = self._actions().filter(pk=action_id).values_list("performed_at", flat=True).first()
        if at is None:
            return None
        events_before = self._events().filter(occurred_at__lte=at).count()
        actions_before = (
            self._actions()
            .filter(Q(performed_at__lt=at) | Q(performed_at=at, pk__lt=action_id))
            .count()
        )
        return events_before + actions_before

    def position_of_event(self, event_id: int) -> int | None:
        """Return the 0-based place of an event in the timeline (None if not here)."""
        at = self._events().filter(pk=event_id).values_list("occurred_at", flat=True).first()
        if at is None:
            return None
        # At the same instant events come first, so only earlier actions precede it.
        events_before = (
            self._events()
            .filter(Q(occurred_at__lt=at) | Q(occurred_at=at, pk__lt=event_id))
            .count()
        )
        return events_before + self._actions().filter(performed_at__lt=at).count()


def add_event(
    actor: User,
    incident_id: int,
    *,
    occurred_at: datetime,
    description: str,
    precision: str = TimePrecision.EXACT,
    source: str = "",
    device: str = "",
) -> TimelineEvent:
    """Return a new timeline event; adding it is recorded as an action."""
    description = inputs.text(TimelineEvent, "description", description)
    if not description:
        raise InvalidInput("description", gettext_noop("describe what happened"))
    if precision not in TimePrecision.values:
        raise InvalidInput("precision", gettext_noop("choose exact, about or day"))
    occurred_at = inputs.instant("occurred_at", occurred_at)
    source = inputs.text(TimelineEvent, "source", source)
    device = inputs.text(TimelineEvent, "device", device)
    with transaction.atomic():
        event = TimelineEvent.objects.create(
            incident_id=incident_id,
            occurred_at=occurred_at,
            precision=precision,
            source=source or "manual",
            device=device,
            description=description,
            created_by=actor,
        )
        append_action(
            incident_id,
            actor,
            ActionInput(
                what="タイムラインにイベントを追加",
                settings=f"event={event.pk}; at={occurred_at.isoformat()}; precision={precision}",
            ),
            kind=ActionKind.TIMELINE_EVENT_ADDED,
            events=[event.pk],
        )
    return event
