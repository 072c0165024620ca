"""The incident timeline: events and action records in one chronological list."""

from __future__ import annotations

import csv
import heapq
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import attrgetter
from typing import overload
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import IntegerField, Q, QuerySet, Value
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_noop

from hikeshi.incidents.models import ActionRecord, Incident, TimelineEvent
from hikeshi.incidents.services.actions import ActionInput, append_action
from hikeshi.incidents.services.errors import InvalidInput
from hikeshi.incidents.vocabulary import TimePrecision

# Timesketch's required columns come first; ours follow.
EXPORT_FIELDS = (
    "message",
    "datetime",
    "timestamp_desc",
    "timestamp",
    "precision",
    "source",
    "device",
    "entry_type",
    "actor",
    "scope",
    "settings",
    "record_hash",
)
IMPORT_LIMIT_ROWS = 100_000
# Large enough for a day of firewall summaries, small enough to parse within a request.
IMPORT_MAX_BYTES = 20 * 1024 * 1024


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

    @property
    def order_key(self) -> tuple[datetime, int, int]:
        """Return (time, source, id), the key the timeline is ordered by."""
        if self.entry_type == "action":
            return self.at, ACTION, self.action_id or 0
        return self.at, EVENT, self.event_id or 0

    def as_export_row(self) -> dict[str, str | int]:
        """Return the entry with Timesketch field names (times in UTC, microseconds)."""
        utc = self.at.astimezone(UTC)
        return {
            "message": self.description,
            "datetime": utc.isoformat(),
            "timestamp_desc": "Action performed" if self.entry_type == "action" else "Event time",
            "timestamp": int(utc.timestamp() * 1_000_000),
            "precision": self.precision,
            "source": self.source,
            "device": self.device,
            "entry_type": self.entry_type,
            "actor": self.actor,
            "scope": self.scope,
            "settings": self.settings,
            "record_hash": self.record_hash,
        }


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
    pk: int, at: datetime, what: str, actor: str, scope: str, settings: str, record_hash: str
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
    if not description.strip():
        raise InvalidInput("description", gettext_noop("describe what happened"))
    if precision not in TimePrecision.values:
        raise InvalidInput("precision", gettext_noop("choose exact, about or day"))
    if timezone.is_naive(occurred_at):
        raise InvalidInput("occurred_at", gettext_noop("the time must carry a time zone"))
    with transaction.atomic():
        event = TimelineEvent.objects.create(
            incident_id=incident_id,
            occurred_at=occurred_at,
            precision=precision,
            source=source.strip() or "manual",
            device=device.strip(),
            description=description.strip(),
            created_by=actor,
        )
        append_action(
            incident_id,
            actor,
            ActionInput(
                what="タイムラインにイベントを追加",
                settings=f"event={event.pk}; at={occurred_at.isoformat()}; precision={precision}",
            ),
            kind="timeline.event_added",
        )
    return event


def export_csv(entries: Iterable[TimelineEntry]) -> Iterator[str]:
    """Yield the CSV export line by line, header first."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_FIELDS, lineterminator="\n")
    writer.writeheader()
    for entry in entries:
        writer.writerow(entry.as_export_row())
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def export_jsonl(entries: Iterable[TimelineEntry]) -> Iterator[str]:
    """Yield one JSON object per line."""
    for entry in entries:
        yield json.dumps(entry.as_export_row(), ensure_ascii=False) + "\n"


@dataclass
class RejectedRow:
    """A CSV row that was not imported, and why."""

    line: int
    reason: str


@dataclass
class ImportReport:
    """What a timeline import did: rows taken, rows refused with their line numbers."""

    filename: str
    imported: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    error: str = ""


def _parse_time(raw: str, tz: ZoneInfo) -> tuple[datetime, str] | None:
    value = raw.strip()
    if not value:
        return None
    if value.isdigit() and len(value) >= 13:
        # Timesketch's 'timestamp' is microseconds since the epoch.
        return datetime.fromtimestamp(int(value) / 1_000_000, tz=UTC), TimePrecision.EXACT
    # A date alone is a day-precision time (checked first: parse_datetime also accepts
    # a bare date and would make it midnight, exact).
    day = parse_date(value) if len(value) == 10 else None
    if day is not None:
        return datetime(day.year, day.month, day.day, tzinfo=tz), TimePrecision.DAY
    parsed = parse_datetime(value.replace("Z", "+00:00"))
    if parsed is not None:
        if timezone.is_naive(parsed):
            parsed = parsed.replace(tzinfo=tz)
        return parsed, TimePrecision.EXACT
    return None


def import_csv(actor: User, incident: Incident, filename: str, content: bytes) -> ImportReport:
    """Return the report of importing a CSV timeline (columns: datetime, message, ...).

    Accepted columns: ``datetime`` (or ``timestamp``) and ``message`` (or ``description``)
    are required; ``precision``, ``source``, ``device`` and ``timestamp_desc`` are optional.
    Naive times are read in the incident's time zone.
    """
    report = ImportReport(filename=filename)
    if len(content) > IMPORT_MAX_BYTES:
        report.error = (
            f"{filename}: {len(content):,} bytes is more than the {IMPORT_MAX_BYTES:,} a timeline "
            "import takes; split the file"
        )
        return report
    text = _decode(content, report)
    if text is None:
        return report
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = {c.strip().lower() for c in (reader.fieldnames or [])}
    if not columns & {"datetime", "timestamp"} or not columns & {"message", "description"}:
        report.error = (
            f"{filename}: the header must name a time column (datetime or timestamp) and a "
            f"text column (message or description); found: {', '.join(sorted(columns)) or 'none'}"
        )
        return report
    tz = ZoneInfo(incident.time_zone)
    # Once, not per row: the enum builds the list anew on every access.
    precisions = frozenset(TimePrecision.values)
    events: list[TimelineEvent] = []
    for count, row in enumerate(reader, start=1):
        # The physical line the row ends on: a quoted field may span several lines.
        number = reader.line_num
        if count > IMPORT_LIMIT_ROWS:
            report.error = f"{filename}: more than {IMPORT_LIMIT_ROWS} rows; split the file"
            return report
        clean = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if k}
        if None in row:
            report.rejected.append(
                RejectedRow(number, gettext_noop("more fields than the header has"))
            )
            continue
        when = _parse_time(clean.get("datetime") or clean.get("timestamp", ""), tz)
        message = clean.get("message") or clean.get("description", "")
        if when is None:
            report.rejected.append(RejectedRow(number, gettext_noop("missing or unreadable time")))
            continue
        if not message:
            report.rejected.append(RejectedRow(number, gettext_noop("empty message")))
            continue
        precision = clean.get("precision") or when[1]
        if precision not in precisions:
            report.rejected.append(RejectedRow(number, f"unknown precision {precision!r}"))
            continue
        events.append(
            TimelineEvent(
                incident=incident,
                occurred_at=when[0],
                precision=precision,
                source=clean.get("source") or f"import:{filename}",
                device=clean.get("device", ""),
                description=message,
                created_by=actor,
            )
        )
    with transaction.atomic():
        TimelineEvent.objects.bulk_create(events, batch_size=1000)
        report.imported = len(events)
        append_action(
            incident.pk,
            actor,
            ActionInput(
                what="タイムラインをインポート",
                scope=filename,
                settings=f"imported={report.imported}; rejected={len(report.rejected)}",
            ),
            kind="timeline.imported",
        )
    return report


def _decode(content: bytes, report: ImportReport) -> str | None:
    # A NUL byte means UTF-16 or a binary file; CP932 would otherwise "decode" it to junk.
    if b"\x00" not in content:
        for encoding in ("utf-8-sig", "cp932"):
            try:
                return content.decode(encoding)
            except UnicodeDecodeError:
                continue
    report.error = (
        f"{report.filename}: the file is neither UTF-8 nor Shift_JIS (CP932); "
        "save it as UTF-8 CSV and import it again"
    )
    return None


def local_time(value: datetime, incident: Incident) -> datetime:
    """Return ``value`` in the incident's time zone."""
    return value.astimezone(ZoneInfo(incident.time_zone))
