"""Which columns are evidence: the rows the audit trail's digests are taken over.

A column named here is covered: changing it in the database without the action record that
vouches for it shows in ``hikeshi audit verify``. Columns left out are derived or
bookkeeping (the incident's ``version`` and ``updated_at``, the chain anchor itself, a
checklist item's ``updated_at``), or link rows to records (an event's ``action``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from hikeshi.incidents.audit.canonical import instant

# State scopes: the record that changes the state carries a digest of the whole state after
# the change; the newest such record must match the database.
INCIDENT = "incident"
MEMBERS = "members"
CHECKLIST = "checklist"
STATE_SCOPES = (INCIDENT, MEMBERS, CHECKLIST)
# Linked scope: the record that created events carries a digest of exactly those events,
# and each event points at it.
EVENTS = "events"
SCOPES = (*STATE_SCOPES, EVENTS)

INCIDENT_COLUMNS = (
    "id",
    "title",
    "organisation",
    "commissioning_organisation",
    "detected_at",
    "estimated_start",
    "estimated_start_precision",
    "reporter",
    "reporter_contact",
    "location",
    "what_happened",
    "assumed_cause",
    "affected_systems",
    "system_configuration",
    "time_zone",
    "status",
    "is_incident",
    "not_incident_reason",
    "urgency",
    "impact",
    "priority",
    "triaged_at",
    "is_demo",
    "created_at",
)
MEMBER_COLUMNS = ("user_id", "role", "affiliation")
CHECKLIST_COLUMNS = (
    "key",
    "phase",
    "group",
    "requirement",
    "position",
    "status",
    "assignee_id",
    "not_applicable_reason",
    "performed_at",
    "scope",
    "settings_text",
    "applies",
)
EVENT_COLUMNS = (
    "incident_id",
    "occurred_at",
    "precision",
    "source",
    "device",
    "description",
    "created_by_id",
    "created_at",
)


def canonical_row(values: Mapping[str, Any]) -> dict[str, Any]:
    """Return the row with times as UTC ISO text, ready for canonical JSON."""
    return {
        name: instant(value) if isinstance(value, datetime) else value
        for name, value in values.items()
    }
