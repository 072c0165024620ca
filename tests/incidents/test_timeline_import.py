"""Importing a CSV timeline: encodings, precision, and rejected rows named by line."""

from __future__ import annotations

import hashlib
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from tests.incidents.hostile_csv import ODD_TIMES
from tests.incidents.hostile_csv import run_import as import_csv

from hikeshi.bounds import LINE_MAX, TEXT_MAX
from hikeshi.incidents.csv_records import LINE_MAX_BYTES, ROW_MAX_CHARS
from hikeshi.incidents.models import ActionRecord, Incident
from hikeshi.incidents.services import timeline_import
from hikeshi.incidents.timeline_columns import NOT_A_TIME, template_csv
from hikeshi.incidents.vocabulary import TimePrecision
from hikeshi.incidents.workspace import chunks_of, uploads_folder

GOOD_ROW = "2026-11-20T09:00:00+09:00,最初の暗号化\n"


def _uploads(incident: Incident) -> list[Path]:
    return sorted(uploads_folder(incident.pk).iterdir())


def test_shift_jis_is_read(incident: Incident, lead: User) -> None:
    content = "datetime,message\n2026-11-20 23:10,不審な通信\n".encode("cp932")
    report = import_csv(lead, incident, "sjis.csv", content)
    assert report.imported == 1 and not report.rejected
    assert report.encoding == "cp932"
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
    assert [(r.line, r.column, r.problem.message) for r in report.rejected] == [
        (4, "datetime", NOT_A_TIME),
        (5, "message", "empty message"),
    ]


def test_a_file_in_another_encoding_is_refused_with_advice(incident: Incident, lead: User) -> None:
    report = import_csv(lead, incident, "x.csv", "datetime,message\n".encode("utf-16"))
    assert report.error.startswith("x.csv: ") and "UTF-8" in report.error
    assert report.imported == 0


def test_a_header_without_time_or_text_column_is_explained(incident: Incident, lead: User) -> None:
    report = import_csv(lead, incident, "h.csv", b"when,what\n2026-11-20,x\n")
    assert report.problem is not None
    assert report.problem.message.startswith("the header must name a time column")
    assert report.problem.params == {"columns": "when, what"}


# --- rows that cannot be read are rejected with their line; the rest are imported -------


@pytest.mark.parametrize("odd", ODD_TIMES, ids=[repr(t[:24]) for t in ODD_TIMES])
def test_an_odd_time_is_a_rejected_row_and_the_good_rows_are_imported(
    incident: Incident, lead: User, odd: str
) -> None:
    quoted = '"' + odd.replace('"', '""') + '"'
    content = f"datetime,message\n{GOOD_ROW}{quoted},奇妙な時刻\n{GOOD_ROW}".encode()

    report = import_csv(lead, incident, "odd.csv", content)

    assert report.error == ""
    assert report.imported == 2
    assert [(row.line, row.column) for row in report.rejected] == [(3, "datetime")]
    assert report.rejected[0].reason.startswith("datetime: ")


def test_an_impossible_date_among_good_rows_is_named_by_its_line(
    incident: Incident, lead: User
) -> None:
    content = "日時,内容\n2026/12/02 10:45,検知\n2026-13-45 25:00,ありえない日時\n".encode()

    report = import_csv(lead, incident, "timeline.csv", content)

    assert report.imported == 1
    (row,) = report.rejected
    assert (row.line, row.column) == (3, "日時")
    assert row.problem.message == "no such date or time (check the day, hour and offset)"


def test_a_cell_longer_than_the_csv_module_allows_is_a_rejected_row(
    incident: Incident, lead: User
) -> None:
    huge = "x" * 131_073
    content = f"datetime,message\n{GOOD_ROW}2026-11-20,{huge}\n{GOOD_ROW}".encode()

    report = import_csv(lead, incident, "big.csv", content)

    assert report.imported == 2
    assert [row.line for row in report.rejected] == [3]
    assert report.rejected[0].problem.params == {"limit": f"{ROW_MAX_CHARS:,}"}


def test_a_description_over_the_text_limit_is_rejected_by_its_column(
    incident: Incident, lead: User
) -> None:
    content = f"datetime,内容\n2026-11-20,{'あ' * (TEXT_MAX + 1)}\n{GOOD_ROW}".encode()

    report = import_csv(lead, incident, "long.csv", content)

    assert report.imported == 1
    assert [(row.line, row.column) for row in report.rejected] == [(2, "内容")]


def test_source_and_device_keep_to_their_column(incident: Incident, lead: User) -> None:
    long = "s" * (LINE_MAX + 1)
    content = (
        "datetime,message,source,device\n"
        f"2026-11-20,a,{long},PC-01\n"
        f"2026-11-20,b,proxy,{long}\n"
        f"2026-11-20,c,{'s' * LINE_MAX},{'d' * LINE_MAX}\n"
    ).encode()

    report = import_csv(lead, incident, "cols.csv", content)

    assert report.imported == 1
    assert [(row.line, row.column) for row in report.rejected] == [(2, "source"), (3, "device")]


def test_control_characters_are_rejected_but_tabs_and_line_breaks_in_text_are_kept(
    incident: Incident, lead: User
) -> None:
    content = (
        'datetime,message,device\n2026-11-20,"行1\n\t行2",PC-01\n'
        "2026-11-20,bell\x07,PC-01\n2026-11-20,nul,PC\x0001\n"
    ).encode()

    report = import_csv(lead, incident, "ctl.csv", content)

    assert report.imported == 1
    assert incident.events.get().description == "行1\n\t行2"
    assert [(row.line, row.column) for row in report.rejected] == [(4, "message"), (5, "device")]


def test_a_row_with_the_wrong_number_of_fields_is_rejected(incident: Incident, lead: User) -> None:
    content = b"datetime,message,device\n2026-11-20,a\n2026-11-20,b,PC,extra\n2026-11-20,c,PC\n"

    report = import_csv(lead, incident, "n.csv", content)

    assert report.imported == 1
    assert [(row.line, row.problem.params) for row in report.rejected] == [
        (2, {"found": 2, "expected": 3}),
        (3, {"found": 4, "expected": 3}),
    ]


def test_a_row_in_neither_encoding_is_rejected_and_a_shift_jis_row_in_utf8_is_read(
    incident: Incident, lead: User
) -> None:
    content = (
        "datetime,message\n2026-11-20,UTF-8 の行\n".encode()
        + "2026-11-21,Shift_JIS の行\n".encode("cp932")
        + b"2026-11-22,x\x81 y\n"
    )

    report = import_csv(lead, incident, "mixed.csv", content)

    assert report.encoding == "utf-8"
    assert sorted(incident.events.values_list("description", flat=True)) == [
        "Shift_JIS の行",
        "UTF-8 の行",
    ]
    assert [(row.line, row.problem.message) for row in report.rejected] == [
        (4, "the row is neither UTF-8 nor Shift_JIS (CP932)")
    ]


def test_a_multi_line_row_is_named_by_its_first_and_last_line(
    incident: Incident, lead: User
) -> None:
    content = b'datetime,message\n2026-11-20,ok\nnot a time,"one\ntwo\nthree"\n'

    report = import_csv(lead, incident, "m.csv", content)

    (row,) = report.rejected
    assert (row.line, row.last_line, row.lines) == (3, 5, "3-5")


def test_blank_lines_and_rows_of_commas_are_skipped(incident: Incident, lead: User) -> None:
    content = b"\ndatetime,message\n\n2026-11-20,a\n,\n\n2026-11-21,b\n"

    report = import_csv(lead, incident, "blank.csv", content)

    assert (report.imported, report.rejected_count, report.rows) == (2, 0, 2)
    assert report.blank_lines == 4


def test_every_line_ending_counts_as_a_line(incident: Incident, lead: User) -> None:
    content = b"datetime,message\r\n2026-11-20,crlf\rbad,cr\n2026-11-21,lf\r\nbad,end"

    report = import_csv(lead, incident, "eol.csv", content)

    assert report.imported == 2
    assert [row.line for row in report.rejected] == [3, 5]


def test_a_line_break_cut_by_the_read_buffer_is_one_line_break(
    incident: Incident, lead: User
) -> None:
    header = b"datetime,message,padding\r\n"
    start = b"2026-11-20,a,"
    # The first row's \r is the 65,536th byte: its \n comes with the next read.
    first = start + b"x" * (65536 - len(header) - len(start) - 1) + b"\r"
    content = header + first + b"\n2026-11-21,b,\r\nnot a time,c,\r\n"
    assert len(header + first) == 65536

    report = import_csv(lead, incident, "cut.csv", content)

    assert report.imported == 2 and report.blank_lines == 0
    assert [row.line for row in report.rejected] == [4]


def test_rejected_rows_past_the_listed_number_are_counted(
    incident: Incident, lead: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(timeline_import, "REJECTED_LISTED", 3)
    content = b"datetime,message\n" + b"bad,x\n" * 5 + GOOD_ROW.encode()

    report = import_csv(lead, incident, "many.csv", content)

    assert (report.imported, report.rejected_count, len(report.rejected)) == (1, 5, 3)


# --- whole-file problems: one message naming the file, nothing imported ----------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "the file is empty"),
        (b"\xef\xbb\xbf", "the file is empty"),
        (b"\n\n,,\n", "the file has no header line"),
        (b"PK\x03\x04\x14\x00\x06\x00", "this is an Excel workbook"),
        ("日時,内容\n".encode("utf-16-le"), "the file is UTF-16 or binary"),
        (bytes(range(256)) * 4, "the file is neither UTF-8 nor Shift_JIS"),
        (b"\x00\x01\x02\n" * 8 + b"datetime,message\n", "the file is UTF-16 or binary"),
        (b'datetime,message\n2026-11-20,"never closed\n2026-11-21,x\n', "the quote opened"),
        (b"\x80\x81\xfd\n" * 10, "the file is neither UTF-8 nor Shift_JIS"),
        (b"\x81 ,x\n" + "2026-11-20,あ\n".encode() * 2, "the header line %(line)s cannot be read"),
        (b"time stamp;text\n2026-11-20;x\n", "the header must name a time column"),
    ],
)
def test_a_file_that_cannot_be_imported_gets_one_message_naming_it(
    incident: Incident, lead: User, content: bytes, expected: str
) -> None:
    report = import_csv(lead, incident, "bad.csv", content)

    assert report.problem is not None
    assert report.problem.message.startswith(expected)
    assert report.error.startswith("bad.csv: ")
    assert report.imported == 0 and not incident.events.exists()
    assert _uploads(incident) == []


def test_an_unclosed_quote_names_its_line(incident: Incident, lead: User) -> None:
    content = b'datetime,message\n2026-11-20,a\n2026-11-21,"b\n2026-11-22,c\n'

    report = import_csv(lead, incident, "q.csv", content)

    assert report.problem is not None and report.problem.params == {"line": 3}
    assert not incident.events.exists()


def test_one_line_of_19_megabytes_is_refused_without_reading_it_whole(
    incident: Incident, lead: User
) -> None:
    content = b"datetime,message\n" + GOOD_ROW.encode() + b"2026-11-20," + b"x" * (19 << 20)

    report = import_csv(lead, incident, "one-line.csv", content)

    assert report.problem is not None
    assert report.problem.params == {"line": 3, "limit": f"{LINE_MAX_BYTES:,}"}
    assert not incident.events.exists() and _uploads(incident) == []


def test_a_file_over_the_size_limit_is_refused_while_it_arrives(
    incident: Incident, lead: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(timeline_import, "IMPORT_MAX_BYTES", 100)
    content = b"datetime,message\n" + GOOD_ROW.encode() * 10

    report = import_csv(lead, incident, "large.csv", content)

    assert report.problem is not None and report.problem.params == {"limit": "100"}
    assert list(uploads_folder(incident.pk).iterdir()) == []


def test_more_rows_than_the_limit_imports_nothing(
    incident: Incident, lead: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(timeline_import, "IMPORT_LIMIT_ROWS", 3)
    content = b"datetime,message\n" + GOOD_ROW.encode() * 4

    report = import_csv(lead, incident, "rows.csv", content)

    assert report.problem is not None and report.problem.params == {"limit": "3"}
    assert not incident.events.exists()


# --- Japanese headers and the formats Japanese Excel writes -----------------------------


def test_japanese_headers_and_excel_dates_are_read(incident: Incident, lead: User) -> None:
    content = (
        "日時,内容,精度,発生源,機器\n"
        "2026/12/02 10:45,メール受信,正確,メールログ,PC-01\n"
        "2026/12/02 10:45:30,添付を開いた,頃,聞き取り,PC-01\n"
        "2026/12/2,暗号化開始,,,FS01\n"
        "2026/12/2 9:05,ログオン,,,DC01\n"
    ).encode("cp932")

    report = import_csv(lead, incident, "excel.csv", content)

    assert (report.imported, report.rejected_count) == (4, 0)
    events = {e.description: e for e in incident.events.all()}
    assert events["メール受信"].occurred_at == datetime(2026, 12, 2, 1, 45, tzinfo=UTC)
    assert (events["メール受信"].source, events["メール受信"].device) == ("メールログ", "PC-01")
    assert events["添付を開いた"].occurred_at == datetime(2026, 12, 2, 1, 45, 30, tzinfo=UTC)
    assert events["添付を開いた"].precision == TimePrecision.ABOUT
    assert events["暗号化開始"].precision == TimePrecision.DAY
    assert events["暗号化開始"].occurred_at == datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
    assert events["暗号化開始"].source == "import:excel.csv"
    assert events["ログオン"].occurred_at == datetime(2026, 12, 2, 0, 5, tzinfo=UTC)


def test_a_date_column_and_a_time_column_make_one_time(incident: Incident, lead: User) -> None:
    content = "日付,時刻,メッセージ,ホスト\n2026/12/02,10:45:30,ログオン失敗,DC01\n".encode()

    report = import_csv(lead, incident, "split.csv", content)

    assert report.imported == 1
    event = incident.events.get()
    assert event.occurred_at == datetime(2026, 12, 2, 1, 45, 30, tzinfo=UTC)
    assert event.device == "DC01"


def test_timesketch_columns_and_microseconds_are_read(incident: Incident, lead: User) -> None:
    content = (
        b"message,timestamp,timestamp_desc,hostname,extra\n"
        b"File created,1796175900000000,Creation Time,FS01,ignored\n"
        b"Seen,1796175900123456,Event time,FS01,ignored\n"
    )

    report = import_csv(lead, incident, "ts.csv", content)

    assert report.imported == 2 and report.ignored_columns == ["extra"]
    events = {e.occurred_at.microsecond: e for e in incident.events.all()}
    assert events[0].description == "[Creation Time] File created"
    assert events[0].occurred_at == datetime(2026, 12, 2, 1, 45, tzinfo=UTC)
    # hikeshi's own export says "Event time": nothing worth keeping in the text.
    assert events[123456].description == "Seen"


def test_the_templates_import_without_a_rejected_row(incident: Incident, lead: User) -> None:
    for language in ("ja", "en"):
        report = import_csv(lead, incident, f"t-{language}.csv", template_csv(language).encode())
        assert (report.imported, report.rejected_count) == (3, 0), report.rejected


def test_a_long_file_name_is_clipped_in_the_source(incident: Incident, lead: User) -> None:
    name = "n" * 300 + ".csv"

    report = import_csv(lead, incident, name, b"datetime,message\n2026-11-20,x\n")

    source = incident.events.get().source
    assert len(source) == LINE_MAX and source.startswith("import:nnn") and source.endswith("…")
    assert len(report.filename) == LINE_MAX


def test_a_cell_the_export_neutralised_is_imported_as_it_was(
    incident: Incident, lead: User
) -> None:
    content = b'datetime,message\n2026-11-20,\'=HYPERLINK("x")\n'

    import_csv(lead, incident, "x.csv", content)

    assert incident.events.get().description == '=HYPERLINK("x")'


# --- the upload on disk: hashed, recorded, removed when nothing is imported -------------


def test_the_upload_is_stored_under_its_hash_and_recorded(incident: Incident, lead: User) -> None:
    content = b"datetime,message\n2026-11-20,x\nbad,y\n"

    report = import_csv(lead, incident, "fw.csv", content)

    digest = hashlib.sha256(content).hexdigest()
    stored = Path(settings.DATA_DIR) / "incidents" / str(incident.pk) / "uploads" / f"{digest}.csv"
    assert _uploads(incident) == [stored]
    assert stored.read_bytes() == content
    assert stored.stat().st_mode & 0o077 == 0
    assert (report.sha256, report.size) == (digest, len(content))
    record = ActionRecord.objects.filter(kind="timeline.imported").get()
    assert record.scope == "fw.csv"
    assert f"sha256={digest}" in record.settings_text
    assert "imported=1; rejected=1" in record.settings_text
    assert f"stored=incidents/{incident.pk}/uploads/{digest}.csv" in record.settings_text


def test_a_failed_import_keeps_an_earlier_upload_of_the_same_file(
    incident: Incident, lead: User
) -> None:
    content = b"datetime,message\n2026-11-20,x\n"
    import_csv(lead, incident, "a.csv", content)

    report = timeline_import.import_csv(
        lead, incident, "a.csv", iter([content]), cancelled=lambda: True
    )

    assert report.cancelled and report.problem is not None
    assert len(_uploads(incident)) == 1
    assert incident.events.count() == 1


def test_progress_is_reported_and_cancelling_rolls_everything_back(
    incident: Incident, lead: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(timeline_import, "BATCH_ROWS", 2)
    content = b"datetime,message\n" + GOOD_ROW.encode() * 5
    seen: list[tuple[int, int]] = []

    done = timeline_import.import_csv(
        lead, incident, "p.csv", iter([content]), on_progress=lambda a, b: seen.append((a, b))
    )

    assert done.imported == 5
    assert seen[-1] == (len(content), len(content))
    assert [a for a, _ in seen] == sorted(a for a, _ in seen)
    checks = iter([False, True])
    stopped = timeline_import.import_csv(
        lead, incident, "q.csv", iter([content + b"x"]), cancelled=lambda: next(checks)
    )
    assert stopped.cancelled and stopped.imported == 0
    assert incident.events.count() == 5
    assert ActionRecord.objects.filter(kind="timeline.imported").count() == 1


def test_the_import_streams_from_disk(incident: Incident, lead: User, tmp_path: Path) -> None:
    # 16 MB of rows too long to take: whatever is read, memory must stay near one row.
    source = tmp_path / "big.csv"
    with source.open("wb") as handle:
        handle.write(b"datetime,message\n")
        for _ in range(160):
            handle.write(b"2026-11-20," + b"x" * 100_000 + b"\n")

    tracemalloc.start()
    try:
        with source.open("rb") as handle:
            report = timeline_import.import_csv(lead, incident, "big.csv", chunks_of(handle))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert report.rejected_count == 160 and report.imported == 0
    assert peak < 4 * 1024 * 1024, f"peak {peak:,} bytes for a {source.stat().st_size:,}-byte file"
