"""Generated hostile files through the timeline import: a report every time, never a crash.

Random bytes, CSV with hostile cells (formulas, control characters, NUL, fields beyond the
csv module's limit, odd times), unclosed quotes, a BOM, Shift_JIS and mixed line endings go
through the service and through the web upload. Each import must end in a report whose
imported and rejected rows account for every data row, or in one whole-file message; never
an exception, never a 5xx.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, event, given, seed, settings
from hypothesis import strategies as st
from tests.incidents.hostile_csv import ODD_TIMES, run_import

from hikeshi.bounds import LINE_MAX, TEXT_MAX
from hikeshi.incidents.models import Incident
from hikeshi.jobs import runner
from hikeshi.jobs.vocabulary import JobState

FUZZ = settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TOKYO = ZoneInfo("Asia/Tokyo")
# Whole-file problems a generated CSV (readable text, quotes closed) may still meet: most
# of its lines hold NUL, or most are in neither encoding once cut by the generator.
TEXT_FILE_PROBLEMS = ("the file is UTF-16 or binary", "the file is neither UTF-8")

HEADERS = (
    ("datetime", "message", "source", "device"),
    ("日時", "内容", "発生源", "機器"),
    ("message", "timestamp", "timestamp_desc", "hostname"),
    ("日付", "時刻", "メッセージ", "ホスト"),
)
HOSTILE_TEXTS = (
    '=HYPERLINK("https://evil.example")',
    "+cmd|' /C calc'!A0",
    "-1+1",
    "@SUM(A1)",
    "'=quoted",
    "\x00",
    "a\x00b",
    "\x07bell",
    "\ufeff",
    "\u2028",
    "\r",
    "\n\n",
    '"',
    '""',
    "x" * 131_073,
    "あ" * (TEXT_MAX + 1),
    "s" * (LINE_MAX + 1),
)


@dataclass(frozen=True)
class GeneratedRow:
    cells: tuple[str, ...]
    # The row must be imported: a good time and plain texts within their bounds.
    clean: bool


def _plain(text: str, limit: int, multiline: bool) -> bool:
    allowed = {"\t", "\n", "\r"} if multiline else set()
    return len(text) <= limit and all(
        c in allowed or unicodedata.category(c) not in {"Cc", "Cs"} for c in text
    )


@st.composite
def good_times(draw: st.DrawFn) -> str:
    # Naive bounds, as st.datetimes takes them; the zone is put on below.
    earliest = datetime(1970, 1, 2, tzinfo=UTC).replace(tzinfo=None)
    latest = datetime(2099, 12, 30, tzinfo=UTC).replace(tzinfo=None)
    moment = draw(st.datetimes(min_value=earliest, max_value=latest)).replace(tzinfo=TOKYO)
    form = draw(st.sampled_from(("iso", "offset", "z", "excel", "excel-short", "day", "µs")))
    if form == "iso":
        return moment.strftime("%Y-%m-%dT%H:%M:%S")
    if form == "offset":
        return moment.isoformat()
    if form == "z":
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if form == "excel":
        return moment.strftime("%Y/%m/%d %H:%M:%S")
    if form == "excel-short":
        return f"{moment.year}/{moment.month}/{moment.day} {moment.hour}:{moment.minute:02d}"
    if form == "day":
        return moment.strftime("%Y-%m-%d")
    utc = moment.astimezone(UTC)
    micros = (utc - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
    if micros < 10**12:  # fewer than 13 digits is not read as microseconds
        return moment.isoformat()
    return str(micros)


# Texts without control characters, as most log cells are; then anything; then the worst.
plain = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=30)
texts = st.one_of(plain, plain, st.text(max_size=40), st.sampled_from(HOSTILE_TEXTS))


@st.composite
def rows(draw: st.DrawFn, width: int, split_time: bool) -> GeneratedRow:
    good = draw(st.booleans())
    time = draw(good_times()) if good else draw(st.one_of(st.sampled_from(ODD_TIMES), texts))
    message = draw(texts)
    source, device = draw(st.one_of(plain, texts)), draw(st.one_of(plain, texts))
    clean = (
        good
        and bool(message.strip())
        # Room for a "[timestamp_desc] " prefix under the Timesketch header.
        and _plain(message.strip(), TEXT_MAX - LINE_MAX - 3, multiline=True)
        and _plain(source.strip(), LINE_MAX, multiline=False)
        and _plain(device.strip(), LINE_MAX, multiline=False)
    )
    if split_time:
        # 日付 + 時刻: a date and, when there is one, a clock time.
        day, _, clock = time.partition(" ") if "/" in time else (time, "", "")
        cells = [day, clock, message, device]
    else:
        cells = [time, message, source, device]
    extra = draw(st.sampled_from((0,) * 8 + (1, -1)))
    if extra == 1:
        cells.append(draw(texts))
        clean = False
    elif extra == -1:
        cells.pop()
        clean = False
    return GeneratedRow(tuple(cells[: width + 1]), clean)


@dataclass(frozen=True)
class GeneratedFile:
    content: bytes
    rows: list[GeneratedRow]
    data_rows: int
    unclosed: bool


def _line(cells: tuple[str, ...], ending: str) -> str:
    buffer = io.StringIO()
    # Every cell quoted: a line break inside a cell stays inside it, whatever the ending.
    csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator=ending).writerow(cells)
    return buffer.getvalue()


@st.composite
def csv_files(draw: st.DrawFn) -> GeneratedFile:
    header = draw(st.sampled_from(HEADERS))
    split_time = header[0] == "日付"
    generated = draw(st.lists(rows(len(header), split_time), max_size=12))
    encoding = draw(st.sampled_from(("utf-8", "utf-8-sig", "cp932")))
    endings = st.sampled_from(("\n", "\r\n", "\r"))
    if header[0] == "message":  # the Timesketch order: message first
        generated = [
            GeneratedRow((r.cells[1], r.cells[0], *r.cells[2:]), r.clean) for r in generated
        ]
    text = "\n" * draw(st.integers(0, 2)) + _line(header, draw(endings))
    data_rows = 0
    kept: list[GeneratedRow] = []
    for row in generated:
        # What the file will hold once encoded (CP932 replaces what it cannot write).
        cells = tuple(c.encode(encoding, "replace").decode(encoding) for c in row.cells)
        changed = cells != row.cells
        text += _line(cells, draw(endings))
        if any(cell.strip() for cell in cells):
            data_rows += 1
        kept.append(GeneratedRow(cells, row.clean and not changed))
    unclosed = draw(st.integers(0, 9)) == 0
    if unclosed:
        text += '2026-11-20,"never closed\n2026-11-21,x\n'
    return GeneratedFile(text.encode(encoding, "replace"), kept, data_rows, unclosed)


def _check(
    report_error: str,
    problem_message: str,
    file: GeneratedFile,
    counts: tuple[int, int, int],
    clean: int,
) -> None:
    imported, rejected, rows_read = counts
    event("whole-file problem" if problem_message else f"{imported} imported, {rejected} rejected")
    if file.unclosed:
        assert problem_message.startswith("the quote opened"), report_error
        return
    if report_error:
        assert problem_message.startswith(TEXT_FILE_PROBLEMS), report_error
        return
    assert rows_read == file.data_rows
    assert imported + rejected == file.data_rows
    assert imported >= clean


@pytest.mark.django_db
@seed(20261202)
@FUZZ
@given(content=st.binary(max_size=4096))
def test_random_bytes_end_in_a_report(incident: Incident, lead: User, content: bytes) -> None:
    report = run_import(lead, incident, "random.bin", content)

    event(report.problem.message[:30] if report.problem else "a report of rows")
    if report.problem is None:
        assert report.imported + report.rejected_count == report.rows
        assert all(1 <= row.line <= row.last_line for row in report.rejected)
    else:
        assert report.imported == 0 and report.error.startswith("random.bin: ")


@pytest.mark.django_db
@seed(20261202)
@FUZZ
@given(file=csv_files())
def test_hostile_csv_ends_in_a_report_that_accounts_for_every_row(
    incident: Incident, lead: User, file: GeneratedFile
) -> None:
    before = incident.events.count()

    report = run_import(lead, incident, "hostile.csv", file.content)

    message = report.problem.message if report.problem else ""
    clean = sum(1 for row in file.rows if row.clean)
    _check(
        report.error, message, file, (report.imported, report.rejected_count, report.rows), clean
    )
    assert incident.events.count() - before == report.imported


@pytest.mark.django_db
@seed(20261202)
@settings(FUZZ, max_examples=60)
@given(file=csv_files(), raw=st.binary(max_size=512), use_raw=st.booleans())
def test_the_web_upload_answers_a_report_page_never_a_server_error(
    incident: Incident, lead: User, file: GeneratedFile, raw: bytes, use_raw: bool
) -> None:
    client = Client()
    client.force_login(lead)
    content = raw if use_raw else file.content
    upload = SimpleUploadedFile("upload.csv", content, content_type="text/csv")

    response = client.post(
        reverse("incidents:import_timeline", kwargs={"incident_id": incident.pk}),
        {"file": upload},
    )

    if not content:
        # An empty upload never reaches the import: the form says the file is empty.
        assert response.status_code == 400
        return
    # The upload is stored and its import job queued; the job's page then shows its end.
    assert response.status_code == 302, response.status_code
    job_id = int(response["Location"].rstrip("/").rsplit("/", 1)[-1])
    job = runner.execute(job_id)
    assert job is not None and job.state in (JobState.DONE, JobState.FAILED), job
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "upload.csv" in page.text
    assert ("error-summary" in page.text) == (job.state == JobState.FAILED)
