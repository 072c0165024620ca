"""A person changes their own password, without needing admin rights."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.http import HttpResponse
from django.test import Client

from hikeshi.accounts.models import ApiToken
from hikeshi.sitelog.models import SiteLogEntry

OLD = "correct horse battery staple"  # the shared test users' password (tests/conftest.py)
NEW = "藍色の消防車が三台走る 2026"
ADDRESS = "203.0.113.9"


def test_a_responder_changes_their_own_password(responder: User) -> None:
    client = Client()
    client.force_login(responder)
    page = client.get("/preferences/password/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "パスワードの変更" in text
    assert "12 文字以上" in text  # hikeshi's page, not the admin's
    assert "Django" not in text
    response = client.post(
        "/preferences/password/",
        {"old_password": OLD, "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 302
    assert response["Location"] == "/preferences/password/done/"
    # django-axes needs the request, so sign in through the page as a person would.
    fresh = Client()
    signed_in = fresh.post("/login/", {"username": "responder", "password": NEW})
    assert signed_in.status_code == 302
    responder.refresh_from_db()
    assert responder.check_password(NEW)


def test_a_short_new_password_is_refused_on_its_field(responder: User) -> None:
    client = Client()
    client.force_login(responder)
    response = client.post(
        "/preferences/password/",
        {"old_password": OLD, "new_password1": "short", "new_password2": "short"},
    )
    assert response.status_code == 200
    assert "new_password2" in response.context["form"].errors


def test_signed_out_people_are_sent_to_sign_in() -> None:
    response = Client().get("/preferences/password/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def _change(client: Client, old: str, **extra: str) -> HttpResponse:
    data = {"old_password": old, "new_password1": NEW, "new_password2": NEW, **extra}
    response: HttpResponse = client.post("/preferences/password/", data, REMOTE_ADDR=ADDRESS)
    return response


def test_the_form_offers_to_revoke_the_tokens_ticked(responder: User) -> None:
    ApiToken.issue(responder, "SIEM")
    ApiToken.issue(responder, "batch")
    client = Client()
    client.force_login(responder)
    page = client.get("/preferences/password/").content.decode()
    assert "自分の API トークン（2 件）も失効させる" in page
    assert 'name="revoke_tokens"' in page and "checked" in page


def test_without_tokens_there_is_nothing_to_offer(responder: User) -> None:
    client = Client()
    client.force_login(responder)
    assert 'name="revoke_tokens"' not in client.get("/preferences/password/").content.decode()


def test_changing_the_password_revokes_the_tokens_when_ticked(responder: User) -> None:
    _token, raw = ApiToken.issue(responder, "SIEM")
    client = Client()
    client.force_login(responder)
    response = _change(client, OLD, revoke_tokens="on")
    assert response["Location"] == "/preferences/password/done/"
    done = client.get(response["Location"]).content.decode()
    assert "API トークン 1 件を失効させました" in done
    api = Client().get("/api/v1/incidents", headers={"authorization": f"Bearer {raw}"})
    assert api.status_code == 401
    entry = SiteLogEntry.objects.get(kind="password_changed")
    assert (entry.actor, entry.detail["tokens_revoked"], entry.client_address) == (
        responder,
        1,
        ADDRESS,
    )
    assert SiteLogEntry.objects.filter(kind="api_token_revoked").count() == 1


def test_unticking_keeps_the_tokens_and_says_so(responder: User) -> None:
    _token, raw = ApiToken.issue(responder, "SIEM")
    client = Client()
    client.force_login(responder)
    response = _change(client, OLD)  # an unticked checkbox is not sent at all
    done = client.get(response["Location"]).content.decode()
    assert "API トークン 1 件は引き続き有効です" in done
    api = Client().get("/api/v1/incidents", headers={"authorization": f"Bearer {raw}"})
    assert api.status_code == 200
    assert SiteLogEntry.objects.get(kind="password_changed").detail["tokens_kept"] == 1


def test_guessing_the_old_password_is_locked_like_signing_in(responder: User) -> None:
    client = Client()
    client.force_login(responder)
    for number in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _change(client, f"guess {number}").status_code == 200
    assert _change(client, "the last guess").status_code == 429
    locked = _change(client, OLD)  # even the right one, now
    assert locked.status_code == 429
    assert "パスワード変更（とログイン）はロックされました" in locked.content.decode()
    responder.refresh_from_db()
    assert responder.check_password(OLD)
    # Signing in with that name from that address is locked too; from elsewhere it is not.
    here = Client().post("/login/", {"username": "responder", "password": OLD}, REMOTE_ADDR=ADDRESS)
    assert here.status_code == 429
    elsewhere = Client().post(
        "/login/", {"username": "responder", "password": OLD}, REMOTE_ADDR="192.0.2.200"
    )
    assert elsewhere.status_code == 302
