"""The timeline in the API: read it, add an event, export it for Timesketch and others."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest, StreamingHttpResponse
from ninja import Field, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from hikeshi.api.auth import caller
from hikeshi.api.schemas import READ_ERRORS, WRITE_ERRORS, Instant, InvalidFields
from hikeshi.incidents import access
from hikeshi.incidents.models import TimelineEvent
from hikeshi.incidents.services import timeline as services
from hikeshi.incidents.vocabulary import TimePrecision


class EventIn(Schema):
    """Something that happened, at a possibly approximate time."""

    occurred_at: Instant
    description: str = Field(min_length=1)
    precision: TimePrecision = TimePrecision.EXACT
    source: str = Field("", max_length=200, description="defaults to 'manual'")
    device: str = Field("", max_length=200)


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


DEFAULT_PAGE_SIZE = 200  # as on the incident page


class TimelinePages(PageNumberPagination):
    """``page`` from 1 and ``page_size`` up to a maximum; the answer has ``items`` and ``count``."""

    class Input(Schema):
        page: int = Field(1, ge=1, description="from 1; past the last page, items is empty")
        # Refused above the maximum rather than cut silently: a client that computes
        # offsets from the size it asked for would otherwise skip entries.
        page_size: int = Field(
            DEFAULT_PAGE_SIZE, ge=1, le=services.MAX_PAGE_SIZE, description="entries per page"
        )


router = Router(tags=["timeline"])

EXPORT_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}


@router.get(
    "/incidents/{incident_id}/timeline", response={200: list[TimelineEntryOut], **READ_ERRORS}
)
@paginate(TimelinePages, max_page_size=services.MAX_PAGE_SIZE)
def get_timeline(request: HttpRequest, incident_id: int) -> services.Timeline:
    """Events and action records in one list, oldest first, a page at a time (with the count).

    At the same instant events come before actions, then each in the order they were added.
    """
    return services.Timeline(access.incident_for(caller(request), incident_id))


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
    request: HttpRequest, incident_id: int, format: Literal["csv", "jsonl"] = "csv"
) -> StreamingHttpResponse:
    """Download the timeline as CSV or JSON Lines (one object per line)."""
    incident = access.incident_for(caller(request), incident_id)
    # Streamed as the rows are read: memory stays flat however long the timeline is.
    entries = services.Timeline(incident)
    lines = services.export_csv(entries) if format == "csv" else services.export_jsonl(entries)
    response = StreamingHttpResponse(lines, content_type=EXPORT_TYPES[format])
    filename = f"hikeshi-incident-{incident.pk}-timeline.{format}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
