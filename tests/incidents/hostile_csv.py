"""Hostile timeline files shared by the import tests: odd times, and how to run an import."""

from __future__ import annotations

from django.contrib.auth.models import User

from hikeshi.incidents.models import Incident
from hikeshi.incidents.services.timeline_import import ImportReport, import_csv

# Time texts that no importer should take, each of a different kind (impossible dates,
# 24:00, leap seconds, offsets of a day, non-ASCII digits, numbers too long to convert, out of
# hikeshi's 1970-2099 range, ISO forms hikeshi does not read). Every one must come back as a
# rejected row, never as an exception.
ODD_TIMES = (
    "2024-02-30",
    "2023-02-29",
    "2026-04-31",
    "2026-13-01",
    "2026-00-10",
    "2026-01-00",
    "2026-01-32",
    "2026-01-01T24:00:00",
    "2026-01-01T23:59:60",
    "2026-01-01T25:00",
    "2026-01-01T10:60",
    "2026-01-01T10:00+24:00",
    "2026-01-01T10:00-24:00",
    "2026-01-01T10:00+14:30",
    "2026-01-01T10:00-15:00",
    "2026-01-01T10:00+99:99",
    "9" * 5000,
    "1" * 17,
    "-1700000000000000",
    "1.7e15",
    "²⁰²⁶-⁰¹-⁰¹",
    "٢٠٢٦-٠١-٠١",
    "2026-01-01T10:00:00.1234567",
    "0001-01-01",
    "9999-12-31T23:59:59",
    "1969-12-31T23:59:59Z",
    "2100-01-01T00:00:00Z",
    "+002026-01-01",
    "2026-W01-1",
    "2026-001",
    "20260101T100000",
    "2026/02/30",
    "2026/13/01",
    "2026/12/02 24:00",
    "2026/12/02 10:60",
    "2026/12/02 10:45:60",
    "2026-13-45 25:00",
    "NaN",
    "\u3000",
    "2026-01-01T10:00:00Z[Asia/Tokyo]",
    "2026-01-01\x00",
)


def run_import(actor: User, incident: Incident, name: str, content: bytes) -> ImportReport:
    """Return the report of importing ``content`` as the file ``name`` (in 7-byte chunks
    at first, so that lines and characters are cut across chunks, then in 64 KiB ones)."""
    head, rest = content[:70], content[70:]
    pieces = [head[i : i + 7] for i in range(0, len(head), 7)]
    pieces += [rest[i : i + 65536] for i in range(0, len(rest), 65536)]
    return import_csv(actor, incident, name, iter(pieces))
