"""Keeping the deployment's contacts and choosing contacts for an incident: the only writers.

Choosing a contact is part of the incident's record: it appends its action record through
the incidents app's chain, in the same transaction.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext_noop

from hikeshi.directory.models import DeploymentContact, DeploymentContactKind, IncidentContact
from hikeshi.guidance.knowledge import knowledge_base
from hikeshi.incidents.action_kinds import ActionKind
from hikeshi.incidents.services import inputs
from hikeshi.incidents.services.actions import ActionInput, append_action
from hikeshi.incidents.services.errors import InvalidInput


def add_deployment_contact(
    actor: User,
    *,
    kind: str,
    name: str,
    organisation: str = "",
    phone: str = "",
    email: str = "",
    url: str = "",
    note: str = "",
) -> DeploymentContact:
    """Return a new contact of this deployment (only site admins keep this list)."""
    if not actor.is_superuser:
        raise InvalidInput(
            "kind", gettext_noop("only site administrators keep the organisation's contacts")
        )
    if kind not in DeploymentContactKind.values:
        raise InvalidInput("kind", gettext_noop("unknown kind %(kind)s"), kind=inputs.quoted(kind))
    texts = {
        "name": name,
        "organisation": organisation,
        "phone": phone,
        "email": email,
        "url": url,
        "note": note,
    }
    checked = {key: inputs.text(DeploymentContact, key, value) for key, value in texts.items()}
    if not checked["name"]:
        raise InvalidInput("name", gettext_noop("a name is required"))
    if not (checked["phone"] or checked["email"] or checked["url"]):
        raise InvalidInput(
            "phone", gettext_noop("give at least a phone number, an e-mail or a web page")
        )
    return DeploymentContact.objects.create(kind=kind, created_by=actor, **checked)


def add_to_incident(
    actor: User,
    incident_id: int,
    *,
    guidance_contact: str = "",
    deployment_contact_id: int | None = None,
    reason: str = "",
) -> IncidentContact:
    """Return the contact chosen for the incident; choosing it is recorded as an action.

    Idempotent: a contact the incident already has is returned as it is.
    """
    if bool(guidance_contact) == (deployment_contact_id is not None):
        raise InvalidInput("contact", gettext_noop("choose one contact"))
    reason = inputs.text(IncidentContact, "reason", reason)
    deployment = None
    if guidance_contact:
        known = {c.id: c for c in knowledge_base().contacts.contacts}
        if guidance_contact not in known:
            raise InvalidInput(
                "contact",
                gettext_noop("unknown contact %(contact)s"),
                contact=inputs.quoted(guidance_contact),
            )
        label = known[guidance_contact].organisation.ja + " " + known[guidance_contact].name.ja
    elif deployment_contact_id is not None:
        deployment = DeploymentContact.objects.filter(pk=deployment_contact_id).first()
        if deployment is None:
            raise InvalidInput("contact", gettext_noop("no such contact"))
        label = f"{deployment.name} ({deployment.organisation})"
    with transaction.atomic():
        chosen, created = IncidentContact.objects.get_or_create(
            incident_id=incident_id,
            guidance_contact=guidance_contact,
            deployment_contact=deployment,
            defaults={"reason": reason, "added_by": actor},
        )
        if not created:
            # Choosing a contact the incident already has changes nothing: no new record.
            return chosen
        append_action(
            incident_id,
            actor,
            ActionInput(what=f"連絡先を追加: {label}", note=reason),
            kind=ActionKind.CONTACT_ADDED,
        )
    return chosen
