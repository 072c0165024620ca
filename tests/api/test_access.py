"""Who may do what: outsiders get 404 everywhere, viewers read only, leads manage members."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.contrib.auth.models import User
from tests.api.conftest import BASE, ApiClient, concrete, valid_bodies

from hikeshi.api.routes import api
from hikeshi.incidents.models import Incident

WRITE_METHODS = {"post", "put", "patch", "delete"}


def incident_routes() -> Iterator[tuple[str, str]]:
    """Yield (method, path) for every route about one incident, from the OpenAPI document."""
    for full_path, operations in api.get_openapi_schema()["paths"].items():
        if "{incident_id}" not in full_path:
            continue
        for method in operations:
            yield method, full_path.removeprefix(BASE)


def test_the_route_list_covers_every_kind_of_incident_route() -> None:
    paths = {path for _, path in incident_routes()}

    assert {
        "/incidents/{incident_id}",
        "/incidents/{incident_id}/actions/{action_id}",
        "/incidents/{incident_id}/timeline/export",
        "/incidents/{incident_id}/members",
        "/incidents/{incident_id}/checklist/{item_id}/done",
        "/incidents/{incident_id}/checklist/by-key/{key}",
        "/incidents/{incident_id}/contacts",
    } <= paths


def test_every_route_with_a_body_has_a_valid_sample_in_the_tests(incident: Incident) -> None:
    # A new write route must add its body to valid_bodies, or the access tests skip it.
    samples = valid_bodies(incident)
    writes = {(m, p) for m, p in incident_routes() if m in WRITE_METHODS}

    assert writes == set(samples)


@pytest.mark.parametrize(("method", "path"), sorted(incident_routes()))
def test_an_outsider_gets_404_on_every_incident_route(
    api_as: Callable[[User], ApiClient],
    outsider: User,
    incident: Incident,
    method: str,
    path: str,
) -> None:
    body = valid_bodies(incident).get((method, path))
    client = api_as(outsider)
    if "{job_id}" in path:
        from hikeshi.jobs.models import Job
        from hikeshi.jobs.vocabulary import JobKind

        # A job that exists: the 404 must come from the access check, not from a missing id.
        Job.objects.create(kind=JobKind.TIMELINE_IMPORT, incident=incident)
    before = incident.audit_length

    response = client.call(method, concrete(path, incident.pk), body)

    assert response.status_code == 404, response.content
    assert response.json() == {"detail": "Not Found"}
    incident.refresh_from_db()
    assert incident.audit_length == before


@pytest.mark.parametrize(("method", "path"), sorted(incident_routes()))
def test_an_existing_incident_looks_like_a_missing_one_to_an_outsider(
    api_as: Callable[[User], ApiClient],
    outsider: User,
    incident: Incident,
    method: str,
    path: str,
) -> None:
    body = valid_bodies(incident).get((method, path))
    client = api_as(outsider)

    existing = client.call(method, concrete(path, incident.pk), body)
    missing = client.call(method, concrete(path, incident.pk + 1000), body)

    assert (existing.status_code, existing.content) == (missing.status_code, missing.content)


@pytest.mark.parametrize(
    ("method", "path"), sorted(r for r in incident_routes() if r[0] in WRITE_METHODS)
)
def test_a_viewer_gets_403_on_every_write(
    api_as: Callable[[User], ApiClient],
    viewer: User,
    outsider: User,
    incident: Incident,
    method: str,
    path: str,
) -> None:
    before = incident.audit_length

    response = api_as(viewer).call(
        method, concrete(path, incident.pk), valid_bodies(incident)[(method, path)]
    )

    assert response.status_code == 403, response.content
    assert response.json()["detail"]
    incident.refresh_from_db()
    assert incident.audit_length == before


@pytest.mark.parametrize(("method", "path"), sorted(incident_routes()))
def test_a_site_admin_may_use_every_incident_route(
    api_as: Callable[[User], ApiClient],
    site_admin: User,
    outsider: User,
    incident: Incident,
    method: str,
    path: str,
) -> None:
    body = valid_bodies(incident).get((method, path))
    if "{job_id}" in path:
        from hikeshi.jobs.models import Job
        from hikeshi.jobs.vocabulary import JobKind

        Job.objects.create(kind=JobKind.TIMELINE_IMPORT, incident=incident)

    response = api_as(site_admin).call(method, concrete(path, incident.pk), body)

    # 202: an import is accepted as a background job.
    assert response.status_code in {200, 201, 202}, response.content


def test_a_viewer_reads_the_incident(
    api_as: Callable[[User], ApiClient], viewer: User, incident: Incident
) -> None:
    client = api_as(viewer)

    assert client.get(f"/incidents/{incident.pk}").status_code == 200
    assert client.get(f"/incidents/{incident.pk}/timeline").status_code == 200


def test_a_responder_cannot_change_the_members(
    api_as: Callable[[User], ApiClient], responder: User, outsider: User, incident: Incident
) -> None:
    response = api_as(responder).post(
        f"/incidents/{incident.pk}/members", {"username": "outsider", "role": "lead"}
    )

    assert response.status_code == 403
    assert "lead" in response.json()["detail"]


def test_only_site_admins_may_verify_the_audit_chains(
    api_as: Callable[[User], ApiClient], lead: User, site_admin: User, incident: Incident
) -> None:
    assert api_as(lead).get("/audit/verify").status_code == 403
    assert api_as(site_admin).get("/audit/verify").status_code == 200


@pytest.mark.parametrize(
    ("method", "path"), sorted(r for r in incident_routes() if r[0] in WRITE_METHODS)
)
def test_an_outsider_gets_404_whatever_the_body_says(
    api_as: Callable[[User], ApiClient],
    outsider: User,
    incident: Incident,
    method: str,
    path: str,
) -> None:
    # Membership is checked before the body is read: a 422 would confirm the incident.
    client = api_as(outsider)

    empty = client.call(method, concrete(path, incident.pk))
    wrong = client.call(method, concrete(path, incident.pk), {"version": "not a number"})

    assert (empty.status_code, wrong.status_code) == (404, 404)


def test_a_viewer_is_refused_before_the_body_is_checked(
    api_as: Callable[[User], ApiClient], viewer: User, incident: Incident
) -> None:
    response = api_as(viewer).put(f"/incidents/{incident.pk}", {"title": ""})

    assert response.status_code == 403
