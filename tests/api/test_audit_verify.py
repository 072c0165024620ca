"""Verifying every incident's hash chain through the API (site admins only)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import User
from django.db import connection
from tests.api.conftest import ApiClient

from hikeshi.incidents.models import ActionRecord, Incident


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
            }
        ],
    }


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


def test_members_who_are_not_site_admins_are_refused(
    api_as: Callable[[User], ApiClient], lead: User, incident: Incident
) -> None:
    response = api_as(lead).get("/audit/verify")

    assert response.status_code == 403
    assert "administrators" in response.json()["detail"]
