"""Invalid input answers 422 naming the fields, in one shape whichever layer refused it."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import User
from tests.api.conftest import ApiClient, error_locations, intake

from hikeshi.incidents.models import Incident


def test_a_missing_title_is_named(api_as: Callable[[User], ApiClient], lead: User) -> None:
    body = intake()
    del body["title"]

    assert error_locations(api_as(lead).post("/incidents", body)) == [["body", "title"]]


def test_an_empty_title_is_named(api_as: Callable[[User], ApiClient], lead: User) -> None:
    assert error_locations(api_as(lead).post("/incidents", intake(title=""))) == [["body", "title"]]


def test_an_unknown_incident_type_is_named(api_as: Callable[[User], ApiClient], lead: User) -> None:
    response = api_as(lead).post("/incidents", intake(types=["ransomware", "alien_invasion"]))

    assert error_locations(response) == [["body", "types", 1]]
    assert "ransomware" in response.json()["detail"][0]["msg"]  # says what is allowed


def test_a_time_without_an_offset_is_refused(
    api_as: Callable[[User], ApiClient], lead: User
) -> None:
    response = api_as(lead).post("/incidents", intake(detected_at="2026-11-21T10:15:00"))

    assert error_locations(response) == [["body", "detected_at"]]
    assert response.json()["detail"][0]["type"] == "timezone_aware"


def test_every_invalid_field_is_named_at_once(
    api_as: Callable[[User], ApiClient], lead: User
) -> None:
    response = api_as(lead).post(
        "/incidents", {"detected_at": "2026-11-21", "estimated_start_precision": "roughly"}
    )

    assert sorted(map(str, error_locations(response))) == sorted(
        map(
            str, [["body", "title"], ["body", "detected_at"], ["body", "estimated_start_precision"]]
        )
    )


def test_a_rule_of_the_services_answers_in_the_same_shape(
    api_as: Callable[[User], ApiClient], lead: User
) -> None:
    response = api_as(lead).post("/incidents", intake(time_zone="Mars/Olympus_Mons"))

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "loc": ["body", "time_zone"],
                "msg": "unknown time zone 'Mars/Olympus_Mons'",
                "type": "value_error",
            }
        ]
    }


def test_an_edit_without_a_version_is_refused(
    api_as: Callable[[User], ApiClient], lead: User, incident: Incident
) -> None:
    response = api_as(lead).put(f"/incidents/{incident.pk}", intake())

    assert error_locations(response) == [["body", "version"]]


def test_triage_urgency_must_be_on_the_scale(
    api_as: Callable[[User], ApiClient], lead: User, incident: Incident
) -> None:
    response = api_as(lead).post(
        f"/incidents/{incident.pk}/triage",
        {"is_incident": True, "urgency": 5, "impact": 2, "version": incident.version},
    )

    assert error_locations(response) == [["body", "urgency"]]


def test_an_unknown_filter_value_is_named(api_as: Callable[[User], ApiClient], lead: User) -> None:
    response = api_as(lead).get("/incidents", status="on_fire")

    assert error_locations(response) == [["query", "status"]]


def test_a_body_that_is_not_json_is_refused(
    api_as: Callable[[User], ApiClient], lead: User
) -> None:
    response = api_as(lead).client.post(
        "/api/v1/incidents", "title=x", content_type="application/json"
    )

    assert response.status_code in {400, 422}


def test_refused_input_writes_nothing(
    api_as: Callable[[User], ApiClient], lead: User, incident: Incident
) -> None:
    before = (Incident.objects.count(), incident.audit_length)

    api_as(lead).post("/incidents", intake(detected_at="2026-11-21T10:15:00"))
    api_as(lead).post(f"/incidents/{incident.pk}/actions", {"what": ""})

    incident.refresh_from_db()
    assert (Incident.objects.count(), incident.audit_length) == before
