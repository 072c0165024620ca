"""An incident's members in the API: who takes part, and (set by leads) in which role."""

from __future__ import annotations

from typing import Annotated

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Router, Schema

from hikeshi.api.auth import caller
from hikeshi.api.schemas import READ_ERRORS, WRITE_ERRORS, TextBounds, UserName
from hikeshi.incidents import access
from hikeshi.incidents.models import Incident, Membership
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


router = Router(tags=["members"])


def _members(incident: Incident) -> list[Membership]:
    return list(
        Membership.objects.filter(incident=incident)
        .select_related("user")
        .order_by("role", "user__username")
    )


@router.get("/incidents/{incident_id}/members", response={200: list[MemberOut], **READ_ERRORS})
def list_members(request: HttpRequest, incident_id: int) -> list[Membership]:
    """The people taking part in the incident and their roles."""
    return _members(access.incident_for(caller(request), incident_id))


@router.post("/incidents/{incident_id}/members", response={200: list[MemberOut], **WRITE_ERRORS})
def set_member(request: HttpRequest, incident_id: int, payload: MemberIn) -> list[Membership]:
    """Give a person a role (lead, responder, viewer) or remove them (null); leads only.

    Answers the members as they are afterwards.
    """
    user = caller(request)
    incident = access.incident_for(user, incident_id, write=True)
    if not access.may_lead(user, incident):
        raise PermissionDenied("only the incident's lead can change its members")
    member = User.objects.filter(username=payload.username, is_active=True).first()
    if member is None:
        raise InvalidInput("username", "no active user has this name")
    role = None if payload.role is None else str(payload.role)
    set_membership(user, incident.pk, member, role, payload.affiliation)
    return _members(incident)
