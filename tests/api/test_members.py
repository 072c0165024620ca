"""Members through the API: anyone on the incident sees them; the lead changes them."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import User
from tests.api.conftest import ApiClient, error_locations

from hikeshi.incidents.models import Incident


def test_members_are_listed_with_their_roles(
    api_as: Callable[[User], ApiClient], viewer: User, incident: Incident
) -> None:
    response = api_as(viewer).get(f"/incidents/{incident.pk}/members")

    assert response.status_code == 200
    assert {(m["username"], m["role"]) for m in response.json()["items"]} == {
        ("lead", "lead"),
        ("responder", "responder"),
        ("viewer", "viewer"),
    }


def test_the_lead_adds_a_person_who_then_sees_the_incident(
    api_as: Callable[[User], ApiClient], lead: User, outsider: User, incident: Incident
) -> None:
    assert api_as(outsider).get(f"/incidents/{incident.pk}").status_code == 404

    response = api_as(lead).post(
        f"/incidents/{incident.pk}/members",
        {"username": "outsider", "role": "responder", "affiliation": "委託先 SOC"},
    )

    assert response.status_code == 200, response.content
    added = {
        "username": "outsider",
        "full_name": "",
        "role": "responder",
        "affiliation": "委託先 SOC",
    }
    assert added in response.json()["items"]
    assert api_as(outsider).get(f"/incidents/{incident.pk}").status_code == 200


def test_the_lead_changes_a_role(
    api_as: Callable[[User], ApiClient], lead: User, viewer: User, incident: Incident
) -> None:
    client = api_as(lead)

    client.post(f"/incidents/{incident.pk}/members", {"username": "viewer", "role": "responder"})

    assert (
        api_as(viewer).post(f"/incidents/{incident.pk}/actions", {"what": "ログ取得"}).status_code
        == 201
    )


def test_a_null_role_removes_the_person(
    api_as: Callable[[User], ApiClient], lead: User, viewer: User, incident: Incident
) -> None:
    response = api_as(lead).post(
        f"/incidents/{incident.pk}/members", {"username": "viewer", "role": None}
    )

    assert "viewer" not in {m["username"] for m in response.json()["items"]}
    assert api_as(viewer).get(f"/incidents/{incident.pk}").status_code == 404


def test_the_last_lead_cannot_leave(
    api_as: Callable[[User], ApiClient], lead: User, incident: Incident
) -> None:
    response = api_as(lead).post(
        f"/incidents/{incident.pk}/members", {"username": "lead", "role": None}
    )

    assert error_locations(response) == [["body", "role"]]


def test_the_last_lead_cannot_step_down_to_viewer(
    api_as: Callable[[User], ApiClient], lead: User, incident: Incident
) -> None:
    response = api_as(lead).post(
        f"/incidents/{incident.pk}/members", {"username": "lead", "role": "viewer"}
    )

    assert error_locations(response) == [["body", "role"]]


def test_an_unknown_person_is_named(
    api_as: Callable[[User], ApiClient], lead: User, incident: Incident
) -> None:
    response = api_as(lead).post(
        f"/incidents/{incident.pk}/members", {"username": "nobody", "role": "viewer"}
    )

    assert error_locations(response) == [["body", "username"]]


def test_changing_members_is_recorded(
    api_as: Callable[[User], ApiClient], lead: User, outsider: User, incident: Incident
) -> None:
    client = api_as(lead)
    client.post(f"/incidents/{incident.pk}/members", {"username": "outsider", "role": "viewer"})

    last = client.get(f"/incidents/{incident.pk}/actions").json()["items"][-1]

    assert last["kind"] == "incident.membership"
    assert "user=outsider; role=viewer" in last["settings"]


def test_members_come_a_page_at_a_time_leads_first(
    api_as: Callable[[User], ApiClient], viewer: User, incident: Incident
) -> None:
    client = api_as(viewer)

    first = client.get(f"/incidents/{incident.pk}/members", limit=2).json()
    second = client.get(f"/incidents/{incident.pk}/members", limit=2, cursor=first["next_cursor"])

    assert [m["username"] for m in first["items"]] == ["lead", "responder"]
    assert first["next"].endswith(f"cursor={first['next_cursor']}")
    assert [m["username"] for m in second.json()["items"]] == ["viewer"]
    assert second.json()["next_cursor"] is None and second.json()["next"] is None


def test_a_member_page_size_beyond_the_bound_is_refused(
    api_as: Callable[[User], ApiClient], viewer: User, incident: Incident
) -> None:
    response = api_as(viewer).get(f"/incidents/{incident.pk}/members", limit=201)

    assert response.status_code == 422
    assert ["query", "limit"] in error_locations(response)
