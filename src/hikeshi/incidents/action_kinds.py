"""What kind of entry an action record is: one enumeration, labelled, and split in two.

The stored keys are part of each record's hash (incidents.audit.chain), so a key never
changes once records carry it; only its label may. A kind is either something a person did
in the response, or bookkeeping hikeshi writes when the case's own record changes (its
status, members, checklist, imported rows): the incident page shows the latter muted so the
response actions stand out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from collections.abc import Sequence

    from django_stubs_ext import StrOrPromise


class ActionKind(models.TextChoices):
    """The kind of an action record; the key is stored in the record and hashed with it."""

    MANUAL = "manual", _("Recorded action")
    CORRECTION = "correction", _("Correction")
    INCIDENT_OPENED = "incident.opened", _("Incident opened")
    INCIDENT_UPDATED = "incident.updated", _("Record items changed")
    INCIDENT_TRIAGED = "incident.triaged", _("Triage decided")
    INCIDENT_STATUS = "incident.status", _("Status changed")
    INCIDENT_MEMBERSHIP = "incident.membership", _("Members changed")
    CHECKLIST_GENERATED = "checklist.generated", _("Checklist generated")
    CHECKLIST_DONE = "checklist.done", _("Checklist item done")
    CHECKLIST_NOT_APPLICABLE = "checklist.not_applicable", _("Checklist item not applicable")
    CHECKLIST_IN_PROGRESS = "checklist.in_progress", _("Checklist item in progress")
    CHECKLIST_ASSIGNED = "checklist.assigned", _("Checklist item assigned")
    TIMELINE_EVENT_ADDED = "timeline.event_added", _("Event added to the timeline")
    TIMELINE_IMPORTED = "timeline.imported", _("Timeline imported")
    CONTACT_ADDED = "contact.added", _("Contact added")

    @property
    def is_bookkeeping(self) -> bool:
        """Return whether this kind keeps the case's record rather than records a response step."""
        return self in BOOKKEEPING


# Changes to the case's own record rather than steps of the response: opening the case and
# editing its items, status and members, generating and assigning the checklist, importing
# rows in bulk, choosing whom to contact. Triage, checklist progress, events a person adds
# and everything written by hand are what people did, and stay prominent.
BOOKKEEPING: frozenset[ActionKind] = frozenset(
    {
        ActionKind.INCIDENT_OPENED,
        ActionKind.INCIDENT_UPDATED,
        ActionKind.INCIDENT_STATUS,
        ActionKind.INCIDENT_MEMBERSHIP,
        ActionKind.CHECKLIST_GENERATED,
        ActionKind.CHECKLIST_ASSIGNED,
        ActionKind.TIMELINE_IMPORTED,
        ActionKind.CONTACT_ADDED,
    }
)


def kind_label(kind: str) -> str:
    """Return the kind's label in the active language (the stored key if it is unknown).

    An unknown key can only come from a record written by another version of hikeshi; it is
    shown as stored rather than hidden, since the record is evidence.
    """
    return str(ActionKind(kind).label) if kind in ActionKind.values else kind


def is_bookkeeping(kind: str) -> bool:
    """Return whether the stored kind is bookkeeping (an unknown kind counts as a person's)."""
    return kind in ActionKind.values and ActionKind(kind).is_bookkeeping


def action_kind_choices() -> Sequence[tuple[str, StrOrPromise]]:
    """Return the kinds as field choices.

    A callable, so that the migration names it rather than copying the list: a kind added
    later needs no migration.
    """
    return ActionKind.choices
