"""Appending action records to an incident's hash chain."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from hikeshi import bounds
from hikeshi.incidents.action_kinds import ActionKind
from hikeshi.incidents.audit import seal
from hikeshi.incidents.audit.canonical import GENESIS
from hikeshi.incidents.audit.chain import compute_hash
from hikeshi.incidents.audit.coverage import coverage_for, link_events
from hikeshi.incidents.models import ActionRecord, Incident
from hikeshi.incidents.services import inputs
from hikeshi.incidents.services.errors import InvalidInput

# The actor_name column's size, as long as a Django user name (a full name is added to it).
ACTOR_NAME_MAX = inputs.column_limit(ActionRecord, "actor_name")[0]


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
    """Return the name recorded for an actor (``system`` for automatic actions).

    Cut to the column: a user name and a full name may each be 150 characters long, and a
    long name must not stop its owner from recording anything.
    """
    if actor is None:
        return "system"
    full = actor.get_full_name()
    name = f"{actor.get_username()} ({full})" if full else actor.get_username()
    return bounds.clip(name, ACTOR_NAME_MAX)


def append_action(
    incident_id: int,
    actor: User | None,
    data: ActionInput,
    *,
    kind: ActionKind = ActionKind.MANUAL,
    covers: Collection[str] = (),
    events: Sequence[int] = (),
) -> ActionRecord:
    """Return the new action record, chained after the incident's newest one, and sealed.

    ``covers`` names the state scopes the action changed ("incident", "members",
    "checklist"; see incidents.audit.rows): the record carries a digest of each as it is
    now, so call this after making the change, in the same transaction. ``events`` are the
    ids of timeline events the action created; the record carries their digest and they
    are linked to it.
    """
    what = inputs.text(ActionRecord, "what", data.what)
    if not what:
        raise InvalidInput("what", gettext_noop("say what was done"))
    scope = inputs.text(ActionRecord, "scope", data.scope)
    settings = inputs.text(ActionRecord, "settings_text", data.settings, field="settings")
    note = inputs.text(ActionRecord, "note", data.note)
    now = timezone.now()
    performed_at = inputs.instant("performed_at", data.performed_at or now)
    if performed_at > now + timedelta(minutes=5):
        raise InvalidInput(
            "performed_at", gettext_noop("an action cannot have been performed in the future")
        )
    if data.corrects_id is not None and kind == ActionKind.MANUAL:
        # The same kind whichever interface recorded it, so corrections can be listed.
        kind = ActionKind.CORRECTION
    with transaction.atomic():
        # The row lock serialises appends to one chain (SQLite serialises all writers).
        incident = Incident.objects.select_for_update().get(pk=incident_id)
        # Read the clock only once the chain is locked: a checkpoint (which waits for the
        # lock) then never sees a record recorded before it that it did not include.
        recorded_at = timezone.now()
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
            recorded_at=recorded_at,
            kind=kind,
            what=what,
            scope=scope,
            settings_text=settings,
            note=note,
            corrects=corrects,
            checklist_item_ref=data.checklist_item_ref,
            evidence_ref=data.evidence_ref,
            finding_ref=data.finding_ref,
            prev_hash=incident.audit_head or GENESIS,
            coverage=coverage_for(incident_id, covers, events),
        )
        record.record_hash = compute_hash(record)
        record.seal = seal.record_seal(record.record_hash)
        record.save()
        link_events(incident_id, events, record.pk)
        # A plain UPDATE: the chain head is not an edit of the incident and must not
        # bump its version (that would turn every recorded action into an edit conflict).
        Incident.objects.filter(pk=incident_id).update(
            audit_length=record.sequence,
            audit_head=record.record_hash,
            audit_seal=seal.anchor_seal(incident_id, record.sequence, record.record_hash),
        )
    return record
