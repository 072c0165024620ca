"""Action records through the API: appended and read, never edited or deleted."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from tests.api.conftest import ApiClient, error_locations

from hikeshi.incidents.audit.verify import verify_incident
from hikeshi.incidents.models import Incident
from hikeshi.incidents.services.incidents import IncidentInput, open_incident

ISOLATION = {
    "what": "ファイルサーバをネットワークから隔離",
    "performed_at": "2026-11-20T10:05:00+09:00",
    "scope": "fs01 (192.0.2.10)",
    "settings": "スイッチのポート 12 を shutdown",
    "note": "電源は入れたまま(メモリ保全のため)",
}


def test_recording_an_action_chains_it_after_the_last_one(
    api_as: Callable[[User], ApiClient], responder: User, incident: Incident
) -> None:
    client = api_as(responder)
    previous = client.get(f"/incidents/{incident.pk}/actions").json()["items"][-1]

    response = client.post(f"/incidents/{incident.pk}/actions", ISOLATION)

    assert response.status_code == 201, response.content
    record = response.json()
    assert record["sequence"] == previous["sequence"] + 1
    assert record["prev_hash"] == previous["record_hash"]
    assert record["performed_at"] == "2026-11-20T01:05:00+00:00"
    assert (record["scope"], record["settings"], record["actor"]) == (
        "fs01 (192.0.2.10)",
        "スイッチのポート 12 を shutdown",
        "responder",
    )
    assert verify_incident(Incident.objects.get(pk=incident.pk)) == []


def test_an_action_is_read_back_by_its_id(
    api_as: Callable[[User], ApiClient], viewer: User, lead: User, incident: Incident
) -> None:
    created = api_as(lead).post(f"/incidents/{incident.pk}/actions", ISOLATION).json()

    response = api_as(viewer).get(f"/incidents/{incident.pk}/actions/{created['id']}")

    assert response.status_code == 200
    assert response.json() == created


def test_actions_are_listed_in_chain_order(
    api_as: Callable[[User], ApiClient], lead: User, incident: Incident
) -> None:
    answer = api_as(lead).get(f"/incidents/{incident.pk}/actions").json()
    records = answer["items"]

    assert [r["sequence"] for r in records] == list(range(1, incident.audit_length + 1))
    assert records[0]["kind"] == "incident.opened"
    assert answer["next_cursor"] is None


def test_actions_come_a_page_at_a_time_by_cursor(
    api_as: Callable[[User], ApiClient], lead: User, incident: Incident
) -> None:
    client = api_as(lead)
    for n in range(6):
        client.post(f"/incidents/{incident.pk}/actions", {**ISOLATION, "what": f"対応 {n}"})
    total = Incident.objects.get(pk=incident.pk).audit_length
    sequences: list[int] = []
    cursor = None
    for _ in range(total):
        query = {"limit": 4, **({"cursor": cursor} if cursor else {})}
        page = client.get(f"/incidents/{incident.pk}/actions", **query).json()
        assert len(page["items"]) <= 4
        sequences += [record["sequence"] for record in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert sequences == list(range(1, total + 1))


@pytest.mark.parametrize(
    ("name", "value"), [("limit", 201), ("limit", 0), ("cursor", "not-a-cursor")]
)
def test_a_page_size_out_of_bounds_or_a_made_up_cursor_is_refused(
    api_as: Callable[[User], ApiClient], viewer: User, incident: Incident, name: str, value: object
) -> None:
    response = api_as(viewer).get(f"/incidents/{incident.pk}/actions", **{name: value})

    assert error_locations(response) == [["query", name]]


def test_a_correction_points_at_the_record_it_corrects(
    api_as: Callable[[User], ApiClient], lead: User, incident: Incident
) -> None:
    client = api_as(lead)
    wrong = client.post(f"/incidents/{incident.pk}/actions", ISOLATION).json()

    fix = client.post(
        f"/incidents/{incident.pk}/actions",
        {"what": "隔離の記録を訂正", "scope": "fs02", "corrects": wrong["id"]},
    )

    assert fix.status_code == 201
    assert fix.json()["corrects"] == wrong["id"]


def test_a_correction_of_another_incidents_record_is_refused(
    api_as: Callable[[User], ApiClient], lead: User, incident: Incident
) -> None:
    other = open_incident(lead, IncidentInput(title="別件", detected_at=incident.detected_at))
    foreign = other.actions.get(sequence=1)

    response = api_as(lead).post(
        f"/incidents/{incident.pk}/actions", {"what": "訂正", "corrects": foreign.pk}
    )

    assert error_locations(response) == [["body", "corrects"]]


def test_an_action_of_another_incident_is_not_found_under_this_one(
    api_as: Callable[[User], ApiClient], lead: User, incident: Incident
) -> None:
    other = open_incident(lead, IncidentInput(title="別件", detected_at=incident.detected_at))
    foreign = other.actions.get(sequence=1)

    response = api_as(lead).get(f"/incidents/{incident.pk}/actions/{foreign.pk}")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


def test_an_action_in_the_future_is_refused(
    api_as: Callable[[User], ApiClient], lead: User, incident: Incident
) -> None:
    response = api_as(lead).post(
        f"/incidents/{incident.pk}/actions",
        {"what": "未来の作業", "performed_at": "2999-01-01T00:00:00+09:00"},
    )

    assert error_locations(response) == [["body", "performed_at"]]


def test_an_action_time_without_an_offset_is_refused(
    api_as: Callable[[User], ApiClient], lead: User, incident: Incident
) -> None:
    response = api_as(lead).post(
        f"/incidents/{incident.pk}/actions", {"what": "隔離", "performed_at": "2026-11-20T10:05"}
    )

    assert error_locations(response) == [["body", "performed_at"]]


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_action_records_cannot_be_changed_or_deleted(
    api_as: Callable[[User], ApiClient], lead: User, incident: Incident, method: str
) -> None:
    client = api_as(lead)
    record = client.get(f"/incidents/{incident.pk}/actions").json()["items"][0]

    response = client.call(
        method, f"/incidents/{incident.pk}/actions/{record['id']}", {"what": "改ざん"}
    )

    assert response.status_code == 405
    assert "GET" in response["Allow"]
    assert client.get(f"/incidents/{incident.pk}/actions/{record['id']}").json() == record


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_the_action_list_cannot_be_replaced_or_cleared(
    api_as: Callable[[User], ApiClient], lead: User, incident: Incident, method: str
) -> None:
    response = api_as(lead).call(method, f"/incidents/{incident.pk}/actions", {})

    assert response.status_code == 405


def test_the_api_gives_the_label_in_the_callers_language_beside_the_kind(
    api_as: Callable[[User], ApiClient], lead: User, incident: Incident
) -> None:
    client = api_as(lead)
    path = f"/api/v1/incidents/{incident.pk}/actions"

    japanese = client.client.get(path, headers={"accept-language": "ja"}).json()["items"]
    english = client.client.get(path, headers={"accept-language": "en"}).json()["items"]

    assert japanese[0]["kind"] == english[0]["kind"] == "incident.opened"
    assert japanese[0]["kind_label"] == "インシデントの起票"
    assert english[0]["kind_label"] == "Incident opened"
    assert japanese[0]["bookkeeping"] is True
