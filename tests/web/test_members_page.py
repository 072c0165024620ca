"""Leads manage an incident's members from its page; nobody else can."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import User
from django.test import Client

from hikeshi.incidents.models import Incident, Membership
from hikeshi.incidents.vocabulary import Role

IncidentUrl = Callable[..., str]  # the url_of fixture (tests/web/conftest.py)


def test_a_lead_adds_an_existing_user_by_user_name_with_a_role(
    lead_client: Client, outsider: User, incident: Incident, url_of: IncidentUrl
) -> None:
    response = lead_client.post(
        url_of("add_member"),
        {"username": "outsider", "role": Role.RESPONDER, "affiliation": "委託先SOC"},
    )
    assert response.status_code == 302
    membership = Membership.objects.get(incident=incident, user=outsider)
    assert (membership.role, membership.affiliation) == (Role.RESPONDER, "委託先SOC")


def test_an_unknown_user_name_is_named_on_the_field(
    lead_client: Client, url_of: IncidentUrl
) -> None:
    response = lead_client.post(url_of("add_member"), {"username": "nobody", "role": Role.VIEWER})
    assert response.status_code == 400
    assert "ユーザー名</a>: このユーザー名の有効な利用者はいません。" in response.content.decode()


def test_a_lead_removes_a_member(
    lead_client: Client, viewer: User, incident: Incident, url_of: IncidentUrl
) -> None:
    lead_client.post(url_of("remove_member", user_id=viewer.pk))
    assert not Membership.objects.filter(incident=incident, user=viewer).exists()


def test_the_last_lead_cannot_be_removed(
    lead_client: Client, lead: User, incident: Incident, url_of: IncidentUrl
) -> None:
    response = lead_client.post(url_of("remove_member", user_id=lead.pk), follow=True)
    assert "案件には責任者が少なくとも1人必要です。" in response.content.decode()
    assert Membership.objects.filter(incident=incident, user=lead, role=Role.LEAD).exists()


def test_a_responder_cannot_manage_members(
    responder_client: Client, outsider: User, viewer: User, url_of: IncidentUrl
) -> None:
    add = responder_client.post(url_of("add_member"), {"username": "outsider", "role": "lead"})
    remove = responder_client.post(url_of("remove_member", user_id=viewer.pk))
    assert (add.status_code, remove.status_code) == (403, 403)


def test_removing_someone_who_is_not_a_member_is_not_found(
    lead_client: Client, outsider: User, url_of: IncidentUrl
) -> None:
    assert lead_client.post(url_of("remove_member", user_id=outsider.pk)).status_code == 404
