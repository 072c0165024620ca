"""Issuing, listing and revoking API tokens from the command line."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import User
from django.test import Client
from typer.testing import Result

from hikeshi.accounts.models import ApiToken

Run = Callable[..., Result]


def test_a_revoked_token_is_refused_by_the_api(hikeshi: Run, lead: User) -> None:
    issued = hikeshi("user", "token", "lead", "--name", "SIEM")
    assert issued.exit_code == 0, issued.output
    raw = issued.stdout.strip()
    client = Client()
    headers = {"authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/incidents", headers=headers).status_code == 200
    listed = hikeshi("user", "tokens", "lead")
    assert "SIEM" in listed.stdout and "active" in listed.stdout
    prefix = ApiToken.objects.get(user=lead).prefix
    revoked = hikeshi("user", "revoke-token", prefix)
    assert revoked.exit_code == 0, revoked.output
    assert client.get("/api/v1/incidents", headers=headers).status_code == 401
    assert "revoked" in hikeshi("user", "tokens", "lead").stdout


def test_revoking_an_unknown_token_says_how_to_find_it(hikeshi: Run, lead: User) -> None:
    result = hikeshi("user", "revoke-token", "hks_nope")
    assert result.exit_code == 1
    assert "hikeshi user tokens" in result.stderr
