"""Incidents in the API: their shapes, and routes to list, open, read, edit, triage, move them."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from hikeshi.api.auth import caller
from hikeshi.api.paging import NEXT_CURSOR_HELP, NEXT_HELP, PageQuery, cursor_checked, next_link
from hikeshi.api.schemas import (
    READ_ERRORS,
    VERSION_HELP,
    VERSIONED_WRITE_ERRORS,
    Instant,
    InstantIn,
    InvalidFields,
    Message,
    TextBounds,
    TimeZoneName,
)
from hikeshi.incidents import access
from hikeshi.incidents.models import ActionRecord, Incident
from hikeshi.incidents.selectors.incidents import IncidentFilters, incident_page
from hikeshi.incidents.services import incidents as services
from hikeshi.incidents.vocabulary import IncidentType, Level, Priority, TimePrecision
from hikeshi.incidents.vocabulary import Status as IncidentStatus


def _bounds(column: str) -> TextBounds:
    return TextBounds.of(Incident, column)


class IncidentIn(Schema):
    """The intake record items of the JPCERT/CC handling flow and the IPA SME guide."""

    title: Annotated[str, _bounds("title")] = Field(min_length=1)
    detected_at: InstantIn = Field(description="when it was detected or reported (発覚日時)")
    types: list[IncidentType] = Field(default_factory=list)
    organisation: Annotated[str, _bounds("organisation")] = Field("", description="事業者")
    commissioning_organisation: Annotated[str, _bounds("commissioning_organisation")] = Field(
        "", description="委託元"
    )
    estimated_start: InstantIn | None = Field(None, description="estimated start (発生日時)")
    estimated_start_precision: TimePrecision = TimePrecision.ABOUT
    reporter: Annotated[str, _bounds("reporter")] = Field(
        "", description="who discovered or reported it"
    )
    reporter_contact: Annotated[str, _bounds("reporter_contact")] = ""
    location: Annotated[str, _bounds("location")] = Field(
        "", description="where: systems, servers, network devices"
    )
    what_happened: Annotated[str, _bounds("what_happened")] = Field("", description="発生事象")
    assumed_cause: Annotated[str, _bounds("assumed_cause")] = Field(
        "", description="想定される原因"
    )
    affected_systems: Annotated[str, _bounds("affected_systems")] = ""
    system_configuration: Annotated[str, _bounds("system_configuration")] = ""
    time_zone: TimeZoneName = Field("Asia/Tokyo", description="IANA name, for display")

    def to_input(self) -> services.IncidentInput:
        """Return the service's input (plain strings in place of vocabulary members)."""
        return services.IncidentInput(
            title=self.title,
            detected_at=self.detected_at,
            types=[str(code) for code in self.types],
            organisation=self.organisation,
            commissioning_organisation=self.commissioning_organisation,
            estimated_start=self.estimated_start,
            estimated_start_precision=str(self.estimated_start_precision),
            reporter=self.reporter,
            reporter_contact=self.reporter_contact,
            location=self.location,
            what_happened=self.what_happened,
            assumed_cause=self.assumed_cause,
            affected_systems=self.affected_systems,
            system_configuration=self.system_configuration,
            time_zone=self.time_zone,
        )


class IncidentUpdate(IncidentIn):
    """All intake items (a full replacement) and the version they were read at."""

    version: int = Field(description=VERSION_HELP)


class IncidentOut(Schema):
    """An incident: its intake items, triage and place in the lifecycle."""

    id: int
    title: str
    types: list[IncidentType]
    organisation: str
    commissioning_organisation: str
    detected_at: Instant
    estimated_start: Instant | None
    estimated_start_precision: TimePrecision
    reporter: str
    reporter_contact: str
    location: str
    what_happened: str
    assumed_cause: str
    affected_systems: str
    system_configuration: str
    time_zone: str
    status: IncidentStatus
    is_incident: bool | None
    not_incident_reason: str
    urgency: Level | None
    impact: Level | None
    priority: Priority = Field(description="1 is handled first; 9 means not triaged")
    triaged_at: Instant | None
    is_demo: bool
    created_at: Instant
    updated_at: Instant
    version: int = Field(description="send it back with every change")


class IncidentQuery(PageQuery):
    """Which incidents to list (every filter is optional), and which page."""

    status: IncidentStatus | None = None
    type: IncidentType | None = None
    priority: Priority | None = None

    def filters(self) -> IncidentFilters:
        """Return the filters as the incident list takes them."""
        return IncidentFilters(
            status=None if self.status is None else str(self.status),
            type=None if self.type is None else str(self.type),
            priority=None if self.priority is None else int(self.priority),
        )


class IncidentPage(Schema):
    """A page of incidents, and how to get the next one."""

    items: list[IncidentOut]
    next_cursor: str | None = Field(description=NEXT_CURSOR_HELP)
    next: str | None = Field(description=NEXT_HELP)


class TriageIn(Schema):
    """The triage decision: an incident (with urgency and impact) or not (with a reason)."""

    is_incident: bool
    urgency: Level | None = Field(None, description="required when is_incident")
    impact: Level | None = Field(None, description="required when is_incident")
    not_incident_reason: Annotated[str, _bounds("not_incident_reason")] = Field(
        "", description="required when not is_incident"
    )
    version: int = Field(description=VERSION_HELP)


class StatusIn(Schema):
    """A move through the lifecycle (``not_incident`` is decided in triage)."""

    status: IncidentStatus
    reason: Annotated[str, TextBounds.of(ActionRecord, "note")] = ""
    version: int = Field(description=VERSION_HELP)


router = Router(tags=["incidents"])


@router.get("/incidents", response={200: IncidentPage, 401: Message, 422: InvalidFields})
def list_incidents(request: HttpRequest, query: Query[IncidentQuery]) -> dict[str, Any]:
    """Incidents you take part in, most urgent first (priority, then newest detection).

    A page at a time: follow ``next`` (or send ``next_cursor`` as ``cursor``) until it is
    null.
    """
    with cursor_checked():
        page = incident_page(
            caller(request), query.filters(), size=query.limit, cursor=query.cursor
        )
    return {
        "items": page.rows,
        "next_cursor": page.next_token,
        "next": next_link(request, page.next_token),
    }


@router.post("/incidents", response={201: IncidentOut, 401: Message, 422: InvalidFields})
def open_incident(request: HttpRequest, payload: IncidentIn) -> Status[Incident]:
    """Open an incident from its intake record; you become its lead."""
    return Status(201, services.open_incident(caller(request), payload.to_input()))


@router.get("/incidents/{incident_id}", response={200: IncidentOut, **READ_ERRORS})
def get_incident(request: HttpRequest, incident_id: int) -> Incident:
    """One incident."""
    return access.incident_for(caller(request), incident_id)


@router.put("/incidents/{incident_id}", response={200: IncidentOut, **VERSIONED_WRITE_ERRORS})
def update_incident(request: HttpRequest, incident_id: int, payload: IncidentUpdate) -> Incident:
    """Replace the intake record items (send all of them, with the version you read)."""
    user = caller(request)
    incident = access.incident_for(user, incident_id, write=True)
    return services.update_incident(user, incident.pk, payload.version, payload.to_input())


@router.post(
    "/incidents/{incident_id}/triage", response={200: IncidentOut, **VERSIONED_WRITE_ERRORS}
)
def triage_incident(request: HttpRequest, incident_id: int, payload: TriageIn) -> Incident:
    """Decide whether this is an incident; urgency x impact gives its priority."""
    user = caller(request)
    incident = access.incident_for(user, incident_id, write=True)
    decision = services.TriageInput(
        is_incident=payload.is_incident,
        urgency=None if payload.urgency is None else int(payload.urgency),
        impact=None if payload.impact is None else int(payload.impact),
        not_incident_reason=payload.not_incident_reason,
    )
    return services.triage(user, incident.pk, payload.version, decision)


@router.post(
    "/incidents/{incident_id}/status", response={200: IncidentOut, **VERSIONED_WRITE_ERRORS}
)
def change_status(request: HttpRequest, incident_id: int, payload: StatusIn) -> Incident:
    """Move the incident to another lifecycle status, saying why."""
    user = caller(request)
    incident = access.incident_for(user, incident_id, write=True)
    return services.change_status(
        user, incident.pk, payload.version, str(payload.status), payload.reason
    )
