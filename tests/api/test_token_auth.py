"""Token authentication: a live token of an active user, or 401."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.contrib.auth.models import User
from django.utils import timezone
from tests.api.conftest import ApiClient

from hikeshi.accounts.models import ApiToken


def test_a_request_without_a_token_is_refused_with_401(anonymous: ApiClient) -> None:
    response = anonymous.get("/incidents")

    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_unknown_token_is_refused(lead: User) -> None:
    ApiToken.issue(lead, "real")

    response = ApiClient("Bearer hks_not-a-token-anyone-was-given").get("/incidents")

    assert response.status_code == 401


def test_a_token_sent_with_another_scheme_is_refused(lead: User) -> None:
    _, raw = ApiToken.issue(lead, "cli")

    assert ApiClient(f"Basic {raw}").get("/incidents").status_code == 401
    assert ApiClient(raw).get("/incidents").status_code == 401


def test_a_revoked_token_is_refused(lead: User) -> None:
    token, raw = ApiToken.issue(lead, "laptop")
    client = ApiClient(f"Bearer {raw}")
    assert client.get("/incidents").status_code == 200

    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())

    assert client.get("/incidents").status_code == 401


def test_the_token_of_a_deactivated_account_is_refused(lead: User) -> None:
    _, raw = ApiToken.issue(lead, "laptop")
    User.objects.filter(pk=lead.pk).update(is_active=False)

    assert ApiClient(f"Bearer {raw}").get("/incidents").status_code == 401


def test_a_browser_session_does_not_authenticate_the_api(lead: User) -> None:
    # The API takes tokens only, so a page cannot be tricked into calling it (no CSRF).
    client = ApiClient(None)
    client.client.force_login(lead)

    assert client.get("/incidents").status_code == 401


def test_using_a_token_records_when_it_was_last_used(lead: User) -> None:
    token, raw = ApiToken.issue(lead, "laptop")

    ApiClient(f"Bearer {raw}").get("/incidents")

    token.refresh_from_db()
    assert token.last_used_at is not None
    assert timezone.now() - token.last_used_at < timedelta(seconds=10)


def test_last_used_is_written_at_most_once_a_minute(lead: User) -> None:
    token, raw = ApiToken.issue(lead, "laptop")
    client = ApiClient(f"Bearer {raw}")
    client.get("/incidents")
    token.refresh_from_db()
    first_use = token.last_used_at

    client.get("/incidents")
    token.refresh_from_db()
    assert token.last_used_at == first_use

    two_minutes_ago = timezone.now() - timedelta(minutes=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=two_minutes_ago)
    client.get("/incidents")
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert token.last_used_at > two_minutes_ago


def test_a_token_acts_as_its_owner(
    api_as: Callable[[User], ApiClient], lead: User, outsider: User, incident: object
) -> None:
    assert len(api_as(lead).get("/incidents").json()["items"]) == 1
    assert api_as(outsider).get("/incidents").json()["items"] == []
