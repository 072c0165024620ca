"""Every page and API route under an incident answers 404 to a person who is not a member.

The routes are enumerated from the URL configuration, so a route added without the access
check fails here. Routes that are not about one incident must be listed in OPEN_ROUTES, or
in SITE_ADMIN_ROUTES when only site administrators may reach them (everyone else gets 404).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from hikeshi.accounts.models import ApiToken
from hikeshi.incidents.models import Incident
from hikeshi.incidents.services.timeline import add_event
from hikeshi.jobs.models import Job
from hikeshi.jobs.vocabulary import JobKind

# Routes that do not name an incident: each is either public (login) or filters by member.
OPEN_ROUTES = {
    "",
    "login/",
    "logout/",
    "login/code/",
    "preferences/",
    "preferences/language/",
    "preferences/password/",
    "preferences/password/done/",
    "preferences/two-factor/",
    "preferences/two-factor/disable/",
    "preferences/two-factor/recovery-codes/",
    "preferences/tokens/",
    # Only the owner's own tokens (another person's token id answers 404: test_api_tokens_page).
    "preferences/tokens/<int:token_id>/revoke/",
    "i18n/setlang/",
    "incidents/",
    "incidents/new/",
    "consult/",
    "contacts/",
    "api/v1/",
    "api/v1/openapi.json",
    "api/v1/docs",
    "api/v1/incidents",
    "api/v1/audit/verify",
    "api/v1/contacts",
    "api/v1/guidance",
    "api/v1/guidance/items/<number>",
    "api/v1/guidance/incident-types",
    "api/v1/guidance/contacts",
    "api/v1/guidance/consultation/walk",
}
# Pages for site administrators only: they name no incident, and everyone else gets 404.
SITE_ADMIN_ROUTES = {
    "site-log/",
    "accounts/lockouts/",
    "accounts/lockouts/clear/",
    "accounts/two-factor/",
    "accounts/two-factor/<int:user_id>/reset/",
}
# The admin site has its own staff-only gate (tested below), not per-incident membership.
SKIPPED_PREFIXES = ("admin/", "static/")
PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
METHODS = ("get", "post", "put", "patch", "delete")


def _routes(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[str]:
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, route)
        else:
            yield route


def _all_routes() -> list[str]:
    return sorted(set(_routes(get_resolver().url_patterns)))


def _fill(route: str, values: dict[str, int | str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match["name"]
        if name not in values:
            pytest.fail(
                f"route {route!r} has a parameter {name!r} this test cannot fill: incident "
                "routes must use <int:incident_id>; add a value for other ids in _values()"
            )
        return str(values[name])

    return PARAMETER.sub(value, route)


def _values(incident: Incident, lead: User, responder: User) -> dict[str, int | str]:
    event = add_event(
        lead,
        incident.pk,
        occurred_at=datetime(2026, 11, 20, 9, 0, tzinfo=ZoneInfo("Asia/Tokyo")),
        description="脅迫文を確認",
    )
    action = incident.actions.order_by("sequence").first()
    assert action is not None
    return {
        "incident_id": incident.pk,
        "action_id": action.pk,
        "event_id": event.pk,
        "user_id": responder.pk,
        "member_id": responder.pk,
        "item_id": incident.checklist.get(key="matrix:28").pk,
        "key": 28,  # the by-key routes take a matrix number or a key
        # A panel every member sees (the panel routes answer a non-member 404 before
        # looking the panel up).
        "panel_key": "summary",
        # A job of the incident (the jobs routes); made directly, no worker needs to run it.
        "job_id": Job.objects.create(kind=JobKind.TIMELINE_IMPORT, incident=incident).pk,
    }


def _statuses(client: Client, path: str, headers: dict[str, str]) -> dict[str, int]:
    return {m: getattr(client, m)(path, headers=headers).status_code for m in METHODS}


@pytest.mark.django_db
def test_every_incident_route_answers_404_to_an_outsider(
    incident: Incident, lead: User, responder: User, outsider: User
) -> None:
    values = _values(incident, lead, responder)
    missing = dict(values, incident_id=incident.pk + 10_000)
    _, token = ApiToken.issue(outsider, "outsider")
    client = Client()
    client.force_login(outsider)
    checked = []
    for route in _all_routes():
        if route.startswith(SKIPPED_PREFIXES):
            continue
        if route in SITE_ADMIN_ROUTES:
            path = "/" + _fill(route, values)
            headers = {"authorization": f"Bearer {token}"} if route.startswith("api/") else {}
            statuses = _statuses(client, path, headers)
            assert set(statuses.values()) == {404}, f"{path}: an outsider got {statuses}"
            checked.append(route)
            continue
        if "incident_id" not in route:
            assert route in OPEN_ROUTES, (
                f"route {route!r} names no incident: if it shows incident data it must be "
                "under <int:incident_id> with the membership check; otherwise add it to "
                "OPEN_ROUTES in this test"
            )
            continue
        path = "/" + _fill(route, values)
        headers = {"authorization": f"Bearer {token}"} if route.startswith("api/") else {}
        statuses = _statuses(client, path, headers)
        unexpected = {m: s for m, s in statuses.items() if s not in (404, 405)}
        assert not unexpected, f"{path}: an outsider got {unexpected} (want 404)"
        assert 404 in statuses.values(), f"{path}: no method answered 404: {statuses}"
        # And the answer is the same as for an incident that does not exist at all.
        assert statuses == _statuses(client, "/" + _fill(route, missing), headers), path
        checked.append(route)
    assert len(checked) >= 8, f"too few incident routes found to be a real check: {checked}"


@pytest.mark.django_db
def test_members_reach_the_incident_page_and_outsiders_do_not(
    incident: Incident, responder: User, outsider: User
) -> None:
    client = Client()
    client.force_login(responder)
    assert client.get(f"/incidents/{incident.pk}/").status_code == 200
    client.force_login(outsider)
    assert client.get(f"/incidents/{incident.pk}/").status_code == 404


@pytest.mark.django_db
def test_the_incident_list_shows_outsiders_nothing(incident: Incident, outsider: User) -> None:
    client = Client()
    client.force_login(outsider)
    page = client.get("/incidents/")
    assert page.status_code == 200
    assert incident.title not in page.content.decode()


@pytest.mark.django_db
def test_admin_site_turns_away_non_staff(incident: Incident, outsider: User) -> None:
    client = Client()
    client.force_login(outsider)
    response = client.get("/admin/incidents/incident/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
