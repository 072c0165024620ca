"""Incidents through the API: open, list, read, edit with versions, triage, change status."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.api.conftest import ApiClient, error_locations, intake

from hikeshi.incidents.models import Incident, Membership
from hikeshi.incidents.selectors.keyset import PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX
from hikeshi.incidents.services.incidents import IncidentInput, open_incident
from hikeshi.incidents.vocabulary import Role


def test_opening_an_incident_makes_the_caller_its_lead(
    api_as: Callable[[User], ApiClient], responder: User
) -> None:
    response = api_as(responder).post("/incidents", intake())

    assert response.status_code == 201
    body = response.json()
    assert body["title"] == "不審なメールの添付ファイルを開いた"
    assert body["types"] == ["virus_infection", "spoofed_email"]
    assert body["status"] == "detected"
    assert body["priority"] == 9
    assert body["version"] == 1
    membership = Membership.objects.get(incident_id=body["id"], user=responder)
    assert membership.role == Role.LEAD


def test_times_come_back_in_utc_with_an_offset(
    api_as: Callable[[User], ApiClient], lead: User
) -> None:
    body = api_as(lead).post("/incidents", intake()).json()

    assert body["detected_at"] == "2026-11-21T01:15:00+00:00"
    assert datetime.fromisoformat(body["created_at"]).utcoffset() is not None


def test_reading_an_incident_gives_its_record(
    api_as: Callable[[User], ApiClient], viewer: User, incident: Incident
) -> None:
    response = api_as(viewer).get(f"/incidents/{incident.pk}")

    assert response.status_code == 200
    assert response.json()["title"] == incident.title
    assert response.json()["types"] == ["ransomware"]


def test_the_list_shows_only_the_callers_incidents(
    api_as: Callable[[User], ApiClient], lead: User, outsider: User, incident: Incident
) -> None:
    open_incident(outsider, IncidentInput(title="別件", detected_at=incident.detected_at))

    titles = [i["title"] for i in api_as(lead).get("/incidents").json()["items"]]

    assert titles == [incident.title]


def test_a_site_admin_lists_every_incident(
    api_as: Callable[[User], ApiClient], site_admin: User, outsider: User, incident: Incident
) -> None:
    open_incident(outsider, IncidentInput(title="別件", detected_at=incident.detected_at))

    assert len(api_as(site_admin).get("/incidents").json()["items"]) == 2


def test_the_list_is_sorted_by_priority_then_newest_detection(
    api_as: Callable[[User], ApiClient], lead: User
) -> None:
    client = api_as(lead)
    older = client.post("/incidents", intake(title="古い", detected_at="2026-11-01T00:00:00Z"))
    newer = client.post("/incidents", intake(title="新しい", detected_at="2026-11-02T00:00:00Z"))
    urgent = client.post("/incidents", intake(title="緊急", detected_at="2026-10-01T00:00:00Z"))
    client.post(
        f"/incidents/{urgent.json()['id']}/triage",
        {"is_incident": True, "urgency": 3, "impact": 3, "version": 1},
    )
    assert older.status_code == newer.status_code == 201

    titles = [i["title"] for i in client.get("/incidents").json()["items"]]

    assert titles == ["緊急", "新しい", "古い"]


def test_the_list_filters_by_status_type_and_priority(
    api_as: Callable[[User], ApiClient], lead: User, incident: Incident
) -> None:
    client = api_as(lead)
    phishing = client.post("/incidents", intake(title="フィッシング", types=["spoofed_email"]))
    client.post(
        f"/incidents/{phishing.json()['id']}/triage",
        {"is_incident": True, "urgency": 2, "impact": 1, "version": 1},
    )

    def titles(**params: str) -> list[str]:
        return [i["title"] for i in client.get("/incidents", **params).json()["items"]]

    assert titles(type="ransomware") == [incident.title]
    assert titles(status="response") == ["フィッシング"]
    assert titles(priority="3") == ["フィッシング"]
    assert titles(status="closed") == []


def test_listing_takes_the_same_queries_for_many_incidents_as_for_one(
    api_as: Callable[[User], ApiClient], lead: User, incident: Incident
) -> None:
    client = api_as(lead)
    client.get("/incidents")  # records the token's first use, a write of its own

    with CaptureQueriesContext(connection) as one:
        client.get("/incidents")
    for n in range(3):
        client.post("/incidents", intake(title=f"追加 {n}"))
    with CaptureQueriesContext(connection) as four:
        assert len(client.get("/incidents").json()["items"]) == 4

    assert len(four) == len(one)


def _incidents_for(owner: User, count: int, detected_at: datetime) -> None:
    """Open ``count`` incidents at once (the service per incident would take too long)."""
    incidents = Incident.objects.bulk_create(
        Incident(title=f"案件 {n:05}", detected_at=detected_at + timedelta(minutes=n))
        for n in range(count)
    )
    Membership.objects.bulk_create(
        Membership(incident=incident, user=owner, role=Role.LEAD) for incident in incidents
    )


def test_the_list_comes_a_page_at_a_time(
    api_as: Callable[[User], ApiClient], lead: User, incident: Incident
) -> None:
    _incidents_for(lead, 4, incident.detected_at)
    client = api_as(lead)

    first = client.get("/incidents", limit=2).json()
    second = client.get("/incidents", limit=2, cursor=first["next_cursor"]).json()
    last = client.get(first["next"].removeprefix("/api/v1"), cursor=second["next_cursor"]).json()

    pages = [first["items"], second["items"], last["items"]]
    assert [len(items) for items in pages] == [2, 2, 1]
    titles = [i["title"] for items in pages for i in items]
    assert titles == ["案件 00003", "案件 00002", "案件 00001", "案件 00000", incident.title]
    assert first["next"] == f"/api/v1/incidents?limit=2&cursor={first['next_cursor']}"
    assert last["next_cursor"] is None and last["next"] is None


def test_the_next_page_keeps_the_filters(
    api_as: Callable[[User], ApiClient], lead: User, incident: Incident
) -> None:
    _incidents_for(lead, 3, incident.detected_at)
    client = api_as(lead)

    first = client.get("/incidents", limit=1, status="detected").json()

    assert "status=detected" in first["next"]
    rest = client.get("/incidents", status="detected", cursor=first["next_cursor"]).json()
    assert len(first["items"]) + len(rest["items"]) == 4


def test_the_page_size_is_bounded(api_as: Callable[[User], ApiClient], lead: User) -> None:
    client = api_as(lead)

    assert ["query", "limit"] in error_locations(client.get("/incidents", limit=201))
    assert ["query", "limit"] in error_locations(client.get("/incidents", limit=0))
    assert client.get("/incidents", limit=200).status_code == 200


def test_a_cursor_no_page_gave_is_refused(api_as: Callable[[User], ApiClient], lead: User) -> None:
    client = api_as(lead)

    for cursor in ("nonsense", "WyIxIl0", "WyJ4IiwieSIsInoiXQ", "!" * 2000):
        assert ["query", "cursor"] in error_locations(client.get("/incidents", cursor=cursor))


def test_a_site_admin_with_many_incidents_gets_the_default_page(
    api_as: Callable[[User], ApiClient], site_admin: User, outsider: User
) -> None:
    _incidents_for(outsider, 1001, datetime(2026, 1, 1, tzinfo=UTC))
    client = api_as(site_admin)

    first = client.get("/incidents").json()
    assert len(first["items"]) == PAGE_SIZE_DEFAULT
    assert first["items"][0]["title"] == "案件 01000"

    seen = [i["id"] for i in first["items"]]
    cursor = first["next_cursor"]
    while cursor is not None:
        page = client.get("/incidents", limit=PAGE_SIZE_MAX, cursor=cursor).json()
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen)) == 1001


def test_a_deep_page_takes_the_same_queries_as_the_first(
    api_as: Callable[[User], ApiClient], lead: User, incident: Incident
) -> None:
    _incidents_for(lead, 30, incident.detected_at)
    client = api_as(lead)
    first = client.get("/incidents", limit=5).json()

    with CaptureQueriesContext(connection) as at_first:
        client.get("/incidents", limit=5)
    position = first["next_cursor"]
    for _ in range(4):
        position = client.get("/incidents", limit=5, cursor=position).json()["next_cursor"]
    with CaptureQueriesContext(connection) as deep:
        client.get("/incidents", limit=5, cursor=position)

    assert len(deep) == len(at_first)


def test_editing_replaces_the_intake_items_and_moves_the_version_on(
    api_as: Callable[[User], ApiClient], responder: User, incident: Incident
) -> None:
    response = api_as(responder).put(
        f"/incidents/{incident.pk}",
        intake(title="ファイルサーバ暗号化(続報)", types=["ransomware"], version=incident.version),
    )

    assert response.status_code == 200, response.content
    assert response.json()["title"] == "ファイルサーバ暗号化(続報)"
    assert response.json()["version"] == incident.version + 1
    last = incident.actions.order_by("sequence").last()
    assert last is not None
    assert last.kind == "incident.updated"


def test_editing_with_a_stale_version_is_refused_with_409(
    api_as: Callable[[User], ApiClient], lead: User, responder: User, incident: Incident
) -> None:
    stale = incident.version
    api_as(responder).put(f"/incidents/{incident.pk}", intake(version=stale))

    response = api_as(lead).put(f"/incidents/{incident.pk}", intake(title="上書き", version=stale))

    assert response.status_code == 409
    assert "reload" in response.json()["detail"]
    assert response.json()["current_version"] == stale + 1
    incident.refresh_from_db()
    assert incident.title != "上書き"


def test_triage_derives_the_priority_and_starts_the_response(
    api_as: Callable[[User], ApiClient], lead: User, incident: Incident
) -> None:
    response = api_as(lead).post(
        f"/incidents/{incident.pk}/triage",
        {"is_incident": True, "urgency": 3, "impact": 3, "version": incident.version},
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["priority"], body["status"], body["is_incident"]) == (1, "response", True)


def test_triage_as_not_an_incident_needs_a_reason(
    api_as: Callable[[User], ApiClient], lead: User, incident: Incident
) -> None:
    client = api_as(lead)
    url = f"/incidents/{incident.pk}/triage"

    refused = client.post(url, {"is_incident": False, "version": incident.version})
    accepted = client.post(
        url,
        {"is_incident": False, "not_incident_reason": "訓練メール", "version": incident.version},
    )

    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "not_incident_reason"]
    assert accepted.json()["status"] == "not_incident"


def test_triage_with_a_stale_version_is_refused_with_409(
    api_as: Callable[[User], ApiClient], lead: User, incident: Incident
) -> None:
    response = api_as(lead).post(
        f"/incidents/{incident.pk}/triage",
        {"is_incident": True, "urgency": 1, "impact": 1, "version": incident.version - 1},
    )

    assert response.status_code == 409


def test_changing_the_status_records_the_move(
    api_as: Callable[[User], ApiClient], lead: User, incident: Incident
) -> None:
    client = api_as(lead)
    triaged = client.post(
        f"/incidents/{incident.pk}/triage",
        {"is_incident": True, "urgency": 2, "impact": 2, "version": incident.version},
    ).json()

    response = client.post(
        f"/incidents/{incident.pk}/status",
        {
            "status": "reporting",
            "reason": "個人情報保護委員会へ報告",
            "version": triaged["version"],
        },
    )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "reporting"
    last = client.get(f"/incidents/{incident.pk}/actions").json()["items"][-1]
    assert (last["kind"], last["settings"], last["note"]) == (
        "incident.status",
        "response -> reporting",
        "個人情報保護委員会へ報告",
    )


def test_not_an_incident_cannot_be_set_as_a_status(
    api_as: Callable[[User], ApiClient], lead: User, incident: Incident
) -> None:
    response = api_as(lead).post(
        f"/incidents/{incident.pk}/status", {"status": "not_incident", "version": incident.version}
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "status"]
