"""`hikeshi init`: create or migrate the database, the first administrator, the demo."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Annotated

import typer

from hikeshi.cli.errors import CliError, reports_errors
from hikeshi.cli.runtime import (
    acting_user,
    generate_password,
    pending_migrations,
    report_stale_uploads,
    setup_django,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

ADMIN_USERNAME = "admin"


def _database_name() -> str:
    from django.db import connection

    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return str(settings["NAME"])
    host = settings.get("HOST") or "localhost"
    return f"{connection.vendor} database {settings['NAME']} on {host}"


def migrate_database() -> int:
    """Return how many migrations were applied to bring the database up to date."""
    from django.core.management import call_command

    pending = pending_migrations()
    if pending:
        call_command("migrate", interactive=False, verbosity=0)
    return pending


def create_first_admin() -> tuple[User, str] | None:
    """Return the new ``admin`` and its password when no administrator exists yet, else None."""
    from django.db import IntegrityError

    from hikeshi.accounts.creation import create_account
    from hikeshi.accounts.selectors import any_site_admin, user_named

    if any_site_admin():
        return None
    if user_named(ADMIN_USERNAME) is not None:
        raise CliError(
            f"there is no administrator, but a user named {ADMIN_USERNAME!r} exists; "
            "make one with `hikeshi user create NAME --admin`"
        )
    from hikeshi.sitelog.services import system_user

    password = generate_password()
    try:
        user = create_account(
            ADMIN_USERNAME,
            email="",
            password=password,
            site_admin=True,
            detail={"via": "init", "system_user": system_user(), "password": "generated"},
        )
    except IntegrityError:
        # Another `hikeshi init` created it a moment ago; that one shows the password.
        return None
    return user, password


@reports_errors
def init(
    demo: Annotated[
        bool, typer.Option("--demo", help="Also load the demo incident (only once).")
    ] = False,
) -> None:
    """Create or migrate the database and the first administrator; quiet when nothing changes."""
    started = time.time()
    setup_django(require_migrated=False)
    report_stale_uploads(started)
    applied = migrate_database()
    if applied:
        plural = "" if applied == 1 else "s"
        typer.echo(f"Database ready: {_database_name()} ({applied} migration{plural} applied).")
    created = create_first_admin()
    if created is not None:
        user, password = created
        typer.echo(
            f"\nCreated the administrator account {user.get_username()!r}. Its password is\n"
            "shown only this once and cannot be shown again: store it now (password manager).\n"
            f"\n    {password}\n"
        )
    if demo:
        from hikeshi.incidents.demo import load_demo

        incident = load_demo(acting_user(None))
        if incident is not None:
            typer.echo(f"Loaded the demo incident #{incident.pk}: {incident.title}")
