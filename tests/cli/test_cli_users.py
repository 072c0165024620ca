"""`hikeshi user create|token`: passwords and tokens shown once, stored only as hashes."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import User
from typer.testing import Result

from hikeshi.accounts.models import ApiToken, hash_token

Run = Callable[..., Result]


def test_create_with_a_generated_password(hikeshi: Run) -> None:
    result = hikeshi("user", "create", "alice", "--email", "alice@example.org")
    assert result.exit_code == 0, result.output
    password = result.stdout.strip()
    assert "shown only this once" in result.stderr
    alice = User.objects.get(username="alice")
    assert alice.check_password(password)
    assert alice.email == "alice@example.org"
    assert not alice.is_superuser


def test_generated_passwords_differ(hikeshi: Run) -> None:
    first = hikeshi("user", "create", "bob").stdout
    second = hikeshi("user", "create", "carol").stdout
    assert first != second


def test_create_admin_with_a_password_from_stdin(hikeshi: Run) -> None:
    result = hikeshi(
        "user", "create", "chief", "--admin", "--password-stdin", input="long enough pass 77\n"
    )
    assert result.exit_code == 0, result.output
    assert "long enough pass 77" not in result.output
    chief = User.objects.get(username="chief")
    assert chief.is_superuser
    assert chief.check_password("long enough pass 77")


def test_a_weak_password_is_refused_with_the_reason(hikeshi: Run) -> None:
    result = hikeshi("user", "create", "weak", "--password-stdin", input="12345\n")
    assert result.exit_code == 1
    # Django's own validator messages, in the configured language: one line, every reason.
    assert result.stderr.startswith("Error: ")
    assert result.stderr.count("\n") == 1
    assert "12" in result.stderr  # the minimum length
    assert not User.objects.filter(username="weak").exists()


def test_an_existing_user_is_not_created_twice(hikeshi: Run, lead: User) -> None:
    result = hikeshi("user", "create", "lead")
    assert result.exit_code == 1
    assert result.stderr == "Error: a user named 'lead' already exists\n"


def test_token_is_printed_once_and_stored_as_a_hash(hikeshi: Run, lead: User) -> None:
    result = hikeshi("user", "token", "lead", "--name", "SIEM 連携")
    assert result.exit_code == 0, result.output
    raw = result.stdout.strip()
    token = ApiToken.objects.get(user=lead)
    assert token.name == "SIEM 連携"
    assert token.token_hash == hash_token(raw)
    assert raw not in token.token_hash


def test_token_for_an_unknown_user_is_a_clear_error(hikeshi: Run) -> None:
    result = hikeshi("user", "token", "ghost", "--name", "x")
    assert result.exit_code == 1
    assert result.stderr == "Error: no user named 'ghost'\n"
