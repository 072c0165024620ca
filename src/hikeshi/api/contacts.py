"""Contacts in the API: the deployment's own list, and the contacts chosen for an incident."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator, validate_email
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import field_validator

from hikeshi.api.auth import ApiTokenAuth, caller
from hikeshi.api.errors import fields_named
from hikeshi.api.schemas import (
    READ_ERRORS,
    WRITE_ERRORS,
    Instant,
    InvalidFields,
    Message,
    TextBounds,
)
from hikeshi.directory import selectors, services
from hikeshi.directory.models import DeploymentContact, DeploymentContactKind, IncidentContact
from hikeshi.guidance.contacts import Contact
from hikeshi.guidance.knowledge import knowledge_base
from hikeshi.incidents import access


def _bounds(column: str) -> TextBounds:
    return TextBounds.of(DeploymentContact, column)


class DeploymentContactIn(Schema):
    """A contact of this organisation: reachable by phone, e-mail or web page (one at least)."""

    kind: DeploymentContactKind
    name: Annotated[str, _bounds("name")] = Field(min_length=1)
    organisation: Annotated[str, _bounds("organisation")] = ""
    phone: Annotated[str, _bounds("phone")] = ""
    email: Annotated[str, _bounds("email")] = ""
    url: Annotated[str, _bounds("url")] = ""
    note: Annotated[str, _bounds("note")] = Field("", description="when to contact them")

    @field_validator("email")
    @classmethod
    def _an_address(cls, value: str) -> str:
        return _checked(value.strip(), validate_email, "not an e-mail address")

    @field_validator("url")
    @classmethod
    def _a_web_page(cls, value: str) -> str:
        return _checked(value.strip(), URLValidator(schemes=["http", "https"]), "not a web page")


def _checked(value: str, validator: Callable[[str], None], message: str) -> str:
    """Return ``value`` if blank or accepted by the Django ``validator``; raise otherwise."""
    if value:
        try:
            validator(value)
        except DjangoValidationError as exc:
            raise ValueError(message) from exc
    return value


class DeploymentContactOut(Schema):
    """A contact this organisation keeps for incidents (its vendor, insurer, police station)."""

    id: int
    kind: DeploymentContactKind
    name: str
    organisation: str
    phone: str
    email: str
    url: str
    note: str
    created_at: Instant


class IncidentContactIn(Schema):
    """A contact to keep with the incident: a guidance contact or a deployment one (not both)."""

    guidance_contact: Annotated[str, TextBounds.of(IncidentContact, "guidance_contact")] = Field(
        "", description="an id of GET /guidance/contacts"
    )
    deployment_contact_id: int | None = Field(None, description="an id of GET /contacts")
    reason: Annotated[str, TextBounds.of(IncidentContact, "reason")] = Field(
        "", description="why this contact matters for the incident"
    )


class IncidentContactOut(Schema):
    """A contact chosen for the incident, with the contact's details."""

    id: int
    guidance_contact: str | None = Field(description="the guidance contact's id, if one")
    deployment_contact_id: int | None
    guidance: Contact | None = Field(
        description="the guidance contact (null for deployment contacts, or if dropped)"
    )
    deployment: DeploymentContactOut | None
    reason: str
    added_by: str
    added_at: Instant


router = Router(tags=["contacts"])


def incident_contact_out(chosen: IncidentContact) -> IncidentContactOut:
    """Return a chosen contact with its guidance or deployment contact spelled out."""
    guidance = None
    if chosen.guidance_contact:
        try:
            guidance = knowledge_base().contacts.get(chosen.guidance_contact)
        except KeyError:
            guidance = None  # the guidance no longer ships it; the id is still shown
    deployment = chosen.deployment_contact
    return IncidentContactOut(
        id=chosen.pk,
        guidance_contact=chosen.guidance_contact or None,
        deployment_contact_id=chosen.deployment_contact_id,
        guidance=guidance,
        deployment=None if deployment is None else DeploymentContactOut.model_validate(deployment),
        reason=chosen.reason,
        added_by=chosen.added_by.get_username(),
        added_at=chosen.added_at,
    )


@router.get("/contacts", response={200: list[DeploymentContactOut], 401: Message})
def list_deployment_contacts(request: HttpRequest) -> list[DeploymentContact]:
    """The organisation's own contacts, by kind then name.

    The public bodies (IPA, JPCERT/CC, the police desks …) ship with the guidance: see
    ``GET /guidance/contacts``.
    """
    caller(request)
    return selectors.deployment_contacts()


@router.post(
    "/contacts",
    auth=ApiTokenAuth(site_admin_writes=True),
    response={201: DeploymentContactOut, 401: Message, 403: Message, 422: InvalidFields},
)
def add_deployment_contact(
    request: HttpRequest, payload: DeploymentContactIn
) -> Status[DeploymentContact]:
    """Add a contact of the organisation; site administrators only (403 for anyone else)."""
    contact = services.add_deployment_contact(
        caller(request),
        kind=str(payload.kind),
        name=payload.name,
        organisation=payload.organisation,
        phone=payload.phone,
        email=payload.email,
        url=payload.url,
        note=payload.note,
    )
    return Status(201, contact)


@router.get(
    "/incidents/{incident_id}/contacts", response={200: list[IncidentContactOut], **READ_ERRORS}
)
def list_incident_contacts(request: HttpRequest, incident_id: int) -> list[IncidentContactOut]:
    """The contacts chosen for the incident, in the order they were added."""
    incident = access.incident_for(caller(request), incident_id)
    return [incident_contact_out(entry) for entry in selectors.incident_contacts(incident.pk)]


@router.post(
    "/incidents/{incident_id}/contacts", response={201: IncidentContactOut, **WRITE_ERRORS}
)
def add_incident_contact(
    request: HttpRequest, incident_id: int, payload: IncidentContactIn
) -> Status[IncidentContactOut]:
    """Keep a contact with the incident, saying why; this is recorded as an action.

    Name either ``guidance_contact`` or ``deployment_contact_id``. Choosing a contact the
    incident already has answers that contact and records nothing new.
    """
    user = caller(request)
    incident = access.incident_for(user, incident_id, write=True)
    field = "guidance_contact" if payload.guidance_contact else "deployment_contact_id"
    with fields_named(contact=field):
        chosen = services.add_to_incident(
            user,
            incident.pk,
            guidance_contact=payload.guidance_contact,
            deployment_contact_id=payload.deployment_contact_id,
            reason=payload.reason,
        )
    return Status(201, incident_contact_out(selectors.incident_contact(incident.pk, chosen.pk)))
