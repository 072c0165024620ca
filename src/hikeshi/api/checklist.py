"""An incident's checklist in the API: its items with their guidance, and the work done on them."""

from __future__ import annotations

from typing import Annotated

from django.contrib.auth.models import User
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest
from ninja import Query, Router, Status

from hikeshi.api.auth import caller
from hikeshi.api.checklist_schemas import (
    MATRIX_PREFIX,
    AssignIn,
    ChecklistFilter,
    ChecklistItemOut,
    ChecklistOut,
    CommentIn,
    CommentOut,
    DoneIn,
    NotApplicableIn,
    StartIn,
    comment_out,
    item_out,
    progress_out,
)
from hikeshi.api.errors import fields_named
from hikeshi.api.schemas import READ_ERRORS, WRITE_ERRORS, InvalidFields, TextBounds
from hikeshi.incidents import access
from hikeshi.incidents.models import ChecklistComment, ChecklistItem, Incident
from hikeshi.incidents.services import checklist as services
from hikeshi.incidents.services.errors import InvalidInput

router = Router(tags=["checklist"])


def _items(incident: Incident) -> QuerySet[ChecklistItem]:
    comments = ChecklistComment.objects.select_related("author")
    return (
        ChecklistItem.objects.filter(incident=incident)
        .select_related("assignee")
        .prefetch_related(Prefetch("comments", queryset=comments))
        .order_by("position", "pk")
    )


def _found(incident: Incident, **lookup: object) -> ChecklistItemOut:
    item = _items(incident).filter(**lookup).first()
    if item is None:
        raise Http404("no such checklist item")
    return item_out(item)


def _writable(request: HttpRequest, incident_id: int, item_id: int) -> tuple[User, Incident]:
    """Return the caller and the incident, once sure the item belongs to that incident."""
    user = caller(request)
    incident = access.incident_for(user, incident_id, write=True)
    if not ChecklistItem.objects.filter(incident=incident, pk=item_id).exists():
        raise Http404("no such checklist item")
    return user, incident


@router.get(
    "/incidents/{incident_id}/checklist",
    response={200: ChecklistOut, **READ_ERRORS, 422: InvalidFields},
)
def get_checklist(
    request: HttpRequest, incident_id: int, filters: Query[ChecklistFilter]
) -> ChecklistOut:
    """The checklist in working order (filtered if asked), with progress per phase.

    Progress always counts the whole checklist, whatever the filters.
    """
    incident = access.incident_for(caller(request), incident_id)
    found = _items(incident)
    for name in ("phase", "group", "status", "requirement", "applies"):
        value = getattr(filters, name)
        if value is not None:
            found = found.filter(**{name: value})
    if filters.assignee is not None:
        found = found.filter(assignee__username=filters.assignee)
    return ChecklistOut(
        items=[item_out(item) for item in found],
        progress=[progress_out(p) for p in services.progress(incident)],
    )


@router.get(
    "/incidents/{incident_id}/checklist/by-key/{key}",
    response={200: ChecklistItemOut, **READ_ERRORS},
)
def get_checklist_item_by_key(
    request: HttpRequest, incident_id: int, key: Annotated[str, TextBounds.of(ChecklistItem, "key")]
) -> ChecklistItemOut:
    """One item by its guidance key ("matrix:28") or, for matrix items, its number ("28")."""
    incident = access.incident_for(caller(request), incident_id)
    return _found(incident, key=f"{MATRIX_PREFIX}{key}" if key.isdigit() else key)


@router.get(
    "/incidents/{incident_id}/checklist/{item_id}",
    response={200: ChecklistItemOut, **READ_ERRORS},
)
def get_checklist_item(request: HttpRequest, incident_id: int, item_id: int) -> ChecklistItemOut:
    """One item of the incident's checklist."""
    return _found(access.incident_for(caller(request), incident_id), pk=item_id)


@router.post(
    "/incidents/{incident_id}/checklist/{item_id}/done",
    response={200: ChecklistItemOut, **WRITE_ERRORS},
)
def mark_checklist_item_done(
    request: HttpRequest, incident_id: int, item_id: int, payload: DoneIn
) -> ChecklistItemOut:
    """Mark the item done, saying when, on what and how; this records an action too.

    The guidance's first rule: record the date and time, the scope and the settings of
    everything done. A blank ``scope`` or ``settings`` is refused (422).
    """
    user, incident = _writable(request, incident_id, item_id)
    services.mark_done(
        user,
        incident.pk,
        item_id,
        performed_at=payload.performed_at,
        scope=payload.scope,
        settings=payload.settings,
        note=payload.note,
    )
    return _found(incident, pk=item_id)


@router.post(
    "/incidents/{incident_id}/checklist/{item_id}/not-applicable",
    response={200: ChecklistItemOut, **WRITE_ERRORS},
)
def mark_checklist_item_not_applicable(
    request: HttpRequest, incident_id: int, item_id: int, payload: NotApplicableIn
) -> ChecklistItemOut:
    """Mark the item as not applying to this incident, saying why (recorded as an action)."""
    user, incident = _writable(request, incident_id, item_id)
    services.mark_not_applicable(user, incident.pk, item_id, payload.reason)
    return _found(incident, pk=item_id)


@router.post(
    "/incidents/{incident_id}/checklist/{item_id}/start",
    response={200: ChecklistItemOut, **WRITE_ERRORS},
)
def start_checklist_item(
    request: HttpRequest, incident_id: int, item_id: int, payload: StartIn
) -> ChecklistItemOut:
    """Set the item in progress; a closed item is reopened only with ``reopen``."""
    user, incident = _writable(request, incident_id, item_id)
    with fields_named(status="reopen"):
        services.set_in_progress(user, incident.pk, item_id, reopen=payload.reopen)
    return _found(incident, pk=item_id)


@router.post(
    "/incidents/{incident_id}/checklist/{item_id}/assign",
    response={200: ChecklistItemOut, **WRITE_ERRORS},
)
def assign_checklist_item(
    request: HttpRequest, incident_id: int, item_id: int, payload: AssignIn
) -> ChecklistItemOut:
    """Give the item to a lead or responder of the incident, or to nobody (null)."""
    user, incident = _writable(request, incident_id, item_id)
    assignee = None
    if payload.username is not None:
        assignee = User.objects.filter(username=payload.username, is_active=True).first()
        if assignee is None:
            raise InvalidInput("username", "no active user has this name")
    with fields_named(assignee="username"):
        services.assign(user, incident.pk, item_id, assignee)
    return _found(incident, pk=item_id)


@router.post(
    "/incidents/{incident_id}/checklist/{item_id}/comments",
    response={201: CommentOut, **WRITE_ERRORS},
)
def comment_on_checklist_item(
    request: HttpRequest, incident_id: int, item_id: int, payload: CommentIn
) -> Status[CommentOut]:
    """Add a remark to the item."""
    user, incident = _writable(request, incident_id, item_id)
    comment = services.add_comment(user, incident.pk, item_id, payload.text)
    return Status(201, comment_out(comment))
