"""The guidance through the API: the export, matrix items, types, contacts, consultation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from tests.api.conftest import ApiClient, error_locations

from hikeshi.directory.services import add_deployment_contact


def walk(client: ApiClient, *answers: str) -> dict[str, Any]:
    response = client.get("/guidance/consultation/walk", answers=",".join(answers))
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


def test_the_guidance_export_has_75_matrix_items(
    api_as: Callable[[User], ApiClient], viewer: User
) -> None:
    response = api_as(viewer).get("/guidance")

    assert response.status_code == 200
    document = response.json()
    assert [item["number"] for item in document["items"]] == list(range(1, 76))
    assert {"rules", "targets", "incident_types", "consultation", "contacts"} <= set(document)


def test_a_matrix_item_is_read_by_its_number(
    api_as: Callable[[User], ApiClient], viewer: User
) -> None:
    client = api_as(viewer)
    exported = next(i for i in client.get("/guidance").json()["items"] if i["number"] == 28)

    item = client.get("/guidance/items/28").json()

    assert item == exported
    assert item["applicability"]["ransomware"] in {"required", "conditional"}
    assert item["target"]["code"] and item["title"]["en"]


def test_a_matrix_number_out_of_range_is_not_found(
    api_as: Callable[[User], ApiClient], viewer: User
) -> None:
    client = api_as(viewer)

    assert client.get("/guidance/items/76").status_code == 404
    assert client.get("/guidance/items/0").status_code == 404


def test_incident_types_come_in_picker_order_with_their_matrix_columns(
    api_as: Callable[[User], ApiClient], viewer: User
) -> None:
    types = api_as(viewer).get("/guidance/incident-types").json()

    assert [t["code"] for t in types][:4] == ["apt", "banking_fraud", "ransomware", "insider"]
    ransomware = next(t for t in types if t["code"] == "ransomware")
    assert ransomware["matrix_types"] == ["ransomware"]
    assert ransomware["name"]["ja"]


def test_the_guidance_contacts_are_listed_with_their_addresses(
    api_as: Callable[[User], ApiClient], viewer: User
) -> None:
    contacts = {c["id"]: c for c in api_as(viewer).get("/guidance/contacts").json()}

    jpcert = contacts["jpcert_incident_response"]
    assert jpcert["urls"]
    assert all(url.startswith("https://") for url in jpcert["urls"])
    assert jpcert["organisation"]["ja"]


def test_a_walk_without_answers_asks_the_first_question(
    api_as: Callable[[User], ApiClient], viewer: User
) -> None:
    state = walk(api_as(viewer))

    assert (state["outcomes"], state["finished"]) == ([], False)
    assert state["next_question"]["id"] == "situation"
    assert {a["id"] for a in state["next_question"]["answers"]} >= {"security_breach"}


def test_the_consultation_walk_returns_outcomes_with_their_contacts(
    api_as: Callable[[User], ApiClient], viewer: User
) -> None:
    state = walk(api_as(viewer), "security_breach", "own_systems_attacked", "yes")

    assert state["answers"] == ["security_breach", "own_systems_attacked", "yes"]
    assert [o["id"] for o in state["outcomes"]] == ["ipa_notification", "jpcert_report"]
    contacts = [c for o in state["outcomes"] for c in o["contacts"]]
    assert contacts
    assert all(c["name"]["ja"] and c["kind"] for c in contacts)
    assert state["next_question"]["id"] == "personal_data"


def test_a_finished_walk_names_the_organisations_own_contacts(
    api_as: Callable[[User], ApiClient], viewer: User, site_admin: User
) -> None:
    vendor = add_deployment_contact(
        site_admin, kind="system_vendor", name="保守窓口", phone="03-0000-0000"
    )
    add_deployment_contact(site_admin, kind="insurer", name="保険会社", phone="03-1111-1111")

    state = walk(api_as(viewer), "device_trouble")

    assert state["finished"] is True
    assert state["next_question"] is None
    (outcome,) = state["outcomes"]
    assert "system_vendor" in outcome["deployment_contact_kinds"]
    assert [c["id"] for c in outcome["deployment_contacts"]] == [vendor.pk]


def test_an_unknown_answer_is_refused(api_as: Callable[[User], ApiClient], viewer: User) -> None:
    response = api_as(viewer).get("/guidance/consultation/walk", answers="security_breach,maybe")

    assert error_locations(response) == [["query", "answers"]]
    assert "maybe" in response.json()["detail"][0]["msg"]


def test_an_answer_after_the_walk_ended_is_refused(
    api_as: Callable[[User], ApiClient], viewer: User
) -> None:
    response = api_as(viewer).get("/guidance/consultation/walk", answers="device_trouble,yes")

    assert error_locations(response) == [["query", "answers"]]


def test_the_guidance_needs_a_token(anonymous: ApiClient) -> None:
    assert anonymous.get("/guidance").status_code == 401
    assert anonymous.get("/guidance/consultation/walk").status_code == 401
