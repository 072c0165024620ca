"""Verifying every incident's hash chain through the API (site admins only)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import User
from django.db import connection
from tests.api.conftest import ApiClient

from hikeshi.incidents.models import ActionRecord, Incident
from hikeshi.incidents.services.incidents import IncidentInput, open_incident
from hikeshi.sitelog.services import SiteEventKind, record_site_event


def test_intact_chains_are_reported_intact(
    api_as: Callable[[User], ApiClient], site_admin: User, incident: Incident
) -> None:
    response = api_as(site_admin).get("/audit/verify")

    assert response.status_code == 200
    assert response.json() == {
        "intact": True,
        "incidents": [
            {
                "incident_id": incident.pk,
                "intact": True,
                "sequence": None,
                "record_id": None,
                "problem": "",
                "problems": [],
            }
        ],
        "site_log": {"intact": True, "length": 0, "head": "", "problem": ""},
        "next_cursor": None,
        "next": None,
    }


def test_every_incident_is_verified_a_bounded_page_at_a_time(
    api_as: Callable[[User], ApiClient], site_admin: User, incident: Incident
) -> None:
    opened = [
        open_incident(
            site_admin,
            IncidentInput(title=f"案件 {number}", detected_at=incident.detected_at),
        ).pk
        for number in range(4)
    ]
    client = api_as(site_admin)

    seen: list[int] = []
    body = client.get("/audit/verify", limit=2).json()
    while True:
        assert len(body["incidents"]) <= 2
        seen += [chain["incident_id"] for chain in body["incidents"]]
        if body["next"] is None:
            break
        body = client.get(body["next"].removeprefix("/api/v1")).json()

    assert seen == sorted([incident.pk, *opened])
    refused = client.get("/audit/verify", limit=101)
    assert refused.status_code == 422
    assert client.get("/audit/verify", cursor="not-a-cursor").status_code == 422


def test_a_changed_record_is_reported_where_it_breaks_the_chain(
    api_as: Callable[[User], ApiClient], site_admin: User, incident: Incident
) -> None:
    record = ActionRecord.objects.get(incident=incident, sequence=2)
    with connection.cursor() as cursor:
        # Tampering behind the application's back, as an attacker with the database would.
        cursor.execute(
            "UPDATE incidents_actionrecord SET what = %s WHERE id = %s", ["改ざん", record.pk]
        )

    body = api_as(site_admin).get("/audit/verify").json()

    assert body["intact"] is False
    (chain,) = body["incidents"]
    assert (chain["intact"], chain["sequence"], chain["record_id"]) == (False, 2, record.pk)
    assert "changed" in chain["problem"]
    assert chain["problems"] == [chain["problem"]]


def test_every_problem_of_an_incident_is_listed(
    api_as: Callable[[User], ApiClient], site_admin: User, incident: Incident, outsider: User
) -> None:
    record = ActionRecord.objects.get(incident=incident, sequence=2)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE incidents_actionrecord SET what = %s WHERE id = %s", ["改ざん", record.pk]
        )
        # A membership no action record vouches for: an outsider made lead.
        cursor.execute(
            "INSERT INTO incidents_membership (incident_id, user_id, role, affiliation)"
            " VALUES (%s, %s, 'lead', '')",
            [incident.pk, outsider.pk],
        )

    (chain,) = api_as(site_admin).get("/audit/verify").json()["incidents"]

    assert chain["problem"] == chain["problems"][0]
    assert len(chain["problems"]) == 2
    assert "members and roles" in chain["problems"][1]


def test_members_who_are_not_site_admins_are_refused(
    api_as: Callable[[User], ApiClient], lead: User, incident: Incident
) -> None:
    response = api_as(lead).get("/audit/verify")

    assert response.status_code == 403
    assert "administrators" in response.json()["detail"]


def test_a_broken_site_log_is_reported_with_the_chains(
    api_as: Callable[[User], ApiClient], site_admin: User, incident: Incident
) -> None:
    record_site_event(SiteEventKind.USER_CREATED, actor=site_admin, subject="sato")
    newest = record_site_event(SiteEventKind.SITE_ADMIN_GRANTED, actor=site_admin, subject="sato")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM sitelog_sitelogentry WHERE id = %s", [newest.pk])

    body = api_as(site_admin).get("/audit/verify").json()

    assert body["intact"] is False
    assert [chain["intact"] for chain in body["incidents"]] == [True]
    site_log = body["site_log"]
    assert (site_log["intact"], site_log["length"], site_log["head"]) == (
        False,
        2,
        newest.record_hash,
    )
    assert "its head records 2" in site_log["problem"]
