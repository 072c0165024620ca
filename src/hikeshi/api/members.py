"""An incident's members in the API: who takes part, and (set by leads) in which role."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext_noop
from ninja import Field, Query, Router, Schema

from hikeshi.accounts.selectors import active_user_named
from hikeshi.api.auth import caller
from hikeshi.api.paging import NEXT_CURSOR_HELP, NEXT_HELP, PageQuery, cursor_checked, next_link
from hikeshi.api.schemas import READ_ERRORS, WRITE_ERRORS, InvalidFields, TextBounds, UserName
from hikeshi.incidents import access
from hikeshi.incidents.models import Membership
from hikeshi.incidents.refusals import NotPermitted
from hikeshi.incidents.selectors.keyset import PAGE_SIZE_DEFAULT
from hikeshi.incidents.selectors.members import member_page
from hikeshi.incidents.services.errors import InvalidInput
from hikeshi.incidents.services.incidents import set_membership
from hikeshi.incidents.vocabulary import Role


class MemberIn(Schema):
    """Give a person a role in the incident, or remove them with a null role."""

    username: UserName
    role: Role | None
    affiliation: Annotated[str, TextBounds.of(Membership, "affiliation")] = Field(
        "", description="所属"
    )


class MemberOut(Schema):
    """A person taking part in the incident."""

    username: str
    full_name: str
    role: Role
    affiliation: str

    @staticmethod
    def resolve_username(obj: Membership) -> str:
        return obj.user.get_username()

    @staticmethod
    def resolve_full_name(obj: Membership) -> str:
        return obj.user.get_full_name()


class MemberPage(Schema):
    """A page of the incident's members, leads first, and how to get the next one."""

    items: list[MemberOut]
    next_cursor: str | None = Field(description=NEXT_CURSOR_HELP)
    next: str | None = Field(description=NEXT_HELP)


router = Router(tags=["members"])


def _page(
    request: HttpRequest, incident_id: int, size: int, cursor: str | None = None
) -> dict[str, Any]:
    with cursor_checked():
        page = member_page(incident_id, size=size, cursor=cursor)
    # The rows themselves: ninja reads each through MemberOut's resolvers.
    return {
        "items": page.rows,
        "next_cursor": page.next_token,
        "next": next_link(request, page.next_token),
    }


@router.get(
    "/incidents/{incident_id}/members",
    response={200: MemberPage, **READ_ERRORS, 422: InvalidFields},
)
def list_members(request: HttpRequest, incident_id: int, query: Query[PageQuery]) -> dict[str, Any]:
    """The people taking part in the incident and their roles, a page at a time."""
    incident = access.incident_for(caller(request), incident_id)
    return _page(request, incident.pk, query.limit, query.cursor)


@router.post("/incidents/{incident_id}/members", response={200: MemberPage, **WRITE_ERRORS})
def set_member(request: HttpRequest, incident_id: int, payload: MemberIn) -> dict[str, Any]:
    """Give a person a role (lead, responder, viewer) or remove them (null); leads only.

    Answers the first page of the members as they are afterwards.
    """
    user = caller(request)
    incident = access.incident_for(user, incident_id, write=True)
    if not access.may_lead(user, incident):
        raise NotPermitted(
            gettext_noop("only the incident's lead can change its members"), subject="incident"
        )
    member = active_user_named(payload.username)
    if member is None:
        raise InvalidInput("username", "no active user has this name")
    role = None if payload.role is None else str(payload.role)
    set_membership(user, incident.pk, member, role, payload.affiliation)
    return _page(request, incident.pk, PAGE_SIZE_DEFAULT)
