"""Signing in and out, and the lock-out after repeated failures."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

PASSWORD = "correct horse battery staple"  # the shared test users' password (tests/conftest.py)


def test_signing_in_leads_to_the_incident_list_and_signing_out_back(lead: User) -> None:
    client = Client()
    signed_in = client.post(reverse("login"), {"username": "lead", "password": PASSWORD})
    assert signed_in["Location"] == reverse("incidents:list")
    page = client.get(reverse("incidents:list")).content.decode()
    assert "lead" in page and 'action="/logout/"' in page

    signed_out = client.post(reverse("logout"))
    assert signed_out["Location"] == reverse("login")
    assert client.get(reverse("incidents:list"))["Location"].startswith(reverse("login"))


def test_a_wrong_password_is_explained_in_japanese(lead: User) -> None:
    page = Client().post(reverse("login"), {"username": "lead", "password": "wrong"})
    assert "正しいユーザー名とパスワードを入力してください" in page.content.decode()


def test_repeated_failures_lock_the_sign_in_with_a_page_that_says_so(lead: User) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(reverse("login"), {"username": "lead", "password": "wrong"})
    page = response.content.decode()
    assert response.status_code in (403, 429)
    assert "ログインがロックされました" in page
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert f"{minutes} 分後" in page
    # Even the right password is refused while locked.
    again = client.post(reverse("login"), {"username": "lead", "password": PASSWORD})
    assert "ログインがロックされました" in again.content.decode()
