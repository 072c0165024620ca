"""Contacts through the API: the organisation's own list (kept by admins), an incident's choice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from tests.api.conftest import ApiClient, error_locations

from hikeshi.directory.models import DeploymentContact, IncidentContact
from hikeshi.incidents.models import Incident

VENDOR = {
    "kind": "system_vendor",
    "name": "サンプル情報システム 保守窓口",
    "organisation": "株式会社サンプル情報システム",
    "phone": "03-1234-5678",
    "email": "support@example.co.jp",
    "note": "ファイルサーバの保守契約先",
}


def test_a_site_admin_adds_a_contact_everyone_can_read(
    api_as: Callable[[User], ApiClient], site_admin: User, viewer: User
) -> None:
    created = api_as(site_admin).post("/contacts", VENDOR)

    assert created.status_code == 201, created.content
    assert created.json()["phone"] == "03-1234-5678"
    listed = api_as(viewer).get("/contacts").json()
    assert [c["id"] for c in listed] == [created.json()["id"]]


@pytest.mark.parametrize("body", [VENDOR, {}, {"kind": "wizard"}])
def test_deployment_contacts_are_admin_only(
    api_as: Callable[[User], ApiClient], lead: User, body: dict[str, Any]
) -> None:
    # Refused before the body is read, so an invalid body gets the same answer.
    response = api_as(lead).post("/contacts", body)

    assert response.status_code == 403
    assert response.json()["detail"]
    assert not DeploymentContact.objects.exists()


def test_a_contact_needs_a_way_to_reach_it(
    api_as: Callable[[User], ApiClient], site_admin: User
) -> None:
    body = {"kind": "insurer", "name": "サイバー保険 事故受付"}

    assert error_locations(api_as(site_admin).post("/contacts", body)) == [["body", "phone"]]


@pytest.mark.parametrize(("field", "value"), [("email", "not-an-address"), ("url", "ftp://x")])
def test_a_malformed_address_is_named(
    api_as: Callable[[User], ApiClient], site_admin: User, field: str, value: str
) -> None:
    response = api_as(site_admin).post("/contacts", {**VENDOR, field: value})

    assert error_locations(response) == [["body", field]]


def test_a_guidance_contact_is_kept_with_the_incident(
    api_as: Callable[[User], ApiClient], responder: User, viewer: User, incident: Incident
) -> None:
    path = f"/incidents/{incident.pk}/contacts"

    created = api_as(responder).post(
        path, {"guidance_contact": "jpcert_incident_response", "reason": "被害の報告"}
    )

    assert created.status_code == 201, created.content
    chosen = created.json()
    assert chosen["guidance_contact"] == "jpcert_incident_response"
    assert chosen["guidance"]["organisation"]["ja"]
    assert (chosen["deployment"], chosen["added_by"]) == (None, "responder")
    assert api_as(viewer).get(path).json() == [chosen]
    record = incident.actions.order_by("-sequence").first()
    assert record is not None
    assert record.kind == "contact.added"


def test_a_deployment_contact_is_kept_with_the_incident(
    api_as: Callable[[User], ApiClient], site_admin: User, lead: User, incident: Incident
) -> None:
    vendor = api_as(site_admin).post("/contacts", VENDOR).json()

    response = api_as(lead).post(
        f"/incidents/{incident.pk}/contacts",
        {"deployment_contact_id": vendor["id"], "reason": "復旧作業の依頼"},
    )

    assert response.status_code == 201
    assert response.json()["deployment"] == vendor
    assert response.json()["guidance"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"guidance_contact": "ghostbusters"}, "guidance_contact"),
        ({"deployment_contact_id": 999_999}, "deployment_contact_id"),
        ({"reason": "どこかへ"}, "deployment_contact_id"),
    ],
)
def test_an_unknown_or_missing_contact_is_named(
    api_as: Callable[[User], ApiClient],
    lead: User,
    incident: Incident,
    body: dict[str, Any],
    field: str,
) -> None:
    response = api_as(lead).post(f"/incidents/{incident.pk}/contacts", body)

    assert error_locations(response) == [["body", field]]


def test_a_viewer_cannot_choose_contacts(
    api_as: Callable[[User], ApiClient], viewer: User, incident: Incident
) -> None:
    response = api_as(viewer).post(
        f"/incidents/{incident.pk}/contacts", {"guidance_contact": "jpcert_incident_response"}
    )

    assert response.status_code == 403
    assert not IncidentContact.objects.filter(incident=incident).exists()
