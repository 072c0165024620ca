"""The timeline in the API: read it, add an event, export it for Timesketch and others."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from django.http import HttpRequest, StreamingHttpResponse
from django.utils import translation
from ninja import Field, File, P, QueryEx, Router, Schema, Status, UploadedFile

from hikeshi.api.auth import caller
from hikeshi.api.paging import (
    CURSOR_HELP,
    NEXT_CURSOR_HELP,
    NEXT_HELP,
    cursor_checked,
    limit_help,
    next_link,
)
from hikeshi.api.schemas import (
    READ_ERRORS,
    WRITE_ERRORS,
    Instant,
    InstantIn,
    InvalidFields,
    TextBounds,
)
from hikeshi.incidents import access
from hikeshi.incidents.models import TimelineEvent
from hikeshi.incidents.selectors import timeline
from hikeshi.incidents.selectors.keyset import TOKEN_MAX
from hikeshi.incidents.services import timeline as services
from hikeshi.incidents.services import timeline_export, timeline_import
from hikeshi.incidents.services.errors import InvalidInput
from hikeshi.incidents.vocabulary import TimePrecision


class EventIn(Schema):
    """Something that happened, at a possibly approximate time."""

    occurred_at: InstantIn
    description: Annotated[str, TextBounds.of(TimelineEvent, "description")] = Field(min_length=1)
    precision: TimePrecision = TimePrecision.EXACT
    source: Annotated[str, TextBounds.of(TimelineEvent, "source")] = Field(
        "", description="defaults to 'manual'"
    )
    device: Annotated[str, TextBounds.of(TimelineEvent, "device")] = ""


class EventOut(Schema):
    """A timeline event."""

    id: int
    occurred_at: Instant
    precision: TimePrecision
    source: str
    device: str
    description: str


class TimelineEntryOut(Schema):
    """One line of the timeline: an event, or an action record (with its hash)."""

    at: Instant
    precision: TimePrecision
    entry_type: Literal["event", "action"]
    source: str
    device: str
    description: str
    actor: str
    scope: str
    settings: str
    record_hash: str
    action_id: int | None
    event_id: int | None
    kind: str = Field(description="an action record's stored kind; empty for an event")
    kind_label: str = Field(description="the kind in the caller's language; empty for an event")
    bookkeeping: bool = Field(
        description="true for a record hikeshi wrote to keep the case's record"
    )

    @staticmethod
    def resolve_kind_label(obj: timeline.TimelineEntry) -> str:
        return obj.kind_label

    @staticmethod
    def resolve_bookkeeping(obj: timeline.TimelineEntry) -> bool:
        return obj.is_bookkeeping


class TimelinePageOut(Schema):
    """A page of the timeline, and where the next one starts."""

    items: list[TimelineEntryOut]
    next_cursor: str | None = Field(description=NEXT_CURSOR_HELP)
    next: str | None = Field(description=NEXT_HELP)


ENTRIES_LIMIT_HELP = limit_help(timeline.MAX_PAGE_SIZE, "entries")

router = Router(tags=["timeline"])

BOM_HELP = "CSV only: start with a UTF-8 byte order mark, so that Excel reads it as UTF-8"
LOCAL_TIME_HELP = "add local_datetime (the incident's time zone, with its offset) and time_zone"
EXPORT_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}


@router.get(
    "/incidents/{incident_id}/timeline",
    response={200: TimelinePageOut, **READ_ERRORS, 422: InvalidFields},
)
def get_timeline(
    request: HttpRequest,
    incident_id: int,
    limit: QueryEx[
        int,
        P(
            ge=1,
            le=timeline.MAX_PAGE_SIZE,
            description=limit_help(timeline.MAX_PAGE_SIZE, "entries"),
        ),
    ] = timeline.PAGE_SIZE,
    cursor: QueryEx[str | None, P(description=CURSOR_HELP, max_length=TOKEN_MAX)] = None,
) -> dict[str, object]:
    """Events and action records in one list, oldest first, a page at a time.

    At the same instant events come before actions, then each in the order they were added.
    Pages follow each other by cursor, not by number: a deep page costs what the first
    does, and entries added meanwhile never shift a page.
    """
    incident = access.incident_for(caller(request), incident_id)
    with cursor_checked():
        position = timeline.read_position(cursor) if cursor else None
    page = timeline.page_after(incident.pk, position, size=limit)
    next_cursor = page.later.token() if page.later else None
    return {
        "items": page.entries,
        "next_cursor": next_cursor,
        "next": next_link(request, next_cursor),
    }


@router.post("/incidents/{incident_id}/timeline", response={201: EventOut, **WRITE_ERRORS})
def add_event(request: HttpRequest, incident_id: int, payload: EventIn) -> Status[TimelineEvent]:
    """Put an event on the timeline; adding it is itself recorded as an action."""
    user = caller(request)
    incident = access.incident_for(user, incident_id, write=True)
    event = services.add_event(
        user,
        incident.pk,
        occurred_at=payload.occurred_at,
        description=payload.description,
        precision=str(payload.precision),
        source=payload.source,
        device=payload.device,
    )
    return Status(201, event)


@router.get(
    "/incidents/{incident_id}/timeline/export",
    response={**READ_ERRORS, 422: InvalidFields},
    openapi_extra={
        "responses": {
            200: {
                "description": "The timeline with Timesketch's column names, times in UTC.",
                "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    "application/x-ndjson": {"schema": {"type": "string"}},
                },
            }
        }
    },
)
def export_timeline(
    request: HttpRequest,
    incident_id: int,
    format: Literal["csv", "jsonl"] = "csv",
    bom: QueryEx[bool, P(description=BOM_HELP)] = False,
    local_time: QueryEx[bool, P(description=LOCAL_TIME_HELP)] = False,
) -> StreamingHttpResponse:
    """Download the timeline as CSV or JSON Lines (one object per line).

    CSV cells a spreadsheet would evaluate as a formula (starting with =, +, -, @, a tab
    or a carriage return) are prefixed with a single quote.
    """
    incident = access.incident_for(caller(request), incident_id)
    options = timeline_export.ExportOptions(
        bom=bom and format == "csv",
        zone=ZoneInfo(incident.time_zone) if local_time else None,
    )
    # Streamed as the rows are read: memory stays flat however long the timeline is.
    entries = timeline.entries(incident.pk)
    lines = (
        timeline_export.export_csv(entries, options)
        if format == "csv"
        else timeline_export.export_jsonl(entries, options)
    )
    response = StreamingHttpResponse(lines, content_type=EXPORT_TYPES[format])
    filename = f"hikeshi-incident-{incident.pk}-timeline.{format}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class RejectedRowOut(Schema):
    """A row of the file that was not imported: its physical lines and why."""

    line: int = Field(description="first physical line of the row (the header is line 1)")
    last_line: int = Field(description="last physical line (a quoted cell may span lines)")
    column: str = Field(description="the header name of the column at fault, if one is")
    reason: str


class ImportOut(Schema):
    """What an import did: rows imported, rows rejected, and the stored file's SHA-256."""

    filename: str
    imported: int
    rejected: list[RejectedRowOut] = Field(description="the first 1,000 rejected rows")
    rejected_count: int = Field(description="every rejected row")
    rows: int = Field(description="data rows read (imported + rejected_count)")
    sha256: str
    size: int
    encoding: Literal["utf-8", "cp932"]
    ignored_columns: list[str]


class ImportJobOut(Schema):
    """The background job importing the file: poll ``status_url`` until it is not active."""

    job_id: int
    state: str
    status_url: str = Field(description="GET it for the job's progress and, once done, result")


WAIT_HELP = (
    "true: import within this request and answer the report (200), as for small files; "
    "by default the import runs as a background job and the answer is 202"
)


@router.post(
    "/incidents/{incident_id}/timeline/import",
    response={200: ImportOut, 202: ImportJobOut, **WRITE_ERRORS},
)
def import_timeline(
    request: HttpRequest,
    incident_id: int,
    file: File[UploadedFile],
    wait: QueryEx[bool, P(description=WAIT_HELP)] = False,
) -> ImportOut | Status[Any]:
    """Import timeline events from a CSV file (multipart field ``file``, UTF-8 or Shift_JIS).

    Columns and time formats as on the import page (Timesketch or Japanese names). The
    file is stored and a background job imports it: the answer is 202 with the job's id
    and ``status_url`` (GET /incidents/{incident_id}/jobs/{job_id}), whose result gives
    the counts and the first rejected rows. With ``wait=true`` the import runs within the
    request and the answer is the report: rows that cannot be read are listed with their
    line and reason and the others imported together; a file that cannot be imported at
    all answers 422 naming the file.
    """
    if not wait:
        return _import_in_background(request, incident_id, file)
    user = caller(request)
    incident = access.incident_for(user, incident_id, write=True)
    report = timeline_import.import_csv(user, incident, file.name or "", file.chunks())
    # The API speaks English, as its other messages do.
    with translation.override("en"):
        if report.error:
            problem: dict[str, object] = {
                "loc": ["body", "file"],
                "msg": report.error,
                "type": "invalid_file",
            }
            return Status(422, {"detail": [problem]})
        rejected = [
            RejectedRowOut(
                line=row.line,
                last_line=max(row.last_line, row.line),
                column=row.column,
                reason=row.problem.text(),
            )
            for row in report.rejected
        ]
    return ImportOut(
        filename=report.filename,
        imported=report.imported,
        rejected=rejected,
        rejected_count=report.rejected_count,
        rows=report.rows,
        sha256=report.sha256,
        size=report.size,
        encoding="cp932" if report.encoding == "cp932" else "utf-8",
        ignored_columns=report.ignored_columns,
    )


def _import_in_background(
    request: HttpRequest, incident_id: int, file: UploadedFile
) -> Status[Any]:
    """Return 202 and the job after storing the file and queueing its import."""
    from django.urls import reverse

    from hikeshi.jobs.services import enqueue_job
    from hikeshi.jobs.vocabulary import JobKind

    user = caller(request)
    incident = access.incident_for(user, incident_id, write=True)
    try:
        params = timeline_import.store_for_job(incident, file.name or "", file.chunks())
    except InvalidInput as error:
        problem = {"loc": ["body", "file"], "msg": error.english, "type": "invalid_file"}
        return Status(422, {"detail": [problem]})
    job = enqueue_job(JobKind.TIMELINE_IMPORT, incident_id=incident.pk, actor=user, params=params)
    url = reverse("api:get_job", kwargs={"incident_id": incident.pk, "job_id": job.pk})
    return Status(202, ImportJobOut(job_id=job.pk, state=job.state, status_url=url))
