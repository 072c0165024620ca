"""The organisation's contacts in the admin: editable, but never left unreachable."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from hikeshi.directory.models import DeploymentContact


def test_an_organisation_contact_edited_in_the_admin_must_stay_reachable(
    site_admin: User,
) -> None:
    contact = DeploymentContact.objects.create(
        kind="lawyer", name="山田法律事務所", phone="03-0000-0000", created_by=site_admin
    )
    client = Client()
    client.force_login(site_admin)
    response = client.post(
        reverse("admin:directory_deploymentcontact_change", args=[contact.pk]),
        {"kind": "lawyer", "name": "山田法律事務所", "phone": "", "email": "", "url": ""},
    )
    assert response.status_code == 200  # the form comes back with the error
    contact.refresh_from_db()
    assert contact.phone == "03-0000-0000"
