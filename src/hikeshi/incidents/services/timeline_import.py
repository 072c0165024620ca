"""Importing a CSV timeline: the upload is kept on disk, then read a record at a time.

The file is written to the incident's uploads folder while its SHA-256 is computed (never
held in memory), then parsed from there by :mod:`hikeshi.incidents.csv_records` and
:mod:`hikeshi.incidents.timeline_columns`. Every row is either imported or rejected with
its physical line and the reason; the good rows go in together (one transaction) or not at
all. A problem of the whole file yields a report with
one message naming the file, and the stored copy is removed. The loop reports progress and
can be cancelled between batches, so a background job can run it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext_noop

from hikeshi.bounds import LINE_MAX, TEXT_MAX, OutOfBounds, check_text, clip
from hikeshi.incidents.action_kinds import ActionKind
from hikeshi.incidents.csv_records import CsvRecords, FileProblem, Problem, Record
from hikeshi.incidents.models import Incident, TimelineEvent
from hikeshi.incidents.services.actions import ActionInput, append_action
from hikeshi.incidents.services.errors import InvalidInput
from hikeshi.incidents.timeline_columns import PRECISION_WORDS, Columns, parse_event_time
from hikeshi.incidents.workspace import StoredUpload, UploadTooLarge, store_upload, uploads_folder

IMPORT_LIMIT_ROWS = 100_000
# Large enough for a day of firewall summaries, small enough to parse within a request.
IMPORT_MAX_BYTES = 20 * 1024 * 1024
# Rejected rows listed in a report; the rest are counted. Bounds the report's memory when
# every row of a large file is refused (the wrong file, a shifted column).
REJECTED_LISTED = 1000
# Rows written per INSERT; progress is reported and cancellation checked between batches.
BATCH_ROWS = 1000
# timestamp_desc values that say nothing beyond "the time of the event": hikeshi's own
# export writes them, and re-importing that export must not prefix every description.
_PLAIN_TIME_KINDS = frozenset({"event time", "action performed"})

ProgressCallback = Callable[[int, int], None]
CancelCheck = Callable[[], bool]


@dataclass(frozen=True)
class RejectedRow:
    """A CSV row that was not imported: its physical lines, the column at fault and why."""

    line: int
    problem: Problem
    last_line: int = 0
    column: str = ""

    @property
    def lines(self) -> str:
        """Return the line, or the range of lines a multi-line row spans ("4-6")."""
        if self.last_line > self.line:
            return f"{self.line}-{self.last_line}"
        return str(self.line)

    @property
    def reason(self) -> str:
        """Return why, in the active language, prefixed with the column when one is at fault."""
        text = self.problem.text()
        return f"{self.column}: {text}" if self.column else text


@dataclass
class ImportReport:
    """What a timeline import did: rows taken, rows refused with their lines, or why none."""

    filename: str
    imported: int = 0
    # The first REJECTED_LISTED rejected rows; rejected_count counts them all.
    rejected: list[RejectedRow] = field(default_factory=list)
    rejected_count: int = 0
    # Data rows read (not the header nor blank lines): imported + rejected_count.
    rows: int = 0
    blank_lines: int = 0
    problem: Problem | None = None
    cancelled: bool = False
    sha256: str = ""
    size: int = 0
    encoding: str = ""
    stored_path: str = ""
    ignored_columns: list[str] = field(default_factory=list)

    def reject(self, row: RejectedRow) -> None:
        """Count a rejected row, listing it while the list is not full."""
        self.rejected_count += 1
        if len(self.rejected) < REJECTED_LISTED:
            self.rejected.append(row)

    @property
    def error(self) -> str:
        """Return the whole-file problem, translated and naming the file ("" when none)."""
        if self.problem is None:
            return ""
        return f"{self.filename}: {self.problem.text()}"


def import_csv(
    actor: User,
    incident: Incident,
    filename: str,
    chunks: Iterable[bytes],
    *,
    on_progress: ProgressCallback | None = None,
    cancelled: CancelCheck | None = None,
) -> ImportReport:
    """Return the report of importing the CSV whose bytes ``chunks`` yields.

    The bytes are stored in the incident's uploads folder as they arrive (at most
    IMPORT_MAX_BYTES), then imported by :func:`import_stored`.
    """
    name = clip(filename.strip() or "timeline.csv", LINE_MAX)
    try:
        stored = store_upload(incident.pk, chunks, max_bytes=IMPORT_MAX_BYTES)
    except UploadTooLarge:
        report = ImportReport(filename=name)
        report.problem = Problem(
            gettext_noop(
                "the file is larger than %(limit)s bytes, the most a timeline import takes; "
                "split it and import the parts"
            ),
            {"limit": f"{IMPORT_MAX_BYTES:,}"},
        )
        return report
    except OSError as error:
        report = ImportReport(filename=name)
        report.problem = Problem(
            gettext_noop("the file could not be stored in the data folder (%(error)s)"),
            {"error": error.strerror or type(error).__name__},
        )
        return report
    return import_stored(
        actor, incident, name, stored, on_progress=on_progress, cancelled=cancelled
    )


class _Cancelled(Exception):
    """The caller asked to stop; the transaction is rolled back."""


def import_stored(
    actor: User,
    incident: Incident,
    filename: str,
    stored: StoredUpload,
    *,
    on_progress: ProgressCallback | None = None,
    cancelled: CancelCheck | None = None,
) -> ImportReport:
    """Return the report of importing a stored upload; remove it when nothing is imported.

    ``on_progress(done_bytes, total_bytes)`` is called after each batch of rows and at the
    end; ``cancelled()`` is asked between batches, and a true answer rolls everything back.
    """
    report = ImportReport(
        filename=filename,
        sha256=stored.sha256,
        size=stored.size,
        stored_path=stored.relative_path(),
    )
    try:
        with stored.path.open("rb") as handle, transaction.atomic():
            records = CsvRecords(handle)
            _import_records(actor, incident, records, report, on_progress, cancelled)
    except FileProblem as refused:
        report.problem = refused.problem
    except _Cancelled:
        report.cancelled = True
        report.problem = Problem(gettext_noop("the import was cancelled; nothing was imported"))
    except OSError as error:
        report.problem = Problem(
            gettext_noop("the stored file could not be read (%(error)s)"),
            {"error": error.strerror or type(error).__name__},
        )
    except BaseException:
        stored.discard()
        raise
    if report.problem is not None:
        # Nothing was imported: the copy would be evidence of nothing.
        report.imported = 0
        stored.discard()
        report.stored_path = ""
    return report


def _import_records(
    actor: User,
    incident: Incident,
    records: CsvRecords,
    report: ImportReport,
    on_progress: ProgressCallback | None,
    cancelled: CancelCheck | None,
) -> None:
    """Read every record into ``report``, writing good rows in batches (raise to roll back)."""
    reader = _RowReader(actor, incident, report.filename)
    columns: Columns | None = None
    batch: list[TimelineEvent] = []
    # The ids of the events written: the import's action record covers exactly these.
    created: list[int] = []
    for record in records:
        if record.is_blank:
            report.blank_lines += record.last_line - record.first_line + 1
            continue
        if columns is None:
            columns = _header(record)
            report.encoding = records.encoding
            report.ignored_columns = [clip(name, 40) for name in columns.ignored()[:20]]
            continue
        report.rows += 1
        if report.rows > IMPORT_LIMIT_ROWS:
            raise FileProblem(
                gettext_noop("more than %(limit)s rows; split the file and import the parts"),
                limit=f"{IMPORT_LIMIT_ROWS:,}",
            )
        event = reader.event(record, columns, report)
        if event is not None:
            batch.append(event)
        if len(batch) >= BATCH_ROWS:
            _write(batch, report, records, on_progress, cancelled, created)
    if columns is None:
        raise FileProblem(gettext_noop("the file has no header line (and no rows)"))
    _write(batch, report, records, on_progress, cancelled, created)
    append_action(
        incident.pk,
        actor,
        ActionInput(
            what="タイムラインをインポート",
            scope=report.filename,
            settings=(
                f"imported={report.imported}; rejected={report.rejected_count}; "
                f"file={report.filename}; sha256={report.sha256}; bytes={report.size}; "
                f"encoding={report.encoding}; stored={report.stored_path}"
            ),
        ),
        kind=ActionKind.TIMELINE_IMPORTED,
        events=created,
    )
    if on_progress is not None:
        on_progress(report.size, report.size)


def _header(record: Record) -> Columns:
    if record.problem is not None:
        raise FileProblem(
            gettext_noop("the header line %(line)s cannot be read: %(problem)s"),
            line=record.first_line,
            problem=record.problem.text(),
        )
    return Columns.from_header(record.cells)


def _write(
    batch: list[TimelineEvent],
    report: ImportReport,
    records: CsvRecords,
    on_progress: ProgressCallback | None,
    cancelled: CancelCheck | None,
    created: list[int],
) -> None:
    if batch:
        TimelineEvent.objects.bulk_create(batch)
        created.extend(event.pk for event in batch)
        report.imported += len(batch)
        batch.clear()
    if on_progress is not None:
        on_progress(min(records.bytes_read, report.size), report.size)
    if cancelled is not None and cancelled():
        raise _Cancelled


class _RowReader:
    """Turns a record into an event, or a rejected row on the report."""

    def __init__(self, actor: User, incident: Incident, filename: str) -> None:
        self.actor = actor
        self.incident = incident
        self.zone = ZoneInfo(incident.time_zone)
        self.default_source = clip(f"import:{filename}", LINE_MAX)

    def event(self, record: Record, columns: Columns, report: ImportReport) -> TimelineEvent | None:
        """Return the event of a row, or None after adding the row to the rejected ones."""
        try:
            return self._event(record, columns)
        except _Refused as refused:
            report.reject(
                RejectedRow(record.first_line, refused.problem, record.last_line, refused.column)
            )
        except OutOfBounds as refused:
            problem = Problem(refused.message, refused.params)
            report.reject(RejectedRow(record.first_line, problem, record.last_line, refused.field))
        return None

    def _event(self, record: Record, columns: Columns) -> TimelineEvent:
        if record.problem is not None:
            raise _Refused(record.problem)
        cells = record.cells
        if len(cells) != len(columns.names):
            raise _Refused(
                Problem(
                    gettext_noop("the row has %(found)s fields; the header has %(expected)s"),
                    {"found": len(cells), "expected": len(columns.names)},
                )
            )
        time_text, time_column = columns.time_text(cells)
        at, precision = parse_event_time(time_column, time_text, self.zone)
        message, message_column = columns.first("message", cells)
        if not message:
            raise _Refused(Problem(gettext_noop("empty message")), message_column)
        kind, _ = columns.first("timestamp_desc", cells)
        if kind and kind.casefold() not in _PLAIN_TIME_KINDS:
            # Timesketch's timestamp_desc says which time of a thing this is ("File
            # created", "Last login"): kept in the description, which has no other place.
            message = f"[{kind}] {message}"
        description = check_text(message_column, message, max_length=TEXT_MAX, multiline=True)
        stated, precision_column = columns.first("precision", cells)
        if stated:
            known = PRECISION_WORDS.get(stated.casefold())
            if known is None:
                raise _Refused(
                    Problem(
                        gettext_noop("unknown precision '%(value)s' (write exact, about or day)"),
                        {"value": clip(stated, 40)},
                    ),
                    precision_column,
                )
            precision = known
        source, source_column = columns.first("source", cells)
        device, device_column = columns.first("device", cells)
        # Ids rather than objects: setting a relation through its descriptor costs more
        # than the rest of building the row, 100,000 times over.
        return TimelineEvent(
            incident_id=self.incident.pk,
            occurred_at=at,
            precision=precision,
            source=check_text(source_column, source, max_length=LINE_MAX) or self.default_source,
            device=check_text(device_column, device, max_length=LINE_MAX),
            description=description,
            created_by_id=self.actor.pk,
        )


class _Refused(Exception):
    def __init__(self, problem: Problem, column: str = "") -> None:
        self.problem = problem
        self.column = column
        super().__init__(problem.message)


# Rejected rows a background import keeps in its job's result (the rest are counted): the
# result is a small JSON summary, not the whole report.
REJECTED_IN_RESULT = 200


def store_for_job(incident: Incident, filename: str, chunks: Iterable[bytes]) -> dict[str, Any]:
    """Return a timeline_import job's parameters after storing the upload ``chunks`` yields.

    The bytes are written to the incident's uploads folder while hashed (at most
    IMPORT_MAX_BYTES), so the job reads them from there. Raises InvalidInput naming the file
    when the upload is too large or cannot be stored.
    """
    name = clip(filename.strip() or "timeline.csv", LINE_MAX)
    try:
        stored = store_upload(incident.pk, chunks, max_bytes=IMPORT_MAX_BYTES)
    except UploadTooLarge:
        raise InvalidInput(
            "file",
            gettext_noop(
                "%(file)s is larger than %(limit)s bytes, the most a timeline import takes; "
                "split it and import the parts"
            ),
            file=name,
            limit=f"{IMPORT_MAX_BYTES:,}",
        ) from None
    except OSError as error:
        raise InvalidInput(
            "file",
            gettext_noop("%(file)s could not be stored in the data folder (%(error)s)"),
            file=name,
            error=error.strerror or type(error).__name__,
        ) from None
    return {
        "filename": name,
        "stored": stored.path.name,
        "stored_path": stored.relative_path(),
        "sha256": stored.sha256,
        "size": stored.size,
        "existed": stored.existed,
    }


def stored_for_job(incident_id: int, params: Mapping[str, Any]) -> StoredUpload:
    """Return the stored upload a timeline_import job's parameters name.

    Only a file directly in the incident's uploads folder is accepted, so parameters cannot
    point the import at another incident's file or elsewhere on disk.
    """
    name = str(params.get("stored") or "")
    folder = uploads_folder(incident_id)
    path = folder / name
    if not name or "/" in name or "\\" in name or name.startswith(".") or not path.is_file():
        raise InvalidInput(
            "file",
            gettext_noop(
                "the uploaded file %(file)s is no longer in the incident's folder; upload it again"
            ),
            file=str(params.get("filename") or name),
        )
    return StoredUpload(
        path=path,
        sha256=str(params.get("sha256") or ""),
        size=int(params.get("size") or path.stat().st_size),
        existed=bool(params.get("existed")),
    )


def import_summary(report: ImportReport) -> dict[str, Any]:
    """Return the report as a job keeps it: counts, file facts and the first rejected rows.

    Reasons stay message ids with their parameters, translated for whoever reads them.
    """
    return {
        "file": report.filename,
        "imported": report.imported,
        "rejected": report.rejected_count,
        # The details, for the import's own page (job lists show the counts above).
        "report": {
            "sha256": report.sha256,
            "size": report.size,
            "encoding": report.encoding,
            "ignored_columns": report.ignored_columns,
            "rejected_rows": [
                {
                    "line": row.line,
                    "last_line": row.last_line,
                    "column": row.column,
                    "message": row.problem.message,
                    "params": dict(row.problem.params),
                }
                for row in report.rejected[:REJECTED_IN_RESULT]
            ],
        },
    }


def report_from_summary(summary: Mapping[str, Any]) -> ImportReport:
    """Return the report a finished job's summary describes (rejected rows as kept)."""
    details = summary.get("report") or {}
    report = ImportReport(
        filename=str(summary.get("file") or ""),
        imported=int(summary.get("imported") or 0),
        rejected_count=int(summary.get("rejected") or 0),
        sha256=str(details.get("sha256") or ""),
        size=int(details.get("size") or 0),
        encoding=str(details.get("encoding") or ""),
        ignored_columns=[str(name) for name in details.get("ignored_columns") or []],
    )
    for row in details.get("rejected_rows") or []:
        report.rejected.append(
            RejectedRow(
                line=int(row.get("line") or 0),
                problem=Problem(str(row.get("message") or ""), dict(row.get("params") or {})),
                last_line=int(row.get("last_line") or 0),
                column=str(row.get("column") or ""),
            )
        )
    return report
