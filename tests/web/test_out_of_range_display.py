"""Values stored before the bounds existed (or edited in the database) never break a page:
a time no zone can show is shown in UTC with a note, an unknown zone falls back to UTC."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.urls import reverse

from hikeshi.accounts.models import ApiToken
from hikeshi.incidents.models import ActionRecord, ChecklistItem, Incident, TimelineEvent
from hikeshi.incidents.services.actions import ActionInput, append_action
from hikeshi.incidents.services.checklist import mark_done
from hikeshi.incidents.services.timeline import add_event

FAR_FUTURE = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
FAR_PAST = datetime(1, 1, 1, tzinfo=UTC)


def _store(
    model: type[ActionRecord | TimelineEvent | Incident | ChecklistItem], pk: int, **values: object
) -> None:
    """Write values straight into the table, past the services (action records refuse
    updates through the ORM, so this goes through SQL for every model alike)."""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(f"{connection.ops.quote_name(name)} = %s" for name in values)
    # Each value as its column stores it (SQLite keeps times as text in Django's format).
    stored = [
        model._meta.get_field(name).get_db_prep_save(value, connection)
        for name, value in values.items()
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {columns} WHERE id = %s", [*stored, pk])


@pytest.fixture
def damaged(lead: User, incident: Incident) -> Incident:
    """The shared incident with every kind of time out of range and a zone far west."""
    event = add_event(
        lead, incident.pk, occurred_at=datetime(2026, 11, 20, tzinfo=UTC), description="x"
    )
    action = append_action(incident.pk, lead, ActionInput(what="PC-01 を隔離"))
    item = ChecklistItem.objects.filter(incident=incident).first()
    assert item is not None
    mark_done(
        lead,
        incident.pk,
        item.pk,
        performed_at=datetime(2026, 11, 20, tzinfo=UTC),
        scope="PC-01",
        settings="隔離",
    )
    _store(TimelineEvent, event.pk, occurred_at=FAR_FUTURE)
    _store(ActionRecord, action.pk, performed_at=FAR_PAST)
    _store(ChecklistItem, item.pk, performed_at=FAR_PAST)
    _store(
        Incident,
        incident.pk,
        detected_at=FAR_FUTURE,
        estimated_start=FAR_PAST,
        time_zone="America/Los_Angeles",
    )
    incident.refresh_from_db()
    return incident


def _pages(incident: Incident) -> list[str]:
    kwargs = {"incident_id": incident.pk}
    action = ActionRecord.objects.filter(incident=incident, performed_at=FAR_PAST).first()
    assert action is not None
    return [
        reverse("incidents:list"),
        reverse("incidents:detail", kwargs=kwargs),
        reverse("incidents:checklist", kwargs=kwargs),
        reverse("incidents:edit", kwargs=kwargs),
        reverse("incidents:correct_action", kwargs={**kwargs, "action_id": action.pk}),
        reverse("incidents:export_csv", kwargs=kwargs),
        reverse("incidents:export_jsonl", kwargs=kwargs),
    ]


def test_every_page_renders_times_no_zone_can_show(
    lead_client: Client, site_admin: User, damaged: Incident
) -> None:
    for url in _pages(damaged):
        response = lead_client.get(url)
        assert response.status_code == 200, url
        if response.streaming:
            b"".join(response.streaming_content)  # type: ignore[attr-defined]  # streamed
    admin = Client()
    admin.force_login(site_admin)
    listed = admin.get(reverse("incidents:list")).content.decode()
    assert "9999-12-31 23:59 UTC" in listed


def test_an_out_of_range_time_is_shown_in_utc_with_a_note(
    lead_client: Client, damaged: Incident
) -> None:
    page = lead_client.get(reverse("incidents:detail", kwargs={"incident_id": damaged.pk}))

    text = page.content.decode()
    assert "9999-12-31 23:59:59 UTC" in text
    assert "0001-01-01 00:00:00 UTC" in text
    assert "範囲外" in text


def test_the_edit_form_leaves_an_unshowable_time_empty(
    lead_client: Client, damaged: Incident
) -> None:
    form = lead_client.get(reverse("incidents:edit", kwargs={"incident_id": damaged.pk})).context[
        "form"
    ]

    assert form.initial["detected_at"] is None
    assert form.initial["estimated_start"] is None


def test_an_unknown_stored_zone_falls_back_to_utc_and_says_so(
    lead_client: Client, incident: Incident
) -> None:
    _store(Incident, incident.pk, time_zone="Mars/Olympus_Mons")

    for url in (
        reverse("incidents:list"),
        reverse("incidents:detail", kwargs={"incident_id": incident.pk}),
        reverse("incidents:checklist", kwargs={"incident_id": incident.pk}),
    ):
        assert lead_client.get(url).status_code == 200, url
    detail = lead_client.get(reverse("incidents:detail", kwargs={"incident_id": incident.pk}))
    assert "2026-11-20 00:30:00 UTC" in detail.content.decode()


def test_the_api_answers_stored_times_in_utc_whatever_their_year(
    client: Client, lead: User, damaged: Incident
) -> None:
    _, token = ApiToken.issue(lead, "tests")
    api = Client(headers={"Authorization": f"Bearer {token}"})
    base = f"/api/v1/incidents/{damaged.pk}"

    for path in ("", "/actions", "/timeline", "/checklist", "/timeline/export?format=jsonl"):
        assert api.get(base + path).status_code == 200, path
    assert api.get(base).json()["detected_at"] == "9999-12-31T23:59:59+00:00"
