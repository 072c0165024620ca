"""Opening, editing, triaging and moving incidents through their lifecycle."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_noop

from hikeshi import bounds
from hikeshi.incidents.action_kinds import ActionKind
from hikeshi.incidents.audit.checkpoints import checkpoint_after_commit
from hikeshi.incidents.audit.rows import INCIDENT, MEMBERS
from hikeshi.incidents.models import ActionRecord, Incident, IncidentTypeTag, Membership
from hikeshi.incidents.services import inputs
from hikeshi.incidents.services.actions import ActionInput, append_action
from hikeshi.incidents.services.checklist import regenerate
from hikeshi.incidents.services.errors import ConflictError, InvalidInput
from hikeshi.incidents.vocabulary import (
    LIFECYCLE,
    IncidentType,
    Level,
    Role,
    Status,
    TimePrecision,
    derive_priority,
)


@dataclass
class IncidentInput:
    """The intake record items (JPCERT/CC flow, IPA SME guide)."""

    title: str
    detected_at: datetime
    types: list[str] = field(default_factory=list)
    organisation: str = ""
    commissioning_organisation: str = ""
    estimated_start: datetime | None = None
    estimated_start_precision: str = TimePrecision.ABOUT
    reporter: str = ""
    reporter_contact: str = ""
    location: str = ""
    what_happened: str = ""
    assumed_cause: str = ""
    affected_systems: str = ""
    system_configuration: str = ""
    time_zone: str = "Asia/Tokyo"


# Plain text fields copied one to one between IncidentInput and Incident.
_RECORD_FIELDS = tuple(f.name for f in fields(IncidentInput) if f.name not in {"types", "title"})


# The intake texts, each checked against the column it is stored in.
_TEXT_FIELDS = (
    "title",
    "organisation",
    "commissioning_organisation",
    "reporter",
    "reporter_contact",
    "location",
    "what_happened",
    "assumed_cause",
    "affected_systems",
    "system_configuration",
)


def _validated(data: IncidentInput) -> IncidentInput:
    """Return the intake with texts stripped and times in UTC, or raise InvalidInput."""
    texts: dict[str, Any] = {
        name: inputs.text(Incident, name, getattr(data, name)) for name in _TEXT_FIELDS
    }
    if not texts["title"]:
        raise InvalidInput("title", gettext_noop("a title is required"))
    known = IncidentType.values
    unknown = [t for t in data.types if t not in known]
    if unknown:
        raise InvalidInput(
            "types",
            gettext_noop("unknown incident type(s): %(types)s"),
            types=", ".join(inputs.quoted(t) for t in unknown),
        )
    if data.estimated_start_precision not in TimePrecision.values:
        raise InvalidInput("estimated_start_precision", gettext_noop("choose exact, about or day"))
    return replace(
        data,
        **texts,
        detected_at=inputs.instant("detected_at", data.detected_at),
        estimated_start=inputs.optional_instant("estimated_start", data.estimated_start),
        time_zone=inputs.time_zone("time_zone", data.time_zone),
    )


def _summary(data: IncidentInput) -> str:
    parts = [f"types={','.join(data.types) or '-'}", f"detected_at={data.detected_at.isoformat()}"]
    return "; ".join(parts)


def open_incident(actor: User, data: IncidentInput, *, is_demo: bool = False) -> Incident:
    """Return a new incident with the actor as its lead and the opening action recorded."""
    data = _validated(data)
    with transaction.atomic():
        incident = Incident.objects.create(
            title=data.title,
            is_demo=is_demo,
            **{name: getattr(data, name) for name in _RECORD_FIELDS},
        )
        IncidentTypeTag.objects.bulk_create(
            IncidentTypeTag(incident=incident, code=code) for code in dict.fromkeys(data.types)
        )
        Membership.objects.create(incident=incident, user=actor, role=Role.LEAD)
        append_action(
            incident.pk,
            actor,
            ActionInput(what="インシデントを起票", settings=_summary(data)),
            kind=ActionKind.INCIDENT_OPENED,
            covers=[INCIDENT, MEMBERS],
        )
        regenerate(actor, incident.pk)
    incident.refresh_from_db()
    return incident


def _claim_version(incident_id: int, expected_version: int) -> Incident:
    """Return the locked incident after moving it past ``expected_version``, or raise."""
    claimed = Incident.objects.filter(pk=incident_id, version=expected_version).update(
        version=F("version") + 1, updated_at=timezone.now()
    )
    if not claimed:
        current = Incident.objects.filter(pk=incident_id).values_list("version", flat=True).first()
        raise ConflictError(incident_id, expected_version, current)
    return Incident.objects.select_for_update().get(pk=incident_id)


def update_incident(
    actor: User, incident_id: int, expected_version: int, data: IncidentInput
) -> Incident:
    """Return the incident with the intake items replaced; the change is recorded."""
    data = _validated(data)
    with transaction.atomic():
        incident = _claim_version(incident_id, expected_version)
        changed = [
            name
            for name in ("title", *_RECORD_FIELDS)
            if getattr(incident, name) != getattr(data, name)
        ]
        incident.title = data.title
        for name in _RECORD_FIELDS:
            setattr(incident, name, getattr(data, name))
        incident.save()
        old_types = set(incident.types)
        if old_types != set(data.types):
            changed.append("types")
            _replace_types(incident, data.types)
        append_action(
            incident.pk,
            actor,
            ActionInput(
                what="インシデント記録を更新", settings="changed: " + (", ".join(changed) or "-")
            ),
            kind=ActionKind.INCIDENT_UPDATED,
            covers=[INCIDENT],
        )
        if "types" in changed:
            regenerate(actor, incident.pk)
    incident.refresh_from_db()
    return incident


def _replace_types(incident: Incident, types: list[str]) -> None:
    IncidentTypeTag.objects.filter(incident=incident).exclude(code__in=types).delete()
    existing = set(IncidentTypeTag.objects.filter(incident=incident).values_list("code", flat=True))
    IncidentTypeTag.objects.bulk_create(
        IncidentTypeTag(incident=incident, code=code)
        for code in dict.fromkeys(types)
        if code not in existing
    )


@dataclass(frozen=True)
class TriageInput:
    """The triage decision: incident or not, urgency and impact."""

    is_incident: bool
    urgency: int | None = None
    impact: int | None = None
    not_incident_reason: str = ""


def triage(actor: User, incident_id: int, expected_version: int, data: TriageInput) -> Incident:
    """Return the triaged incident: priority derived, status moved on, decision recorded."""
    reason = inputs.text(Incident, "not_incident_reason", data.not_incident_reason)
    if data.is_incident:
        for name in ("urgency", "impact"):
            value = getattr(data, name)
            if value not in Level.values:
                raise InvalidInput(name, gettext_noop("choose low, medium or high"))
    elif not reason:
        raise InvalidInput("not_incident_reason", gettext_noop("say why this is not an incident"))
    with transaction.atomic():
        incident = _claim_version(incident_id, expected_version)
        previous = incident.status
        incident.is_incident = data.is_incident
        incident.triaged_at = timezone.now()
        if data.is_incident:
            incident.urgency, incident.impact = data.urgency, data.impact
            incident.priority = derive_priority(data.urgency, data.impact)
            incident.not_incident_reason = ""
            if incident.status in {Status.DETECTED, Status.TRIAGE, Status.NOT_AN_INCIDENT}:
                incident.status = Status.RESPONSE
            settings = (
                f"is_incident=yes; urgency={data.urgency}; impact={data.impact}; "
                f"priority=P{incident.priority}"
            )
        else:
            incident.urgency = incident.impact = None
            incident.priority = derive_priority(None, None)
            incident.not_incident_reason = reason
            incident.status = Status.NOT_AN_INCIDENT
            # The reason may fill its column; the record's settings keep what fits.
            settings = bounds.clip(
                f"is_incident=no; reason={reason}", bounds.TEXT_MAX, multiline=True
            )
        incident.save()
        append_action(
            incident.pk,
            actor,
            ActionInput(what="トリアージ", settings=settings),
            kind=ActionKind.INCIDENT_TRIAGED,
            covers=[INCIDENT],
        )
        if incident.status != previous:
            checkpoint_after_commit(f"incident {incident.pk}: {previous} -> {incident.status}")
    incident.refresh_from_db()
    return incident


def change_status(
    actor: User, incident_id: int, expected_version: int, status: str, reason: str = ""
) -> Incident:
    """Return the incident in its new lifecycle status; the move is recorded."""
    if status not in Status.values:
        raise InvalidInput(
            "status", gettext_noop("unknown status %(status)s"), status=inputs.quoted(status)
        )
    reason = inputs.text(ActionRecord, "note", reason, field="reason")
    if status == Status.NOT_AN_INCIDENT:
        raise InvalidInput(
            "status", gettext_noop("'not an incident' is decided in triage, with its reason")
        )
    with transaction.atomic():
        incident = _claim_version(incident_id, expected_version)
        if incident.is_incident is None and LIFECYCLE.index(Status(status)) > LIFECYCLE.index(
            Status.TRIAGE
        ):
            raise InvalidInput("status", gettext_noop("triage the incident before moving it on"))
        if incident.is_incident is False and status != Status.CLOSED:
            # Judged not an incident: it can be closed, or triaged again to reopen it.
            raise InvalidInput(
                "status",
                gettext_noop("this was judged not an incident: triage it again to reopen it"),
            )
        previous = incident.status
        incident.status = status
        incident.save()
        append_action(
            incident.pk,
            actor,
            ActionInput(what="ステータス変更", settings=f"{previous} -> {status}", note=reason),
            kind=ActionKind.INCIDENT_STATUS,
            covers=[INCIDENT],
        )
        if status != previous:
            checkpoint_after_commit(f"incident {incident.pk}: {previous} -> {status}")
    incident.refresh_from_db()
    return incident


def set_membership(
    actor: User, incident_id: int, user: User, role: str | None, affiliation: str = ""
) -> None:
    """Give ``user`` a role in the incident, or remove them when ``role`` is None."""
    if role is not None and role not in Role.values:
        raise InvalidInput("role", gettext_noop("unknown role %(role)s"), role=inputs.quoted(role))
    affiliation = inputs.text(Membership, "affiliation", affiliation)
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident_id)
        if role is None:
            Membership.objects.filter(incident=incident, user=user).delete()
            settings = f"user={user.get_username()}; removed"
        else:
            Membership.objects.update_or_create(
                incident=incident,
                user=user,
                defaults={"role": role, "affiliation": affiliation},
            )
            settings = f"user={user.get_username()}; role={role}; affiliation={affiliation}"
        # Checked after the change, inside the transaction, so that removing or demoting
        # the last lead rolls back.
        if not Membership.objects.filter(incident=incident, role=Role.LEAD).exists():
            raise InvalidInput("role", gettext_noop("an incident must keep at least one lead"))
        append_action(
            incident.pk,
            actor,
            ActionInput(what="メンバー変更", settings=settings),
            kind=ActionKind.INCIDENT_MEMBERSHIP,
            covers=[MEMBERS],
        )
