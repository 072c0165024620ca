"""The admin shows the incident record but cannot write it; action records above all."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from hikeshi.incidents.models import ActionRecord, Incident


def test_admin_offers_no_add_change_or_delete_for_action_records(
    site_admin: User, incident: Incident
) -> None:
    client = Client()
    client.force_login(site_admin)
    record = ActionRecord.objects.filter(incident=incident).first()
    assert record is not None
    changelist = client.get(reverse("admin:incidents_actionrecord_changelist"))
    add = client.get(reverse("admin:incidents_actionrecord_add"))
    change = client.post(
        reverse("admin:incidents_actionrecord_change", args=[record.pk]), {"what": "改ざん"}
    )
    delete = client.post(
        reverse("admin:incidents_actionrecord_delete", args=[record.pk]), {"post": "yes"}
    )

    assert changelist.status_code == 200
    assert (add.status_code, change.status_code, delete.status_code) == (403, 403, 403)
    assert ActionRecord.objects.get(pk=record.pk).what == record.what


def test_admin_cannot_edit_an_incident_behind_the_services_back(
    site_admin: User, incident: Incident
) -> None:
    client = Client()
    client.force_login(site_admin)
    response = client.post(
        reverse("admin:incidents_incident_change", args=[incident.pk]), {"title": "x"}
    )
    assert response.status_code == 403
    assert Incident.objects.get(pk=incident.pk).title == incident.title
