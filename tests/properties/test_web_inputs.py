"""Hostile values through every form of the pages: 400 with the error on the field, never
a 500, and every page of the incident still renders afterwards."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from hypothesis import event, given
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase
from tests.properties.hostile import (
    ABSENT,
    BOUNDED,
    assert_pages_render,
    assert_stored_in_bounds,
    assert_web_refusal,
    hostile_integer,
    hostile_text,
    hostile_time,
    hostile_zone,
    record_state,
    spoiled,
)

from hikeshi.incidents.models import ActionRecord, ChecklistItem, Incident
from hikeshi.incidents.services.incidents import IncidentInput, open_incident, set_membership
from hikeshi.incidents.vocabulary import Level, Role

PASSWORD = "correct horse battery staple"
TOKYO = ZoneInfo("Asia/Tokyo")
# What a form field may carry: anything a browser can send (never a lone surrogate), or
# nothing at all.
FORM_TEXT = st.one_of(hostile_text(surrogates=False), st.just(ABSENT))


Form = tuple[dict[str, Any], frozenset[str]]
INTAKE = {
    "title": "不審な通信",
    "types": ["ransomware"],
    "detected_at": "2026-11-20T09:30",
    "estimated_start_precision": "about",
    "time_zone": "Asia/Tokyo",
}
INTAKE_HOSTILE = {
    "title": FORM_TEXT,
    "organisation": FORM_TEXT,
    "reporter": FORM_TEXT,
    "location": FORM_TEXT,
    "what_happened": FORM_TEXT,
    "detected_at": hostile_time(),
    "estimated_start": hostile_time(),
    "time_zone": hostile_zone(),
    "types": st.lists(st.sampled_from(["ransomware", "insider", "alien", ""]), max_size=2),
}


class WebFormsTest(TestCase):
    """Each test posts one form with generated values, as the incident's lead."""

    lead: User
    incident: Incident
    item_id: int
    action_id: int

    @classmethod
    def setUpTestData(cls) -> None:
        cls.lead = User.objects.create_user("lead", "lead@example.org", PASSWORD)
        responder = User.objects.create_user("responder", "responder@example.org", PASSWORD)
        cls.incident = open_incident(
            cls.lead,
            IncidentInput(
                title="ファイルサーバのランサムウェア感染",
                detected_at=datetime(2026, 11, 20, 9, 30, tzinfo=TOKYO),
                # No type: the shortest checklist, so that each example stays quick.
                types=[],
            ),
        )
        set_membership(cls.lead, cls.incident.pk, responder, Role.RESPONDER)
        item = ChecklistItem.objects.filter(incident=cls.incident).order_by("position").first()
        assert item is not None
        cls.item_id = item.pk
        action = ActionRecord.objects.filter(incident=cls.incident).order_by("sequence").first()
        assert action is not None
        cls.action_id = action.pk

    def _post(self, url: str, data: dict[str, Any]) -> HttpResponse:
        """Post the form as the lead, then check the answer and every page of the incident.

        A refusal (400 with the error on its field, or 409 for a stale version) must leave
        the record as it was; after a change, every page must still render.
        """
        self.client.force_login(self.lead)
        before = record_state()
        response = self.client.post(url, data)
        event(f"answered {response.status_code}")  # see --hypothesis-show-statistics
        assert response.status_code < 500, response.content[:2000]
        if response.status_code != 302:
            if response.status_code != 409:
                assert_web_refusal(response)
            assert record_state() == before, "a refused form changed the record"
            return response
        for incident in Incident.objects.all():
            assert_pages_render(self.client, incident.pk)
        assert_stored_in_bounds()
        return response

    def _post_to(self, name: str, data: dict[str, Any], **kwargs: int) -> HttpResponse:
        url = reverse(f"incidents:{name}", kwargs={"incident_id": self.incident.pk, **kwargs})
        return self._post(url, data)

    def _version(self) -> int:
        return Incident.objects.get(pk=self.incident.pk).version

    @BOUNDED
    @given(spoiled(INTAKE, INTAKE_HOSTILE))
    def test_opening_an_incident(self, drawn: Form) -> None:
        self._post(reverse("incidents:new"), drawn[0])

    @BOUNDED
    @given(
        spoiled(
            INTAKE, {**INTAKE_HOSTILE, "version": st.one_of(hostile_integer().map(str), FORM_TEXT)}
        )
    )
    def test_editing_the_incident(self, drawn: Form) -> None:
        self._post_to("edit", {"version": str(self._version()), **drawn[0]})

    @BOUNDED
    @given(
        spoiled(
            {"is_incident": "yes", "urgency": "3", "impact": "2"},
            {
                "is_incident": st.sampled_from(["yes", "no", "", "maybe"]),
                "urgency": st.one_of(
                    st.sampled_from([str(level.value) for level in Level]), FORM_TEXT
                ),
                "impact": st.one_of(
                    st.sampled_from([str(level.value) for level in Level]), FORM_TEXT
                ),
                "not_incident_reason": FORM_TEXT,
            },
        )
    )
    def test_triage(self, drawn: Form) -> None:
        self._post_to("triage", {"version": str(self._version()), **drawn[0]})

    @BOUNDED
    @given(
        spoiled(
            {"what": "PC-01 を隔離", "performed_at": "2026-11-20T10:15"},
            {
                "what": FORM_TEXT,
                "performed_at": hostile_time(),
                "scope": FORM_TEXT,
                "settings": FORM_TEXT,
                "note": FORM_TEXT,
            },
            most=3,
        ),
        st.booleans(),
    )
    def test_recording_an_action(self, drawn: Form, correcting: bool) -> None:
        if correcting:
            self._post_to("correct_action", drawn[0], action_id=self.action_id)
        else:
            self._post_to("actions", drawn[0])

    @BOUNDED
    @given(
        spoiled(
            {
                "occurred_at": "2026-11-20T08:55",
                "description": "最初の暗号化ファイル",
                "precision": "exact",
            },
            {
                "occurred_at": hostile_time(),
                "description": FORM_TEXT,
                "precision": st.sampled_from(["exact", "about", "day", "", "roughly"]),
                "source": FORM_TEXT,
                "device": FORM_TEXT,
            },
            most=3,
        )
    )
    def test_adding_a_timeline_event(self, drawn: Form) -> None:
        self._post_to("add_event", drawn[0])

    @BOUNDED
    @given(
        spoiled(
            {"performed_at": "2026-11-20T10:15", "scope": "PC-01", "settings": "検体を退避"},
            {
                "performed_at": hostile_time(),
                "scope": FORM_TEXT,
                "settings": FORM_TEXT,
                "note": FORM_TEXT,
            },
        )
    )
    def test_marking_an_item_done(self, drawn: Form) -> None:
        self._post_to("checklist_done", drawn[0], item_id=self.item_id)

    @BOUNDED
    @given(st.sampled_from(["checklist_not_applicable", "checklist_comment"]), FORM_TEXT)
    def test_not_applicable_and_comments(self, route: str, value: str) -> None:
        name = "reason" if route == "checklist_not_applicable" else "text"
        self._post_to(route, {name: value}, item_id=self.item_id)

    @BOUNDED
    @given(
        spoiled(
            {"username": "responder", "role": "viewer"},
            {
                "username": FORM_TEXT,
                "role": st.one_of(st.sampled_from([*Role.values, ""]), FORM_TEXT),
                "affiliation": FORM_TEXT,
            },
        )
    )
    def test_adding_a_member(self, drawn: Form) -> None:
        self._post_to("add_member", drawn[0])

    @BOUNDED
    @given(
        page=st.one_of(hostile_integer().map(str), FORM_TEXT),
        parameter=st.sampled_from(
            ["after", "before", "at", "last", "timeline_action", "timeline_event"]
        ),
    )
    def test_paging_never_breaks_a_page(self, page: str, parameter: str) -> None:
        self.client.force_login(self.lead)
        listed = self.client.get(reverse("incidents:list"), {"page": page})
        assert listed.status_code == 200
        kwargs = {"incident_id": self.incident.pk}
        for name in ("timeline", "actions"):
            url = reverse(f"incidents:{name}", kwargs=kwargs)
            assert self.client.get(url, {parameter: page}).status_code == 200


def test_the_new_incident_form_offers_only_zones_hikeshi_takes(client: Client, lead: User) -> None:
    client.force_login(lead)
    page = client.get(reverse("incidents:new")).content.decode()

    assert 'value="Asia/Tokyo"' in page
    for name in ("localtime", "posixrules", "Factory", "Etc/GMT+9", "posix/Asia/Tokyo"):
        assert f'value="{name}"' not in page


def test_a_time_outside_the_range_is_refused_on_its_field_in_japanese(
    client: Client, lead: User, incident: Incident
) -> None:
    client.force_login(lead)
    url = reverse("incidents:add_event", kwargs={"incident_id": incident.pk})
    response = client.post(
        url, {"occurred_at": "9999-12-31T23:59", "precision": "exact", "description": "x"}
    )

    assert response.status_code == 400
    errors = response.context["event_form"].errors
    assert list(errors) == ["occurred_at"]
    assert "1970-01-01" in errors["occurred_at"][0]
    assert "日時" in errors["occurred_at"][0]


def test_a_control_character_is_refused_on_its_field(client: Client, lead: User) -> None:
    client.force_login(lead)
    response = client.post(
        reverse("incidents:new"),
        {
            "title": "ok",
            "organisation": "株式会社\x01サンプル",
            "detected_at": "2026-11-20T09:30",
            "estimated_start_precision": "about",
            "time_zone": "Asia/Tokyo",
        },
    )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["organisation"]
