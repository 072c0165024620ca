"""API routes for incidents: list, open, read, edit, triage, move through the lifecycle."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Status

from hikeshi.api.auth import caller
from hikeshi.api.schemas import (
    READ_ERRORS,
    VERSIONED_WRITE_ERRORS,
    IncidentFilter,
    IncidentIn,
    IncidentOut,
    IncidentUpdate,
    InvalidFields,
    Message,
    StatusIn,
    TriageIn,
)
from hikeshi.incidents import access
from hikeshi.incidents.models import Incident
from hikeshi.incidents.services import incidents as services

router = Router(tags=["incidents"])


@router.get(
    "/incidents", response={200: list[IncidentOut], 401: Message, 422: InvalidFields}
)
def list_incidents(request: HttpRequest, filters: Query[IncidentFilter]) -> list[Incident]:
    """Incidents you take part in, most urgent first (priority, then newest detection)."""
    found = access.visible_incidents(caller(request))
    if filters.status is not None:
        found = found.filter(status=filters.status)
    if filters.type is not None:
        found = found.filter(type_tags__code=filters.type)
    if filters.priority is not None:
        found = found.filter(priority=filters.priority)
    return list(found.prefetch_related("type_tags").order_by("priority", "-detected_at"))


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

