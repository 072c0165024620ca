"""Appending action records to an incident's hash chain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from hikeshi.incidents.audit import GENESIS, compute_hash
from hikeshi.incidents.models import ActionRecord, Incident
from hikeshi.incidents.services.errors import InvalidInput


@dataclass(frozen=True)
class ActionInput:
    """What a person records about one thing they did."""

    what: str
    performed_at: datetime | None = None
    scope: str = ""
    settings: str = ""
    note: str = ""
    corrects_id: int | None = None
    checklist_item_ref: str = ""
    evidence_ref: str = ""
    finding_ref: str = ""


def actor_name(actor: User | None) -> str:
    """Return the name recorded for an actor (``system`` for automatic actions)."""
    if actor is None:
        return "system"
    full = actor.get_full_name()
    return f"{actor.get_username()} ({full})" if full else actor.get_username()


def append_action(
    incident_id: int, actor: User | None, data: ActionInput, *, kind: str = "manual"
) -> ActionRecord:
    """Return the new action record, chained after the incident's newest one."""
    what = data.what.strip()
    if not what:
        raise InvalidInput("what", gettext_noop("say what was done"))
    now = timezone.now()
    performed_at = data.performed_at or now
    if timezone.is_naive(performed_at):
        raise InvalidInput("performed_at", gettext_noop("the time must carry a time zone"))
    if performed_at > now + timedelta(minutes=5):
        raise InvalidInput(
            "performed_at", gettext_noop("an action cannot have been performed in the future")
        )
    if data.corrects_id is not None and kind == "manual":
        # The same kind whichever interface recorded it, so corrections can be listed.
        kind = "correction"
    with transaction.atomic():
        # The row lock serialises appends to one chain (SQLite serialises all writers).
        incident = Incident.objects.select_for_update().get(pk=incident_id)
        corrects = None
        if data.corrects_id is not None:
            corrects = ActionRecord.objects.filter(
                pk=data.corrects_id, incident_id=incident_id
            ).first()
            if corrects is None:
                raise InvalidInput(
                    "corrects", gettext_noop("no such action record in this incident")
                )
        record = ActionRecord(
            incident=incident,
            sequence=incident.audit_length + 1,
            actor=actor,
            actor_name=actor_name(actor),
            performed_at=performed_at,
            recorded_at=now,
            kind=kind,
            what=what,
            scope=data.scope.strip(),
            settings_text=data.settings.strip(),
            note=data.note.strip(),
            corrects=corrects,
            checklist_item_ref=data.checklist_item_ref,
            evidence_ref=data.evidence_ref,
            finding_ref=data.finding_ref,
            prev_hash=incident.audit_head or GENESIS,
        )
        record.record_hash = compute_hash(record)
        record.save()
        # A plain UPDATE: the chain head is not an edit of the incident and must not
        # bump its version (that would turn every recorded action into an edit conflict).
        Incident.objects.filter(pk=incident_id).update(
            audit_length=record.sequence, audit_head=record.record_hash
        )
    return record
