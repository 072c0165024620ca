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


def test_a_shared_prefix_is_settled_by_naming_the_user(
    hikeshi: Run, lead: User, responder: User
) -> None:
    ApiToken.objects.create(user=lead, name="a", token_hash="1" * 64, prefix="hks_same")
    ApiToken.objects.create(user=responder, name="b", token_hash="2" * 64, prefix="hks_same")
    ambiguous = hikeshi("user", "revoke-token", "hks_same")
    assert ambiguous.exit_code == 1
    assert "--user" in ambiguous.stderr and "lead" in ambiguous.stderr
    settled = hikeshi("user", "revoke-token", "hks_same", "--user", "responder")
    assert settled.exit_code == 0, settled.output
    assert ApiToken.objects.get(user=responder).revoked_at is not None
    assert ApiToken.objects.get(user=lead).revoked_at is None
