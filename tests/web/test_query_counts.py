"""The pages ask the database a fixed number of questions, however much the incident holds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hikeshi.incidents.models import ActionRecord, Incident
from hikeshi.incidents.services.actions import ActionInput, append_action
from hikeshi.incidents.services.incidents import IncidentInput, open_incident, set_membership
from hikeshi.incidents.services.timeline import add_event
from hikeshi.incidents.vocabulary import Role

IncidentUrl = Callable[..., str]  # the url_of fixture (tests/web/conftest.py)
TOKYO = ZoneInfo("Asia/Tokyo")


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_incident_page_does_not_query_per_action_event_or_member(
    lead_client: Client, lead: User, outsider: User, incident: Incident, url_of: IncidentUrl
) -> None:
    incident_id = incident.pk
    # One event first: a timeline page without events skips the query that loads them.
    add_event(
        lead, incident_id, occurred_at=datetime(2026, 11, 20, 8, tzinfo=TOKYO), description="e"
    )
    before = _queries(lead_client, url_of("detail"))
    for n in range(10):
        record = append_action(incident_id, lead, ActionInput(what=f"対応 {n}", scope="PC-0{n}"))
        append_action(incident_id, lead, ActionInput(what="訂正", corrects_id=record.pk))
        add_event(
            lead,
            incident_id,
            occurred_at=datetime(2026, 11, 20, 9, n, tzinfo=TOKYO),
            description=f"e{n}",
        )
    set_membership(lead, incident_id, outsider, Role.VIEWER)
    assert ActionRecord.objects.filter(incident_id=incident_id).count() > 30
    assert _queries(lead_client, url_of("detail")) == before


def test_the_incident_list_does_not_query_per_incident(lead_client: Client, lead: User) -> None:
    open_incident(lead, IncidentInput(title="一件目", detected_at=timezone.now(), types=["apt"]))
    before = _queries(lead_client, reverse("incidents:list"))
    for n in range(8):
        open_incident(
            lead,
            IncidentInput(
                title=f"案件 {n}", detected_at=timezone.now(), types=["apt", "ransomware"]
            ),
        )
    assert _queries(lead_client, reverse("incidents:list")) == before
