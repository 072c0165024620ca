"""Incidents and action records as plain JSON values, times in the incident's time zone."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hikeshi.cli.runtime import local_iso

if TYPE_CHECKING:
    from hikeshi.incidents.models import ActionRecord, Incident

# Intake text fields, printed under their model names.
_TEXT_FIELDS = (
    "organisation",
    "commissioning_organisation",
    "reporter",
    "reporter_contact",
    "location",
    "what_happened",
    "assumed_cause",
    "affected_systems",
    "system_configuration",
    "not_incident_reason",
)


def incident_json(incident: Incident) -> dict[str, Any]:
    """Return the incident's record items, triage and bookkeeping as JSON values."""
    zone = incident.time_zone
    return {
        "id": incident.pk,
        "title": incident.title,
        "types": incident.types,
        "status": incident.status,
        "priority": incident.priority,
        "is_incident": incident.is_incident,
        "urgency": incident.urgency,
        "impact": incident.impact,
        "detected_at": local_iso(incident.detected_at, zone),
        "estimated_start": local_iso(incident.estimated_start, zone),
        "estimated_start_precision": incident.estimated_start_precision,
        **{name: getattr(incident, name) for name in _TEXT_FIELDS},
        "time_zone": zone,
        "triaged_at": local_iso(incident.triaged_at, zone),
        "is_demo": incident.is_demo,
        "version": incident.version,
        "action_records": incident.audit_length,
        "created_at": local_iso(incident.created_at, zone),
        "updated_at": local_iso(incident.updated_at, zone),
    }


def action_json(record: ActionRecord, zone: str) -> dict[str, Any]:
    """Return the action record as JSON values, its hash-chain fields included."""
    return {
        "id": record.pk,
        "incident": record.incident_id,
        "sequence": record.sequence,
        "actor": record.actor_name,
        "performed_at": local_iso(record.performed_at, zone),
        "recorded_at": local_iso(record.recorded_at, zone),
        "kind": record.kind,
        "kind_label": record.kind_label,
        "bookkeeping": record.is_bookkeeping,
        "what": record.what,
        "scope": record.scope,
        "settings": record.settings_text,
        "note": record.note,
        "corrects": record.corrects_id,
        "prev_hash": record.prev_hash,
        "record_hash": record.record_hash,
    }
