"""Lock-outs hold one user name at one address, never grow, and site admins can clear them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from tests.web.conftest import Clock, controlled_clock

from hikeshi.accounts.lockouts import current_lockouts
from hikeshi.sitelog.models import SiteLogEntry

PASSWORD = "correct horse battery staple"  # the shared test users' password (tests/conftest.py)
ATTACKER = "198.51.100.66"
OWNER = "203.0.113.9"
START = datetime(2026, 11, 20, 9, 0, tzinfo=datetime.now().astimezone().tzinfo)


@pytest.fixture
def clock() -> Iterator[Clock]:
    with controlled_clock(START) as controlled:
        yield controlled


def _sign_in(client: Client, password: str, address: str) -> int:
    response = client.post(
        reverse("login"), {"username": "lead", "password": password}, REMOTE_ADDR=address
    )
    return response.status_code


def _lock(client: Client, address: str = ATTACKER) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "wrong", address)


@pytest.mark.django_db
def test_a_lock_from_one_address_does_not_block_another_address(lead: User) -> None:
    _lock(Client())
    assert _sign_in(Client(), PASSWORD, ATTACKER) == 429
    assert _sign_in(Client(), PASSWORD, OWNER) == 302


@pytest.mark.django_db
def test_attempts_during_a_lock_do_not_extend_it(lead: User, clock: Clock) -> None:
    attacker = Client()
    _lock(attacker)
    cool_off_minutes = settings.AXES_COOLOFF_TIME.total_seconds() / 60
    # Keep trying throughout the lock: refused, and not counted.
    for _ in range(5):
        clock.advance(minutes=cool_off_minutes / 6)
        assert _sign_in(attacker, "wrong", ATTACKER) == 429
    clock.advance(minutes=cool_off_minutes / 6 + 1)  # just past the end of the first lock
    assert _sign_in(Client(), PASSWORD, ATTACKER) == 302


@pytest.mark.django_db
def test_the_lock_page_says_when_it_ends(lead: User, clock: Clock) -> None:
    _lock(Client())
    clock.advance(minutes=10)
    page = Client().post(
        reverse("login"), {"username": "lead", "password": PASSWORD}, REMOTE_ADDR=ATTACKER
    )
    text = page.content.decode()
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60) - 10
    assert f"{minutes} 分後" in text
    assert "ほかの接続元からログインできます" in text


@pytest.mark.django_db
def test_a_lock_is_recorded_once_in_the_site_log(lead: User) -> None:
    attacker = Client()
    _lock(attacker)
    _sign_in(attacker, "wrong", ATTACKER)
    _sign_in(attacker, PASSWORD, ATTACKER)
    (entry,) = SiteLogEntry.objects.filter(kind="login_locked_out")
    assert entry.subject == "lead"
    assert entry.client_address == ATTACKER
    assert entry.actor is None
    assert entry.detail["failures"] == settings.AXES_FAILURE_LIMIT


@pytest.mark.django_db
def test_the_form_data_kept_with_an_attempt_holds_no_password(lead: User, responder: User) -> None:
    _sign_in(Client(), "hunter2-wrong", ATTACKER)
    client = Client()
    client.force_login(responder)
    client.post(
        "/preferences/password/",
        {"old_password": "guess-1", "new_password1": "n" * 20, "new_password2": "n" * 20},
        REMOTE_ADDR=ATTACKER,
    )
    kept = " ".join(AccessAttempt.objects.values_list("post_data", flat=True))
    assert "hunter2-wrong" not in kept and "guess-1" not in kept and "n" * 20 not in kept


def _admin(site_admin: User) -> Client:
    client = Client()
    client.force_login(site_admin)
    return client


@pytest.mark.django_db
def test_a_site_admin_sees_the_lock_and_clears_it(lead: User, site_admin: User) -> None:
    _lock(Client())
    admin = _admin(site_admin)
    page = admin.get(reverse("lockouts"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "ロック中のログイン" in text
    assert "lead" in text and ATTACKER in text
    assert "axes-" not in text  # no internal keys
    cleared = admin.post(
        reverse("clear_lockout"), {"username": "lead", "address": ATTACKER}, follow=True
    )
    assert f"{ATTACKER} からの失敗 {settings.AXES_FAILURE_LIMIT} 回を消去しました" in (
        cleared.content.decode()
    )
    assert current_lockouts() == []
    assert _sign_in(Client(), PASSWORD, ATTACKER) == 302
    (entry,) = SiteLogEntry.objects.filter(kind="lockout_cleared")
    assert (entry.subject, entry.actor) == ("lead", site_admin)
    assert entry.detail["locked_address"] == ATTACKER


@pytest.mark.django_db
def test_clearing_names_a_bad_address(site_admin: User) -> None:
    page = _admin(site_admin).post(
        reverse("clear_lockout"), {"username": "lead", "address": "not-an-ip"}, follow=True
    )
    assert "IPv4 または IPv6 のアドレスを入力してください" in page.content.decode()


@pytest.mark.django_db
def test_failures_below_the_limit_are_listed_apart(lead: User, site_admin: User) -> None:
    _sign_in(Client(), "wrong", OWNER)
    assert current_lockouts() == []
    page = _admin(site_admin).get(reverse("lockouts")).content.decode()
    assert "ロックには至っていないもの" in page and OWNER in page


@pytest.mark.django_db
def test_people_other_than_site_admins_get_404(lead: User) -> None:
    client = Client()
    client.force_login(lead)
    assert client.get(reverse("lockouts")).status_code == 404
    assert client.post(reverse("clear_lockout"), {"username": "x"}).status_code == 404
