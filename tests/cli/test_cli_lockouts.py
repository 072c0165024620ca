"""`hikeshi user lockouts|unlock|reset-2fa`: sign-in security from the command line."""

from __future__ import annotations

import json
from collections.abc import Callable

import pyotp
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from typer.testing import Result

from hikeshi.accounts import two_factor
from hikeshi.sitelog.models import SiteLogEntry

Run = Callable[..., Result]
PASSWORD = "correct horse battery staple"  # the shared test users' password (tests/conftest.py)
ATTACKER = "198.51.100.66"


def _fail(address: str, username: str = "lead", times: int | None = None) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT if times is None else times):
        client.post("/login/", {"username": username, "password": "wrong"}, REMOTE_ADDR=address)


def _signs_in(address: str) -> bool:
    response = Client().post(
        "/login/", {"username": "lead", "password": PASSWORD}, REMOTE_ADDR=address
    )
    return response.status_code == 302


def test_lockouts_lists_name_address_failures_and_end(hikeshi: Run, lead: User) -> None:
    _fail(ATTACKER)
    _fail("203.0.113.9", times=1)
    result = hikeshi("user", "lockouts")
    assert result.exit_code == 0, result.output
    header, row, *rest = result.stdout.splitlines()
    assert header.split() == ["User", "Address", "Failures", "Locked", "until"]
    assert row.split()[:3] == ["lead", ATTACKER, str(settings.AXES_FAILURE_LIMIT)]
    assert row.split()[3].endswith("+09:00")  # the site's time zone, to the second
    assert rest == []  # a failure below the limit is not a lock
    everything = hikeshi("user", "lockouts", "--all").stdout
    assert "203.0.113.9" in everything and "not locked" in everything


def test_lockouts_as_json(hikeshi: Run, lead: User) -> None:
    _fail(ATTACKER)
    (entry,) = json.loads(hikeshi("user", "lockouts", "--json").stdout)
    assert entry["username"] == "lead" and entry["address"] == ATTACKER
    assert entry["failures"] == settings.AXES_FAILURE_LIMIT
    assert entry["locked_until"] > entry["last_failure"]


def test_no_lockouts_says_so(hikeshi: Run) -> None:
    assert hikeshi("user", "lockouts").stdout == "No sign-in is locked.\n"


def test_unlock_one_address(hikeshi: Run, lead: User) -> None:
    _fail(ATTACKER)
    _fail("192.0.2.7")
    result = hikeshi("user", "unlock", "lead", "--address", ATTACKER)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Cleared {settings.AXES_FAILURE_LIMIT} failed sign-ins")
    assert _signs_in(ATTACKER)
    assert not _signs_in("192.0.2.7")
    (entry,) = SiteLogEntry.objects.filter(kind="lockout_cleared")
    assert (entry.subject, entry.actor, entry.detail["via"]) == ("lead", None, "cli")


def test_unlock_every_address(hikeshi: Run, lead: User) -> None:
    _fail(ATTACKER)
    _fail("192.0.2.7")
    assert hikeshi("user", "unlock", "lead").exit_code == 0
    assert _signs_in(ATTACKER) and _signs_in("192.0.2.7")


def test_unlock_explains_what_is_wrong(hikeshi: Run, lead: User) -> None:
    nothing = hikeshi("user", "unlock", "lead")
    assert nothing.exit_code == 1
    assert "hikeshi user lockouts --all" in nothing.stderr
    bad = hikeshi("user", "unlock", "lead", "--address", "10.0.0.300")
    assert bad.exit_code == 2
    assert bad.stderr == "Error: --address: '10.0.0.300' is not an IPv4 or IPv6 address\n"


def test_reset_2fa(hikeshi: Run, lead: User) -> None:
    device = two_factor.pending_device(lead)
    two_factor.confirm_enrolment(lead, pyotp.TOTP(device.secret).now(), client_address=None)
    result = hikeshi("user", "reset-2fa", "lead")
    assert result.exit_code == 0, result.output
    assert "Reset two-factor sign-in of 'lead'" in result.stdout
    assert not two_factor.is_enabled(lead)
    entry = SiteLogEntry.objects.get(kind="two_factor_disabled")
    assert entry.detail["via"] == "cli" and entry.detail["reset_by_admin"] is True
    again = hikeshi("user", "reset-2fa", "lead")
    assert again.exit_code == 1
    assert again.stderr == "Error: 'lead' does not use two-factor sign-in; nothing to reset\n"


def test_reset_2fa_of_an_unknown_user(hikeshi: Run) -> None:
    result = hikeshi("user", "reset-2fa", "ghost")
    assert result.exit_code == 1
    assert result.stderr == "Error: no user named 'ghost'\n"
