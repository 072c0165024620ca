"""The checklist through the API: items with their guidance, worked on only as the rules say."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from tests.api.conftest import ApiClient, error_locations

from hikeshi.incidents.models import ChecklistItem, Incident
from hikeshi.incidents.services.incidents import IncidentInput, open_incident

PHASES = ["initial", "scope", "prevention", "reporting", "recovery"]
DONE = {
    "performed_at": "2026-11-20T10:15:00+09:00",
    "scope": "fs01 (192.0.2.10)",
    "settings": "暗号化されたファイルの検体をパスワード付き ZIP で退避",
    "note": "原本は削除していない",
}


def item_path(incident: Incident, key: str, action: str = "") -> str:
    item = incident.checklist.get(key=key)
    return f"/incidents/{incident.pk}/checklist/{item.pk}" + (f"/{action}" if action else "")


def checklist(client: ApiClient, incident: Incident, **filters: Any) -> dict[str, Any]:
    response = client.get(f"/incidents/{incident.pk}/checklist", **filters)
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


def test_a_ransomware_incidents_checklist_lists_items_50_and_51(
    api_as: Callable[[User], ApiClient], viewer: User, incident: Incident
) -> None:
    items = checklist(api_as(viewer), incident)["items"]

    by_number = {item["number"]: item for item in items if item["number"] is not None}
    assert {50, 51} <= set(by_number)
    assert 49 not in by_number  # online banking belongs to banking fraud
    item = by_number[50]
    assert item["key"] == "matrix:50"
    assert item["title"]["ja"] and item["title"]["en"]
    assert item["group_name"]["ja"] and item["group"]
    assert (item["status"], item["assignee"], item["applies"]) == ("todo", None, True)


def test_items_come_in_working_order_with_their_guidance(
    api_as: Callable[[User], ApiClient], lead: User, incident: Incident
) -> None:
    items = checklist(api_as(lead), incident, limit=200)["items"]

    phases = [item["phase"] for item in items]
    assert phases == sorted(phases, key=PHASES.index)
    assert len(items) == incident.checklist.count()
    conditional = [i for i in items if i["requirement"] == "conditional" and i["number"]]
    assert conditional
    assert all(item["condition"] is not None for item in conditional)
    matrix = [item for item in items if item["number"] is not None]
    assert all(item["details"] for item in matrix)
    assert all(isinstance(item["log_checks"], list) for item in matrix)
    flow = next(item for item in items if item["key"].startswith("flow:"))
    assert flow["number"] is None


def test_progress_counts_each_phase(
    api_as: Callable[[User], ApiClient], responder: User, incident: Incident
) -> None:
    client = api_as(responder)
    client.post(item_path(incident, "matrix:28", "done"), DONE)

    progress = {p["phase"]: p for p in checklist(client, incident)["progress"]}

    assert list(progress) == [p for p in PHASES if p in progress]
    assert sum(p["total"] for p in progress.values()) == incident.checklist.count()
    phase = incident.checklist.get(key="matrix:28").phase
    assert progress[phase]["closed"] == 1
    assert 0 < progress[phase]["percent"] < 100


def test_done_without_scope_is_refused_naming_scope(
    api_as: Callable[[User], ApiClient], responder: User, incident: Incident
) -> None:
    body = {key: value for key, value in DONE.items() if key != "scope"}

    response = api_as(responder).post(item_path(incident, "matrix:50", "done"), body)

    assert error_locations(response) == [["body", "scope"]]
    assert incident.checklist.get(key="matrix:50").status == "todo"


@pytest.mark.parametrize("field", ["scope", "settings"])
def test_a_blank_scope_or_settings_is_refused_by_name(
    api_as: Callable[[User], ApiClient], responder: User, incident: Incident, field: str
) -> None:
    response = api_as(responder).post(
        item_path(incident, "matrix:50", "done"), {**DONE, field: "  "}
    )

    assert error_locations(response) == [["body", field]]
    assert response.json()["detail"][0]["msg"]


def test_done_without_any_of_the_three_names_each_of_them(
    api_as: Callable[[User], ApiClient], responder: User, incident: Incident
) -> None:
    response = api_as(responder).post(item_path(incident, "matrix:50", "done"), {"note": "済"})

    assert sorted(map(str, error_locations(response))) == sorted(
        str(["body", field]) for field in ("performed_at", "scope", "settings")
    )


def test_done_with_when_scope_and_settings_records_an_action(
    api_as: Callable[[User], ApiClient], responder: User, incident: Incident
) -> None:
    client = api_as(responder)

    response = client.post(item_path(incident, "matrix:50", "done"), DONE)

    assert response.status_code == 200, response.content
    item = response.json()
    assert item["status"] == "done"
    assert item["performed_at"] == "2026-11-20T01:15:00+00:00"
    assert (item["scope"], item["settings"]) == (DONE["scope"], DONE["settings"])
    record = client.get(f"/incidents/{incident.pk}/actions").json()["items"][-1]
    assert (record["kind"], record["checklist_item_ref"]) == ("checklist.done", "matrix:50")
    assert (record["scope"], record["note"]) == (DONE["scope"], DONE["note"])


def test_not_applicable_needs_a_reason(
    api_as: Callable[[User], ApiClient], responder: User, incident: Incident
) -> None:
    client = api_as(responder)
    path = item_path(incident, "matrix:51", "not-applicable")

    assert error_locations(client.post(path, {})) == [["body", "reason"]]
    assert error_locations(client.post(path, {"reason": " "})) == [["body", "reason"]]
    response = client.post(path, {"reason": "対象の機器は導入していない"})

    assert response.status_code == 200
    assert response.json()["status"] == "not_applicable"
    assert response.json()["not_applicable_reason"] == "対象の機器は導入していない"


def test_a_closed_item_is_reopened_only_when_asked(
    api_as: Callable[[User], ApiClient], responder: User, incident: Incident
) -> None:
    client = api_as(responder)
    client.post(item_path(incident, "matrix:28", "done"), DONE)
    start = item_path(incident, "matrix:28", "start")

    assert error_locations(client.post(start, {})) == [["body", "reopen"]]
    response = client.post(start, {"reopen": True})

    assert response.status_code == 200
    assert response.json()["status"] == "in_progress"


def test_an_item_is_assigned_to_a_responder_and_cleared(
    api_as: Callable[[User], ApiClient], lead: User, incident: Incident
) -> None:
    client = api_as(lead)
    path = item_path(incident, "matrix:28", "assign")

    assert client.post(path, {"username": "responder"}).json()["assignee"] == "responder"
    assert client.post(path, {"username": None}).json()["assignee"] is None


@pytest.mark.parametrize("username", ["viewer", "nobody"])
def test_only_a_lead_or_responder_can_be_assigned(
    api_as: Callable[[User], ApiClient], lead: User, incident: Incident, username: str
) -> None:
    response = api_as(lead).post(item_path(incident, "matrix:28", "assign"), {"username": username})

    assert error_locations(response) == [["body", "username"]]


def test_comments_are_shown_on_the_item(
    api_as: Callable[[User], ApiClient], responder: User, viewer: User, incident: Incident
) -> None:
    path = item_path(incident, "matrix:28")

    created = api_as(responder).post(f"{path}/comments", {"text": "検体はUSBで保全済み"})

    assert created.status_code == 201
    assert created.json()["author"] == "responder"
    comments = api_as(viewer).get(path).json()["comments"]
    assert [c["text"] for c in comments] == ["検体はUSBで保全済み"]
    assert error_locations(api_as(responder).post(f"{path}/comments", {"text": " "})) == [
        ["body", "text"]
    ]


def test_filters_narrow_the_items(
    api_as: Callable[[User], ApiClient], lead: User, incident: Incident
) -> None:
    client = api_as(lead)
    client.post(item_path(incident, "matrix:28", "assign"), {"username": "responder"})
    client.post(item_path(incident, "matrix:50", "done"), DONE)
    target = incident.checklist.get(key="matrix:50").group

    def keys(**filters: Any) -> set[str]:
        return {item["key"] for item in checklist(client, incident, **filters)["items"]}

    assert keys(status="done") == {"matrix:50"}
    assert keys(assignee="responder") == {"matrix:28"}
    assert "matrix:50" in keys(group=target)
    assert {i["phase"] for i in checklist(client, incident, phase="scope")["items"]} == {"scope"}
    conditional = checklist(client, incident, requirement="conditional")["items"]
    assert conditional
    assert {item["requirement"] for item in conditional} == {"conditional"}
    assert len(checklist(client, incident, status="done")["progress"]) > 1  # not filtered


def test_an_unknown_filter_value_is_named(
    api_as: Callable[[User], ApiClient], lead: User, incident: Incident
) -> None:
    response = api_as(lead).get(f"/incidents/{incident.pk}/checklist", phase="someday")

    assert error_locations(response) == [["query", "phase"]]


def test_an_item_is_found_by_its_matrix_number_or_key(
    api_as: Callable[[User], ApiClient], viewer: User, incident: Incident
) -> None:
    client = api_as(viewer)
    base = f"/incidents/{incident.pk}/checklist/by-key"
    expected = incident.checklist.get(key="matrix:28").pk

    assert client.get(f"{base}/28").json()["id"] == expected
    assert client.get(f"{base}/matrix:28").json()["id"] == expected
    never_pay = client.get(f"{base}/flow:flow.reporting.ransomware.never_pay")
    assert never_pay.json()["key"] == "flow:flow.reporting.ransomware.never_pay"
    assert client.get(f"{base}/49").status_code == 404  # not asked of a ransomware incident


def test_an_item_of_another_incident_is_not_found_under_this_one(
    api_as: Callable[[User], ApiClient], lead: User, incident: Incident
) -> None:
    other = open_incident(
        lead, IncidentInput(title="別件", detected_at=incident.detected_at, types=["ransomware"])
    )
    foreign = other.checklist.get(key="matrix:50")
    client = api_as(lead)
    path = f"/incidents/{incident.pk}/checklist/{foreign.pk}"

    assert client.get(path).status_code == 404
    response = client.post(f"{path}/done", DONE)

    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}
    assert ChecklistItem.objects.get(pk=foreign.pk).status == "todo"


def test_a_viewer_reads_the_checklist_but_cannot_work_on_it(
    api_as: Callable[[User], ApiClient], viewer: User, incident: Incident
) -> None:
    client = api_as(viewer)

    assert client.get(item_path(incident, "matrix:50")).status_code == 200
    assert client.post(item_path(incident, "matrix:50", "done"), DONE).status_code == 403
    assert incident.checklist.get(key="matrix:50").status == "todo"


def test_the_checklist_is_read_in_a_few_queries_however_long_it_is(
    api_as: Callable[[User], ApiClient],
    lead: User,
    incident: Incident,
    django_assert_max_num_queries: Any,
) -> None:
    client = api_as(lead)
    for key in ("matrix:28", "matrix:50", "matrix:51"):
        client.post(item_path(incident, key, "assign"), {"username": "responder"})
        client.post(item_path(incident, key, "comments"), {"text": "確認中"})

    # Token, membership, incident, items, comments, progress: not one per item.
    with django_assert_max_num_queries(10):
        items = checklist(client, incident)["items"]

    assert sum(len(item["comments"]) for item in items) == 3


def test_the_list_comes_a_bounded_page_at_a_time(
    api_as: Callable[[User], ApiClient], lead: User, incident: Incident
) -> None:
    client = api_as(lead)
    total = incident.checklist.count()
    assert total > 50

    first = checklist(client, incident)
    whole = checklist(client, incident, limit=200)
    walked: list[str] = []
    page = checklist(client, incident, limit=40)
    while True:
        walked += [item["key"] for item in page["items"]]
        if page["next_cursor"] is None:
            assert page["next"] is None
            break
        assert f"cursor={page['next_cursor']}" in page["next"]
        page = checklist(client, incident, limit=40, cursor=page["next_cursor"])

    assert first["count"] == total and len(first["items"]) == 50
    assert whole["next_cursor"] is None and whole["count"] == total
    keys = [item["key"] for item in whole["items"]]
    assert len(keys) == total
    assert [item["key"] for item in first["items"]] == keys[:50]
    assert walked == keys
    for refused in ({"limit": 201}, {"limit": 0}, {"cursor": "not-a-cursor"}):
        response = client.get(f"/incidents/{incident.pk}/checklist", **refused)
        assert error_locations(response) == [["query", next(iter(refused))]]


def test_a_filtered_list_pages_within_the_filter(
    api_as: Callable[[User], ApiClient], lead: User, incident: Incident
) -> None:
    client = api_as(lead)
    everything = checklist(client, incident, limit=200, requirement="required")
    first = checklist(client, incident, limit=5, requirement="required")
    second = checklist(
        client, incident, limit=5, requirement="required", cursor=first["next_cursor"]
    )

    keys = [item["key"] for item in everything["items"]]
    assert [item["key"] for item in first["items"] + second["items"]] == keys[:10]
    assert first["count"] == second["count"] == len(keys)


def test_the_page_size_and_filters_are_in_the_openapi_document(db: None) -> None:
    document = Client().get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/incidents/{incident_id}/checklist"]["get"]
    parameters = {parameter["name"]: parameter for parameter in operation["parameters"]}

    assert parameters["limit"]["schema"]["maximum"] == 200
    assert parameters["limit"]["schema"]["minimum"] == 1
    assert "cursor" in parameters
    assert {"phase", "group", "status", "assignee", "requirement", "applies", "search"} <= set(
        parameters
    )


def test_open_mine_unassigned_and_search_filter_as_on_the_page(
    api_as: Callable[[User], ApiClient], responder: User, incident: Incident
) -> None:
    client = api_as(responder)
    client.post(item_path(incident, "matrix:28", "assign"), {"username": "responder"})
    client.post(item_path(incident, "matrix:50", "done"), DONE)

    def keys(**filters: Any) -> list[str]:
        found = checklist(client, incident, limit=200, **filters)
        return [item["key"] for item in found["items"]]

    assert keys(assignee="mine") == ["matrix:28"]
    assert "matrix:28" not in keys(assignee="unassigned")
    assert "matrix:50" not in keys(status="open") and "matrix:28" in keys(status="open")
    isolate = keys(search="削除せず 隔離")  # every word, anywhere in the guidance text
    assert "matrix:28" in isolate and "matrix:50" not in isolate
    assert len(isolate) < len(keys())
    assert "matrix:28" in keys(search="ISOLATE MALWARE")  # English too, any case
    assert keys(search="fs01") == ["matrix:50"]  # the work recorded on it
