"""Importing a CSV timeline: encodings, precision, and rejected rows named by line."""

from __future__ import annotations

from django.contrib.auth.models import User

from hikeshi.incidents.models import Incident
from hikeshi.incidents.services.timeline import import_csv
from hikeshi.incidents.vocabulary import TimePrecision


def test_shift_jis_is_read(incident: Incident, lead: User) -> None:
    content = "datetime,message\n2026-11-20 23:10,不審な通信\n".encode("cp932")
    report = import_csv(lead, incident, "sjis.csv", content)
    assert report.imported == 1 and not report.rejected
    assert incident.events.get().description == "不審な通信"


def test_a_bare_date_has_day_precision(incident: Incident, lead: User) -> None:
    report = import_csv(lead, incident, "d.csv", b"datetime,message\n2026-11-21,x\n")
    assert report.imported == 1
    assert incident.events.get().precision == TimePrecision.DAY


def test_rejected_rows_are_named_by_their_physical_line(incident: Incident, lead: User) -> None:
    content = (
        b'datetime,message\n2026-11-20 10:00,"two\nlines"\nnot-a-time,bad\n2026-11-21 09:00,\n'
    )
    report = import_csv(lead, incident, "t.csv", content)
    assert report.imported == 1
    assert [(r.line, r.reason) for r in report.rejected] == [
        (4, "missing or unreadable time"),
        (5, "empty message"),
    ]


def test_a_file_in_another_encoding_is_refused_with_advice(incident: Incident, lead: User) -> None:
    report = import_csv(lead, incident, "x.csv", "datetime,message\n".encode("utf-16"))
    assert "UTF-8" in report.error and report.imported == 0


def test_a_header_without_time_or_text_column_is_explained(incident: Incident, lead: User) -> None:
    report = import_csv(lead, incident, "h.csv", b"when,what\n2026-11-20,x\n")
    assert "datetime or timestamp" in report.error
