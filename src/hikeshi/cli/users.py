"""`hikeshi user …`: accounts and API tokens (secrets are printed once, never stored)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from hikeshi.cli.errors import CliError, reports_errors
from hikeshi.cli.runtime import find_user, generate_password, setup_django

# ApiToken.name's max_length: SQLite would not enforce it.
TOKEN_NAME_LIMIT = 100

app = typer.Typer(help="Create accounts and issue API tokens.", no_args_is_help=True)


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

    if User.objects.filter(username=username).exists():
        raise CliError(f"a user named {username!r} already exists")
    User.username_validator(username)
    candidate = User(username=username, email=email)
    validate_password(password, candidate)
    if admin:
        User.objects.create_superuser(username, email=email, password=password)
    else:
        User.objects.create_user(username, email=email, password=password)
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
    from hikeshi.accounts.models import ApiToken

    user = find_user(username)
    if len(name.strip()) > TOKEN_NAME_LIMIT:
        raise CliError(f"--name: at most {TOKEN_NAME_LIMIT} characters")
    token, raw = ApiToken.issue(user, name.strip())
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
    from hikeshi.accounts.models import ApiToken

    user = find_user(username)
    tokens = ApiToken.objects.filter(user=user).order_by("created_at")
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
    from django.utils import timezone

    from hikeshi.accounts.models import ApiToken

    tokens = ApiToken.objects.filter(prefix=prefix.rstrip("…"), revoked_at__isnull=True)
    if username is not None:
        tokens = tokens.filter(user=find_user(username))
    matches = list(tokens.select_related("user"))
    if not matches:
        raise CliError(f"no active token starts with {prefix!r}; see `hikeshi user tokens USER`")
    if len(matches) > 1:
        owners = ", ".join(sorted(t.user.get_username() for t in matches))
        raise CliError(
            f"{len(matches)} active tokens start with {prefix!r} ({owners}); add --user NAME"
        )
    token = matches[0]
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    typer.echo(f"Revoked API token {token.name!r} of {token.user.get_username()!r}.")
