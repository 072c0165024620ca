"""Hostile values through every write of the API: 422 naming the field, never a 500, and
every page of the incident still renders afterwards (in the API and on the web)."""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.http import HttpResponse
from django.test import Client
from hypothesis import event, given
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase
from tests.properties.hostile import (
    ABSENT,
    BOUNDED,
    assert_pages_render,
    assert_refused_by_field,
    assert_stored_in_bounds,
    hostile_integer,
    hostile_text,
    hostile_time,
    hostile_zone,
    json_body,
    record_state,
    spoiled,
    wrong_type,
)

from hikeshi.accounts.models import ApiToken
from hikeshi.api.routes import api
from hikeshi.incidents.models import ChecklistItem, Incident
from hikeshi.incidents.services.incidents import IncidentInput, open_incident, set_membership
from hikeshi.incidents.vocabulary import Role

BASE = "/api/v1"
TOKYO = ZoneInfo("Asia/Tokyo")
Body = tuple[dict[str, Any], frozenset[str]]


def text() -> st.SearchStrategy[Any]:
    """Return a text field's hostile values: odd texts, other types, or nothing at all."""
    return st.one_of(hostile_text(), wrong_type(), st.just(ABSENT))


def time() -> st.SearchStrategy[Any]:
    """Return a time field's hostile values."""
    return st.one_of(hostile_time(), wrong_type(), st.just(ABSENT))


INTAKE = {
    "title": "不審な通信",
    "detected_at": "2026-11-20T09:30:00+09:00",
    "types": ["ransomware"],
    "time_zone": "Asia/Tokyo",
}
INTAKE_HOSTILE = {
    "title": text(),
    "detected_at": time(),
    "estimated_start": time(),
    "organisation": text(),
    "reporter_contact": text(),
    "what_happened": text(),
    "time_zone": st.one_of(hostile_zone(), wrong_type()),
    "types": st.one_of(st.lists(hostile_text(), max_size=2), wrong_type()),
    "estimated_start_precision": text(),
}


@cache
def request_fields(method: str, path: str) -> frozenset[str]:
    """Return the body fields of a route, as the OpenAPI document describes them."""
    document = api.get_openapi_schema()
    template = "/api/v1" + path.replace("{incident}", "{incident_id}").replace(
        "{item}", "{item_id}"
    )
    body = document["paths"][template][method.lower()]["requestBody"]
    reference = body["content"]["application/json"]["schema"]["$ref"]
    schema = document["components"]["schemas"][reference.rsplit("/", 1)[-1]]
    return frozenset(schema["properties"])


class ApiWritesTest(TestCase):
    """Each test sends one request with generated values, with the lead's API token."""

    lead: User
    incident: Incident
    item_id: int
    token: str

    @classmethod
    def setUpTestData(cls) -> None:
        cls.lead = User.objects.create_user("lead", "lead@example.org", "x" * 20)
        responder = User.objects.create_user("responder", "r@example.org", "x" * 20)
        cls.incident = open_incident(
            cls.lead,
            IncidentInput(
                title="不審なメールの添付ファイルを開いた",
                detected_at=datetime(2026, 11, 21, 10, 15, tzinfo=TOKYO),
                types=[],
            ),
        )
        set_membership(cls.lead, cls.incident.pk, responder, Role.RESPONDER)
        item = ChecklistItem.objects.filter(incident=cls.incident).order_by("position").first()
        assert item is not None
        cls.item_id = item.pk
        _, cls.token = ApiToken.issue(cls.lead, "property tests")

    def _api(self) -> Client:
        return Client(headers={"Authorization": f"Bearer {self.token}"})

    def _send(self, method: str, path: str, drawn: Body) -> HttpResponse:
        """Send the body, check the answer, then every page of the incident.

        A refusal names fields of the request and leaves the record as it was (so every
        page renders as before); after a change, every page must still render, in the API
        and on the web.
        """
        body, spoilt = drawn
        url = BASE + path.format(incident=self.incident.pk, item=self.item_id)
        before = record_state()
        response = self._api().generic(
            method, url, json_body(body), content_type="application/json"
        )
        event(f"answered {response.status_code}")  # see --hypothesis-show-statistics
        if response.status_code >= 300:
            assert_refused_by_field(response)
            if response.status_code == 422:
                # A rule across fields may name one that was not sent ("say why this is
                # not an incident"), but always one the request has.
                named = {error["loc"][1] for error in json.loads(response.content)["detail"]}
                assert named <= request_fields(method, path), (named, spoilt)
            assert record_state() == before, "a refused request changed the record"
        elif record_state() != before:
            self._assert_everything_renders()
        return response

    def _assert_everything_renders(self) -> None:
        api = self._api()
        for path in ("/incidents", "/incidents/{incident}", "/incidents/{incident}/timeline"):
            url = BASE + path.format(incident=self.incident.pk)
            assert api.get(url).status_code == 200, url
        self.client.force_login(self.lead)
        for incident in Incident.objects.all():
            assert_pages_render(self.client, incident.pk)
        assert_stored_in_bounds()

    def _version(self) -> int:
        return Incident.objects.get(pk=self.incident.pk).version

    @BOUNDED
    @given(spoiled(INTAKE, INTAKE_HOSTILE))
    def test_opening_an_incident(self, drawn: Body) -> None:
        self._send("POST", "/incidents", drawn)

    @BOUNDED
    @given(
        spoiled(
            INTAKE,
            {**INTAKE_HOSTILE, "version": st.one_of(hostile_integer(), wrong_type())},
        )
    )
    def test_editing_an_incident(self, drawn: Body) -> None:
        body, spoilt = drawn
        self._send("PUT", "/incidents/{incident}", ({"version": self._version(), **body}, spoilt))

    @BOUNDED
    @given(
        spoiled(
            {"is_incident": True, "urgency": 3, "impact": 2},
            {
                "is_incident": st.one_of(st.booleans(), wrong_type()),
                "urgency": st.one_of(hostile_integer(), wrong_type()),
                "impact": st.one_of(hostile_integer(), wrong_type()),
                "not_incident_reason": text(),
            },
        ),
        spoiled(
            {"status": "response", "reason": ""},
            {"status": st.one_of(hostile_text(), wrong_type()), "reason": text()},
        ),
    )
    def test_triage_and_status(self, triage: Body, move: Body) -> None:
        body, spoilt = triage
        self._send(
            "POST", "/incidents/{incident}/triage", ({**body, "version": self._version()}, spoilt)
        )
        body, spoilt = move
        self._send(
            "POST", "/incidents/{incident}/status", ({**body, "version": self._version()}, spoilt)
        )

    @BOUNDED
    @given(
        spoiled(
            {"what": "PC-01 を隔離", "performed_at": "2026-11-20T10:15:00+09:00"},
            {
                "what": text(),
                "performed_at": time(),
                "scope": text(),
                "settings": text(),
                "note": text(),
                "corrects": st.one_of(hostile_integer(), wrong_type()),
            },
            most=3,
        )
    )
    def test_recording_an_action(self, drawn: Body) -> None:
        self._send("POST", "/incidents/{incident}/actions", drawn)

    @BOUNDED
    @given(
        spoiled(
            {"occurred_at": "2026-11-20T08:55:00+09:00", "description": "最初の暗号化ファイル"},
            {
                "occurred_at": time(),
                "description": text(),
                "precision": text(),
                "source": text(),
                "device": text(),
            },
            most=3,
        )
    )
    def test_adding_a_timeline_event(self, drawn: Body) -> None:
        self._send("POST", "/incidents/{incident}/timeline", drawn)

    @BOUNDED
    @given(
        spoiled(
            {"performed_at": "2026-11-20T10:15:00+09:00", "scope": "PC-01", "settings": "退避"},
            {"performed_at": time(), "scope": text(), "settings": text(), "note": text()},
        ),
        spoiled({"reason": "該当する機器がない"}, {"reason": text()}),
        spoiled({"text": "検体は保全済み"}, {"text": text()}),
        spoiled({"username": "responder"}, {"username": text()}),
    )
    def test_working_on_a_checklist_item(
        self, done: Body, not_applicable: Body, comment: Body, assignee: Body
    ) -> None:
        item = "/incidents/{incident}/checklist/{item}"
        self._send("POST", item + "/done", done)
        self._send("POST", item + "/not-applicable", not_applicable)
        self._send("POST", item + "/comments", comment)
        self._send("POST", item + "/assign", assignee)

    @BOUNDED
    @given(
        spoiled(
            {"username": "responder", "role": "viewer"},
            {"username": text(), "role": text(), "affiliation": text()},
        ),
        spoiled(
            {"guidance_contact": "jpcert_incident_response"},
            {"guidance_contact": text(), "reason": text()},
        ),
    )
    def test_members_and_contacts(self, member: Body, contact: Body) -> None:
        self._send("POST", "/incidents/{incident}/members", member)
        self._send("POST", "/incidents/{incident}/contacts", contact)

    @BOUNDED
    @given(
        page=st.one_of(hostile_integer().map(str), hostile_text(surrogates=False)),
        page_size=st.one_of(hostile_integer().map(str), st.just("50")),
        group=hostile_text(surrogates=False),
        key=hostile_text(surrogates=False),
    )
    def test_reading_with_hostile_queries(
        self, page: str, page_size: str, group: str, key: str
    ) -> None:
        api = self._api()
        base = f"{BASE}/incidents/{self.incident.pk}"
        for response in (
            api.get(f"{base}/timeline", {"cursor": page, "limit": page_size}),
            api.get(f"{base}/actions", {"cursor": page, "limit": page_size}),
            api.get(f"{BASE}/incidents", {"cursor": page, "limit": page_size}),
            api.get(f"{base}/checklist", {"cursor": page, "limit": page_size}),
            api.get(f"{base}/checklist", {"group": group, "assignee": key}),
            api.get(f"{base}/checklist/by-key/{quote(key, safe='')}"),
        ):
            assert response.status_code in (200, 404, 422), response.content[:500]
            if response.status_code == 422:
                assert_refused_by_field(response)


def test_a_page_past_the_deepest_is_refused_by_name(
    client: Client, lead: User, incident: Incident
) -> None:
    _, token = ApiToken.issue(lead, "tests")
    api = Client(headers={"Authorization": f"Bearer {token}"})
    base = f"{BASE}/incidents/{incident.pk}"

    deep = api.get(f"{base}/checklist", {"limit": "99999999999999999"})
    forged = api.get(f"{base}/timeline", {"cursor": "99999999999999999"})

    assert deep.status_code == 422
    assert deep.json()["detail"][0]["loc"] == ["query", "limit"]
    assert forged.status_code == 422
    assert forged.json()["detail"][0]["loc"] == ["query", "cursor"]
