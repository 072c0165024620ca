"""`hikeshi user …`: accounts and API tokens (secrets are printed once, never stored)."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from hikeshi import bounds
from hikeshi.cli.errors import CliError, UsageProblem, reports_errors
from hikeshi.cli.runtime import (
    AsJson,
    find_user,
    generate_password,
    print_json,
    setup_django,
    text_table,
)

# ApiToken.name's max_length: SQLite would not enforce it.
TOKEN_NAME_LIMIT = 100

app = typer.Typer(
    help="Create accounts, issue API tokens, clear sign-in lock-outs, reset two-factor sign-in.",
    no_args_is_help=True,
)


def _read_password() -> str:
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise CliError("--password-stdin: no password on standard input")
    return password


@app.command("create")
@reports_errors
def create_user(
    username: Annotated[str, typer.Argument(help="Sign-in name.")],
    email: Annotated[str, typer.Option(help="E-mail address.")] = "",
    admin: Annotated[
        bool, typer.Option("--admin", help="Administrator: sees every incident.")
    ] = False,
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="Read the password from the first line of stdin."),
    ] = False,
) -> None:
    """Create an account; without --password-stdin a generated password is printed once."""
    password = _read_password() if password_stdin else generate_password()
    setup_django()
    from django.contrib.auth.models import User
    from django.contrib.auth.password_validation import validate_password

    try:
        # Before the lookup: PostgreSQL refuses a NUL even in a query, SQLite stores any length.
        bounds.check_text("USERNAME", username, max_length=bounds.NAME_MAX)
    except bounds.OutOfBounds as error:
        raise UsageProblem(f"USERNAME: {error.english}") from None
    from hikeshi.accounts.selectors import user_named

    if user_named(username) is not None:
        raise CliError(f"a user named {username!r} already exists")
    from hikeshi.accounts.creation import create_account
    from hikeshi.sitelog.services import system_user

    User.username_validator(username)
    candidate = User(username=username, email=email)
    validate_password(password, candidate)
    create_account(
        username,
        email=email,
        password=password,
        site_admin=admin,
        detail={
            "via": "cli",
            "system_user": system_user(),
            "password": "chosen" if password_stdin else "generated",
        },
    )
    role = "administrator" if admin else "user"
    if password_stdin:
        typer.echo(f"Created {role} {username!r}.")
        return
    # The notice goes to stderr so that stdout carries the password alone, for scripts.
    typer.echo(
        f"Created {role} {username!r}. Its password follows; it is shown only this once.",
        err=True,
    )
    typer.echo(password)


@app.command("token")
@reports_errors
def issue_token(
    username: Annotated[str, typer.Argument(help="Whose token it is.")],
    name: Annotated[str, typer.Option(help="What the token is for, e.g. 'SIEM integration'.")],
) -> None:
    """Issue a REST API token and print it once (only its hash is kept)."""
    if not name.strip():
        raise CliError("--name: say what the token is for")
    setup_django()
    from hikeshi.accounts import tokens

    user = find_user(username)
    if len(name.strip()) > TOKEN_NAME_LIMIT:
        raise CliError(f"--name: at most {TOKEN_NAME_LIMIT} characters")
    token, raw = tokens.issue_token(user, name, actor=None, via="cli", detail=_cli_detail())
    typer.echo(
        f"Issued API token {token.name!r} for {username!r}. It is shown only this once:",
        err=True,
    )
    typer.echo(raw)


@app.command("tokens")
@reports_errors
def list_tokens(username: Annotated[str, typer.Argument(help="Whose tokens to list.")]) -> None:
    """List a person's API tokens (prefix, name, created, last used, revoked)."""
    setup_django()
    from hikeshi.accounts.selectors import tokens_of

    user = find_user(username)
    tokens = tokens_of(user)
    if not tokens:
        typer.echo(f"{username!r} has no API tokens.")
        return
    for token in tokens:
        used = token.last_used_at.isoformat(timespec="seconds") if token.last_used_at else "never"
        state = (
            f"revoked {token.revoked_at.isoformat(timespec='seconds')}"
            if token.revoked_at
            else "active"
        )
        typer.echo(
            f"{token.prefix}…  {token.name}  created {token.created_at:%Y-%m-%d}  "
            f"last used {used}  {state}"
        )


@app.command("revoke-token")
@reports_errors
def revoke_token(
    prefix: Annotated[str, typer.Argument(help="The token's first characters (hks_…), as listed.")],
    username: Annotated[
        str | None,
        typer.Option("--user", help="Whose token, when two people's tokens share the prefix."),
    ] = None,
) -> None:
    """Revoke an API token at once; requests with it are refused from then on."""
    setup_django()
    from hikeshi.accounts import tokens as token_services
    from hikeshi.accounts.selectors import live_tokens_starting

    owner = find_user(username) if username is not None else None
    matches = live_tokens_starting(prefix.rstrip("…"), owner)
    if not matches:
        raise CliError(f"no active token starts with {prefix!r}; see `hikeshi user tokens USER`")
    if len(matches) > 1:
        owners = ", ".join(sorted(t.user.get_username() for t in matches))
        raise CliError(
            f"{len(matches)} active tokens start with {prefix!r} ({owners}); add --user NAME"
        )
    token = matches[0]
    if not token_services.revoke_token(token, actor=None, via="cli", detail=_cli_detail()):
        raise CliError(f"API token {token.name!r} was revoked a moment ago by someone else")
    typer.echo(f"Revoked API token {token.name!r} of {token.user.get_username()!r}.")


def _cli_detail() -> dict[str, str | int | bool | None]:
    """Return the site-log detail of a change made on the command line (and by whom)."""
    from hikeshi.sitelog.services import system_user

    return {"via": "cli", "system_user": system_user()}


@app.command("lockouts")
@reports_errors
def list_lockouts(
    show_all: Annotated[
        bool,
        typer.Option("--all", help="Also list recent failures that have not locked anything yet."),
    ] = False,
    as_json: AsJson = False,
) -> None:
    """List locked sign-ins: user name, address, failures, locked until."""
    setup_django()
    from django.conf import settings

    from hikeshi.accounts.lockouts import failed_sign_ins

    entries = [entry for entry in failed_sign_ins() if show_all or entry.locked]
    zone = settings.TIME_ZONE
    if as_json:
        print_json(
            [
                {
                    "username": entry.username,
                    "address": entry.address,
                    "failures": entry.failures,
                    "last_failure": _local_seconds(entry.last_failure, zone),
                    "locked_until": _local_seconds(entry.locked_until, zone),
                }
                for entry in entries
            ]
        )
        return
    if not entries:
        typer.echo("No sign-in is locked." if not show_all else "No failed sign-ins recently.")
        return
    rows = [
        [
            entry.username,
            entry.address or "-",
            str(entry.failures),
            _local_seconds(entry.locked_until, zone) or "not locked",
        ]
        for entry in entries
    ]
    for line in text_table(["User", "Address", "Failures", "Locked until"], rows):
        typer.echo(line)


def _local_seconds(value: datetime | None, zone: str) -> str | None:
    """Return the time in ``zone`` as ISO 8601 to the second, with its offset; None for None."""
    if value is None:
        return None
    return value.astimezone(ZoneInfo(zone)).isoformat(timespec="seconds")


@app.command("unlock")
@reports_errors
def unlock(
    username: Annotated[str, typer.Argument(help="The user name that is locked (as typed).")],
    address: Annotated[
        str | None,
        typer.Option(help="Only from this IP address (default: from every address)."),
    ] = None,
) -> None:
    """Clear the failed sign-ins of a user name, so that it can sign in again at once."""
    setup_django()
    from hikeshi.accounts.lockouts import clear_lockout, normalise_address

    where = None
    if address is not None:
        try:
            where = normalise_address(address)
        except ValueError as error:
            raise UsageProblem(f"--address: {error}") from None
    cleared = clear_lockout(None, username, where, via="cli", detail=_cli_detail())
    if not cleared:
        source = f" from {where}" if where else ""
        raise CliError(
            f"no failed sign-ins of {username!r}{source}; `hikeshi user lockouts --all` lists them"
        )
    plural = "" if cleared == 1 else "s"
    typer.echo(
        f"Cleared {cleared} failed sign-in{plural} of {username!r} "
        f"{f'from {where}' if where else 'from every address'}; signing in works again at once."
    )


@app.command("reset-2fa")
@reports_errors
def reset_two_factor(
    username: Annotated[str, typer.Argument(help="Whose two-factor sign-in to remove.")],
) -> None:
    """Remove a person's authenticator app and recovery codes (e.g. after a lost phone)."""
    setup_django()
    from hikeshi.accounts import two_factor

    user = find_user(username)
    if not two_factor.reset(None, user, via="cli", detail=_cli_detail()):
        raise CliError(f"{username!r} does not use two-factor sign-in; nothing to reset")
    typer.echo(
        f"Reset two-factor sign-in of {username!r}: they sign in with their password alone "
        "and can set it up again under Preferences."
    )
