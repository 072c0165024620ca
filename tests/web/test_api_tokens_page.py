"""/preferences/tokens/: people list, issue and revoke their own API tokens, nobody else's."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hikeshi.accounts.models import ApiToken, hash_token
from hikeshi.sitelog.models import SiteLogEntry


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api_status(raw: str) -> int:
    headers = {"authorization": f"Bearer {raw}"}
    return Client().get("/api/v1/incidents", headers=headers).status_code


@pytest.mark.django_db
def test_the_list_shows_only_ones_own_tokens_with_their_use(lead: User, responder: User) -> None:
    used, _raw = ApiToken.issue(lead, "SIEM 連携")
    used.last_used_at = timezone.now() - timedelta(minutes=5)
    used.save()
    ApiToken.issue(lead, "夜間バッチ")
    ApiToken.issue(responder, "担当者のスクリプト")
    page = _client(lead).get(reverse("api_tokens")).content.decode()
    assert "SIEM 連携" in page and "夜間バッチ" in page
    assert "担当者のスクリプト" not in page
    assert used.prefix in page
    assert "なし" in page  # the unused token: never used
    assert used.token_hash not in page


@pytest.mark.django_db
def test_an_issued_token_is_shown_once_and_works(lead: User) -> None:
    client = _client(lead)
    response = client.post(reverse("api_tokens"), {"name": "チケット連携"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    match = re.search(r'id="new-token">(hks_[A-Za-z0-9_\-]+)<', response.content.decode())
    assert match is not None
    raw = match.group(1)
    token = ApiToken.objects.get(user=lead)
    assert token.token_hash == hash_token(raw) and token.name == "チケット連携"
    assert _api_status(raw) == 200
    assert raw not in client.get(reverse("api_tokens")).content.decode()
    (entry,) = SiteLogEntry.objects.filter(kind="api_token_issued")
    assert (entry.actor, entry.subject, entry.detail["via"]) == (lead, "lead", "web")
    assert raw not in str(entry.detail)


@pytest.mark.django_db
def test_a_token_needs_a_purpose(lead: User) -> None:
    response = _client(lead).post(reverse("api_tokens"), {"name": "   "})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_revoking_asks_first_then_stops_the_token(lead: User) -> None:
    token, raw = ApiToken.issue(lead, "SIEM")
    client = _client(lead)
    url = reverse("revoke_api_token", kwargs={"token_id": token.pk})
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "失効させますか" in confirm.content.decode()
    assert _api_status(raw) == 200  # asking changed nothing
    done = client.post(url, follow=True)
    assert "トークン「SIEM」を失効させました" in done.content.decode()
    assert _api_status(raw) == 401
    token.refresh_from_db()
    assert token.revoked_at is not None
    (entry,) = SiteLogEntry.objects.filter(kind="api_token_revoked")
    assert (entry.actor, entry.detail["token_prefix"]) == (lead, token.prefix)
    # Revoking again records nothing more.
    client.post(url)
    assert SiteLogEntry.objects.filter(kind="api_token_revoked").count() == 1


@pytest.mark.django_db
def test_another_persons_token_answers_404(lead: User, responder: User) -> None:
    token, raw = ApiToken.issue(responder, "担当者のスクリプト")
    url = reverse("revoke_api_token", kwargs={"token_id": token.pk})
    client = _client(lead)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    missing = reverse("revoke_api_token", kwargs={"token_id": token.pk + 1000})
    assert client.post(missing).status_code == 404
    assert _api_status(raw) == 200


@pytest.mark.django_db
def test_signed_out_people_are_sent_to_sign_in() -> None:
    response = Client().get(reverse("api_tokens"))
    assert response["Location"].startswith(reverse("login"))
