"""Action records in the API: read them, append one; never edit or delete (append-only)."""

from __future__ import annotations

from typing import Annotated

from django.http import Http404, HttpRequest
from ninja import Field, P, QueryEx, Router, Schema, Status

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
from hikeshi.incidents.models import ActionRecord
from hikeshi.incidents.selectors.actions import action_in, chain_page
from hikeshi.incidents.selectors.keyset import PAGE_SIZE_MAX, TOKEN_MAX
from hikeshi.incidents.services.actions import ActionInput, append_action


class ActionIn(Schema):
    """What a person did: what, when, on what (scope) and how (settings)."""

    what: Annotated[str, TextBounds.of(ActionRecord, "what")] = Field(min_length=1)
    performed_at: InstantIn | None = Field(None, description="defaults to now")
    scope: Annotated[str, TextBounds.of(ActionRecord, "scope")] = Field(
        "", description="範囲: the machines, accounts or data acted on"
    )
    settings: Annotated[str, TextBounds.of(ActionRecord, "settings_text")] = Field(
        "", description="設定内容: the settings or commands used"
    )
    note: Annotated[str, TextBounds.of(ActionRecord, "note")] = ""
    corrects: int | None = Field(None, description="id of the action record this corrects")


class ActionOut(Schema):
    """One action record of the incident's append-only, hash-chained log."""

    id: int
    sequence: int
    kind: str = Field(description="the kind's stored key, stable for programs")
    kind_label: str = Field(description="the kind as people read it, in the caller's language")
    bookkeeping: bool = Field(
        description="true when hikeshi wrote the record to keep the case's record "
        "(status, members, checklist generation, imports), false for what a person did"
    )
    what: str
    performed_at: Instant
    recorded_at: Instant
    actor: str
    scope: str
    settings: str
    note: str
    corrects: int | None
    checklist_item_ref: str
    evidence_ref: str
    finding_ref: str
    prev_hash: str
    record_hash: str

    @staticmethod
    def resolve_kind_label(obj: ActionRecord) -> str:
        return obj.kind_label

    @staticmethod
    def resolve_bookkeeping(obj: ActionRecord) -> bool:
        return obj.is_bookkeeping

    @staticmethod
    def resolve_actor(obj: ActionRecord) -> str:
        return obj.actor_name

    @staticmethod
    def resolve_settings(obj: ActionRecord) -> str:
        return obj.settings_text

    @staticmethod
    def resolve_corrects(obj: ActionRecord) -> int | None:
        return obj.corrects_id


class ActionPageOut(Schema):
    """A page of the chain, and where the next one starts."""

    items: list[ActionOut]
    next_cursor: str | None = Field(description=NEXT_CURSOR_HELP)
    next: str | None = Field(description=NEXT_HELP)


router = Router(tags=["action records"])

PAGE_SIZE = 100


@router.get(
    "/incidents/{incident_id}/actions",
    response={200: ActionPageOut, **READ_ERRORS, 422: InvalidFields},
)
def list_actions(
    request: HttpRequest,
    incident_id: int,
    limit: QueryEx[
        int, P(ge=1, le=PAGE_SIZE_MAX, description=limit_help(PAGE_SIZE_MAX, "records"))
    ] = PAGE_SIZE,
    cursor: QueryEx[str | None, P(description=CURSOR_HELP, max_length=TOKEN_MAX)] = None,
) -> dict[str, object]:
    """The incident's action records in chain order (sequence 1 first), a page at a time.

    Pages follow each other by cursor: a deep page costs what the first does.
    """
    incident = access.incident_for(caller(request), incident_id)
    with cursor_checked():
        page = chain_page(incident.pk, size=limit, cursor=cursor)
    return {
        "items": page.rows,
        "next_cursor": page.next_token,
        "next": next_link(request, page.next_token),
    }


@router.post("/incidents/{incident_id}/actions", response={201: ActionOut, **WRITE_ERRORS})
def record_action(
    request: HttpRequest, incident_id: int, payload: ActionIn
) -> Status[ActionRecord]:
    """Record something you did; to fix a record, append one that ``corrects`` it."""
    user = caller(request)
    incident = access.incident_for(user, incident_id, write=True)
    record = append_action(
        incident.pk,
        user,
        ActionInput(
            what=payload.what,
            performed_at=payload.performed_at,
            scope=payload.scope,
            settings=payload.settings,
            note=payload.note,
            corrects_id=payload.corrects,
        ),
    )
    return Status(201, record)


@router.get(
    "/incidents/{incident_id}/actions/{action_id}", response={200: ActionOut, **READ_ERRORS}
)
def get_action(request: HttpRequest, incident_id: int, action_id: int) -> ActionRecord:
    """One action record of the incident."""
    incident = access.incident_for(caller(request), incident_id)
    record = action_in(incident.pk, action_id)
    if record is None:
        raise Http404("no such action record")
    return record
