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
    api_as: Callable[[User], ApiClient], lead: User, incident: Incident
) -> None:
    response = api_as(lead).post(
        f"/incidents/{incident.pk}/triage", {"is_incident": False, "version": incident.version}
    )

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "loc": ["body", "not_incident_reason"],
                "msg": "say why this is not an incident",
                "type": "value_error",
            }
        ]
    }


def test_a_value_out_of_bounds_answers_in_the_same_shape(
    api_as: Callable[[User], ApiClient], lead: User
) -> None:
    response = api_as(lead).post("/incidents", intake(time_zone="Mars/Olympus_Mons"))

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "loc": ["body", "time_zone"],
                "msg": "not a time zone name (expected e.g. Asia/Tokyo or UTC)",
                "type": "out_of_bounds",
            }
        ]
    }


def test_the_probes_findings_are_refused_by_field(
    api_as: Callable[[User], ApiClient], lead: User, incident: Incident
) -> None:
    api = api_as(lead)
    refused = {
        "detected_at": intake(detected_at="9999-12-31T23:59:59+00:00"),
        "time_zone": intake(time_zone="localtime"),
        "title": intake(title="a\x00b"),
        "what_happened": intake(what_happened="\ud800"),
        "reporter": intake(reporter="r" * 201),
    }
    for name, body in refused.items():
        assert error_locations(api.post("/incidents", body)) == [["body", name]], name
    event = {"occurred_at": "2026-11-20T08:55:00+09:00", "description": "x", "source": "s" * 201}
    response = api.post(f"/incidents/{incident.pk}/timeline", event)
    assert error_locations(response) == [["body", "source"]]
    assert response.json()["detail"][0]["msg"] == "at most 200 characters (this has 201)"
    action = {"what": "x", "performed_at": "0001-01-01T00:00:00+00:00"}
    response = api.post(f"/incidents/{incident.pk}/actions", action)
    assert error_locations(response) == [["body", "performed_at"]]


def test_a_number_is_not_taken_for_a_time(api_as: Callable[[User], ApiClient], lead: User) -> None:
    # pydantic alone would read 253402300800 as milliseconds: 1978-01-11.
    response = api_as(lead).post("/incidents", intake(detected_at=253402300800))

    assert error_locations(response) == [["body", "detected_at"]]


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
