"""Triage, priority and the lifecycle of an incident."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from hikeshi.incidents.models import ActionRecord, Incident
from hikeshi.incidents.services.errors import ConflictError, InvalidInput
from hikeshi.incidents.services.incidents import TriageInput, change_status, triage
from hikeshi.incidents.vocabulary import Level, Priority, Status, derive_priority


@pytest.mark.parametrize(
    ("urgency", "impact", "expected"),
    [
        (Level.HIGH, Level.HIGH, Priority.CRITICAL),
        (Level.HIGH, Level.MEDIUM, Priority.HIGH),
        (Level.MEDIUM, Level.HIGH, Priority.HIGH),
        (Level.MEDIUM, Level.MEDIUM, Priority.MEDIUM),
        (Level.HIGH, Level.LOW, Priority.MEDIUM),
        (Level.LOW, Level.MEDIUM, Priority.MEDIUM),
        (Level.LOW, Level.LOW, Priority.LOW),
        (None, Level.LOW, Priority.UNTRIAGED),
    ],
)
def test_priority_is_derived_from_urgency_and_impact(
    urgency: int | None, impact: int | None, expected: Priority
) -> None:
    assert derive_priority(urgency, impact) == expected


def test_triage_as_incident_sets_priority_and_moves_to_response(
    incident: Incident, lead: User
) -> None:
    triaged = triage(lead, incident.pk, incident.version, TriageInput(True, Level.HIGH, Level.HIGH))
    assert triaged.priority == Priority.CRITICAL
    assert triaged.status == Status.RESPONSE
    assert triaged.version == incident.version + 1
    last = ActionRecord.objects.filter(incident=incident).order_by("-sequence").first()
    assert last is not None and last.kind == "incident.triaged"
    assert "priority=P1" in last.settings_text


def test_not_an_incident_needs_a_reason(incident: Incident, lead: User) -> None:
    with pytest.raises(InvalidInput) as caught:
        triage(lead, incident.pk, incident.version, TriageInput(False))
    assert caught.value.field == "not_incident_reason"
    done = triage(
        lead, incident.pk, incident.version, TriageInput(False, not_incident_reason="訓練メール")
    )
    assert done.status == Status.NOT_AN_INCIDENT
    assert done.not_incident_reason == "訓練メール"


def test_a_stale_version_is_a_conflict_and_changes_nothing(incident: Incident, lead: User) -> None:
    stale = incident.version
    triage(lead, incident.pk, stale, TriageInput(True, Level.LOW, Level.LOW))
    with pytest.raises(ConflictError):
        triage(lead, incident.pk, stale, TriageInput(True, Level.HIGH, Level.HIGH))
    incident.refresh_from_db()
    assert incident.priority == Priority.LOW


def test_status_cannot_skip_triage(incident: Incident, lead: User) -> None:
    with pytest.raises(InvalidInput):
        change_status(lead, incident.pk, incident.version, Status.RECOVERY)


def test_status_change_is_recorded(incident: Incident, lead: User) -> None:
    triaged = triage(lead, incident.pk, incident.version, TriageInput(True, 2, 2))
    moved = change_status(lead, incident.pk, triaged.version, Status.REPORTING, "PPC 報告準備")
    assert moved.status == Status.REPORTING
    last = ActionRecord.objects.filter(incident=incident).order_by("-sequence").first()
    assert last is not None
    assert last.settings_text == "response -> reporting"
    assert last.note == "PPC 報告準備"


def test_not_an_incident_can_only_be_closed_or_triaged_again(
    incident: Incident, lead: User
) -> None:
    judged = triage(
        lead, incident.pk, incident.version, TriageInput(False, not_incident_reason="誤検知")
    )
    with pytest.raises(InvalidInput):
        change_status(lead, incident.pk, judged.version, Status.RESPONSE)
    reopened = triage(lead, incident.pk, judged.version, TriageInput(True, Level.LOW, Level.LOW))
    assert reopened.status == Status.RESPONSE
    closed = change_status(lead, incident.pk, reopened.version, Status.CLOSED)
    assert closed.status == Status.CLOSED
