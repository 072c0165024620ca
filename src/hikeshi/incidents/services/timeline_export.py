"""The timeline as a file: CSV (formula-safe, optionally for Excel) and JSON Lines.

Both carry the fields Timesketch imports (``message``, ``datetime``, ``timestamp_desc``,
``timestamp``) followed by hikeshi's own; times are in UTC, and on request also in the
incident's time zone with their offset. Both stream: one entry is held at a time.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hikeshi.incidents.selectors.timeline import TimelineEntry
from hikeshi.spreadsheet import csv_lines

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
# Added with ExportOptions.zone: the same instant in the incident's time zone.
LOCAL_FIELDS = ("local_datetime", "time_zone")

ExportValue = str | int
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class ExportOptions:
    """How an export is written: a byte order mark for Excel, times in a local zone too."""

    # Start the CSV with the UTF-8 byte order mark, so that Japanese Excel reads it as
    # UTF-8 rather than CP932 (JSON Lines never carries one: JSON forbids it).
    bom: bool = False
    # Add local_datetime (ISO 8601 with the offset in force then) and time_zone columns.
    zone: ZoneInfo | None = None

    def fields(self) -> tuple[str, ...]:
        """Return the column names, in order."""
        return EXPORT_FIELDS + LOCAL_FIELDS if self.zone is not None else EXPORT_FIELDS


def export_row(entry: TimelineEntry, options: ExportOptions) -> dict[str, ExportValue]:
    """Return the entry with Timesketch field names (UTC; microseconds since the epoch)."""
    utc = entry.at.astimezone(UTC)
    since_epoch = utc - EPOCH
    row: dict[str, ExportValue] = {
        "message": entry.description,
        "datetime": utc.isoformat(),
        "timestamp_desc": "Action performed" if entry.entry_type == "action" else "Event time",
        # Integer arithmetic: a float loses microseconds on recent dates.
        "timestamp": since_epoch // timedelta(microseconds=1),
        "precision": entry.precision,
        "source": entry.source,
        "device": entry.device,
        "entry_type": entry.entry_type,
        "actor": entry.actor,
        "scope": entry.scope,
        "settings": entry.settings,
        "record_hash": entry.record_hash,
    }
    if options.zone is not None:
        row["local_datetime"] = entry.at.astimezone(options.zone).isoformat()
        row["time_zone"] = options.zone.key
    return row


def export_csv(
    entries: Iterable[TimelineEntry], options: ExportOptions | None = None
) -> Iterator[str]:
    """Yield the CSV export a record at a time, header first, formula cells neutralised."""
    chosen = options or ExportOptions()
    fields = chosen.fields()
    # One row dictionary per entry, read out in the columns' order.
    rows = (list(export_row(entry, chosen).values()) for entry in entries)
    return csv_lines(fields, rows, bom=chosen.bom)


def export_jsonl(
    entries: Iterable[TimelineEntry], options: ExportOptions | None = None
) -> Iterator[str]:
    """Yield one JSON object per line (texts as they are: JSON has no formulas)."""
    chosen = options or ExportOptions()
    for entry in entries:
        yield json.dumps(export_row(entry, chosen), ensure_ascii=False) + "\n"
