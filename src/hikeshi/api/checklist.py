"""An incident's checklist in the API: its items with their guidance, and the work done on them."""

from __future__ import annotations

from typing import Annotated

from django.contrib.auth.models import User
from django.http import Http404, HttpRequest
from ninja import Query, Router, Status

from hikeshi.api.auth import caller
from hikeshi.api.checklist_schemas import (
    MATRIX_PREFIX,
    AssignIn,
    ChecklistItemOut,
    ChecklistOut,
    ChecklistQuery,
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
from hikeshi.api.paging import cursor_checked, next_link
from hikeshi.api.schemas import READ_ERRORS, WRITE_ERRORS, InvalidFields, TextBounds
from hikeshi.incidents import access
from hikeshi.incidents.models import ChecklistItem, Incident
from hikeshi.incidents.selectors import checklist as selectors
from hikeshi.incidents.selectors.checklist import ChecklistEntry
from hikeshi.incidents.services import checklist as services
from hikeshi.incidents.services.errors import InvalidInput

router = Router(tags=["checklist"])


def _shown(entry: ChecklistEntry | None) -> ChecklistItemOut:
    if entry is None:
        raise Http404("no such checklist item")
    return item_out(entry)


def _found(incident: Incident, item_id: int) -> ChecklistItemOut:
    return _shown(selectors.checklist_entry(incident, item_id))


def _writable(request: HttpRequest, incident_id: int, item_id: int) -> tuple[User, Incident]:
    """Return the caller and the incident, once sure the item belongs to that incident."""
    user = caller(request)
    incident = access.incident_for(user, incident_id, write=True)
    if not selectors.has_item(incident, item_id):
        raise Http404("no such checklist item")
    return user, incident


@router.get(
    "/incidents/{incident_id}/checklist",
    response={200: ChecklistOut, **READ_ERRORS, 422: InvalidFields},
)
def get_checklist(
    request: HttpRequest, incident_id: int, query: Query[ChecklistQuery]
) -> ChecklistOut:
    """The checklist in working order (filtered if asked), a page at a time, with progress
    per phase.

    The filters are those of the checklist page and `hikeshi checklist show`. Progress
    always counts the whole checklist, whatever the filters.
    """
    user = caller(request)
    incident = access.incident_for(user, incident_id)
    with cursor_checked():
        page = selectors.checklist_page(
            incident, query.filters(), reader=user, size=query.limit, cursor=query.cursor
        )
    return ChecklistOut(
        count=page.count,
        items=[item_out(entry) for entry in page.entries],
        next_cursor=page.next_token,
        next=next_link(request, page.next_token),
        progress=[progress_out(p) for p in selectors.progress(incident)],
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
    wanted = f"{MATRIX_PREFIX}{key}" if key.isdigit() else key
    return _shown(selectors.checklist_entry_by_key(incident, wanted))


@router.get(
    "/incidents/{incident_id}/checklist/{item_id}",
    response={200: ChecklistItemOut, **READ_ERRORS},
)
def get_checklist_item(request: HttpRequest, incident_id: int, item_id: int) -> ChecklistItemOut:
    """One item of the incident's checklist."""
    return _found(access.incident_for(caller(request), incident_id), item_id)


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
    return _found(incident, item_id)


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
    return _found(incident, item_id)


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
    return _found(incident, item_id)


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
        assignee = selectors.active_user_named(payload.username)
        if assignee is None:
            raise InvalidInput("username", "no active user has this name")
    with fields_named(assignee="username"):
        services.assign(user, incident.pk, item_id, assignee)
    return _found(incident, item_id)


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
