"""A person changes their own password, without needing admin rights."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client

OLD = "correct horse battery staple"  # the shared test users' password (tests/conftest.py)
NEW = "藍色の消防車が三台走る 2026"


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
