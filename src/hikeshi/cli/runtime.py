"""What the commands share: Django set up on demand, the acting user, the incident, output."""

from __future__ import annotations

import json
import os
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from hikeshi import bounds
from hikeshi.cli.errors import CliError, UsageProblem

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from hikeshi.incidents.models import Incident

# Times typed without an offset are read here (the default incident time zone).
DEFAULT_ZONE = "Asia/Tokyo"

AsUser = Annotated[
    str | None,
    typer.Option(
        "--as", metavar="USER", help="Act as this user (default: the first administrator)."
    ),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def setup_django(*, require_migrated: bool = True) -> None:
    """Load Django with hikeshi's settings; refuse to go on against an unmigrated database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hikeshi.web.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
    from django.utils import translation

    # The command line speaks English throughout; Django's own messages (password rules)
    # would otherwise come in the site's default language, Japanese, mid-sentence.
    translation.activate("en")
    if require_migrated and pending_migrations():
        raise CliError("the database is not set up or not up to date; run `hikeshi init`")


def report_stale_uploads(started: float) -> None:
    """Remove uploads an interrupted server left in the data folder, saying how many."""
    from django.conf import settings

    from hikeshi.web.uploads import remove_stale_uploads

    folder = Path(settings.FILE_UPLOAD_TEMP_DIR)
    removed = remove_stale_uploads(folder, started)
    if removed:
        plural = "" if len(removed) == 1 else "s"
        typer.echo(
            f"Removed {len(removed)} unfinished upload{plural} an interrupted server left "
            f"in {folder}."
        )


def pending_migrations() -> int:
    """Return how many migrations the database still lacks."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def generate_password() -> str:
    """Return a fresh random password (about 140 bits), for showing once."""
    return secrets.token_urlsafe(24)


def acting_user(username: str | None) -> User:
    """Return the user named by --as, or the first active administrator."""
    from hikeshi.accounts.selectors import first_site_admin

    if username:
        return find_user(username, hint=f"create one with `hikeshi user create {username}`")
    admin = first_site_admin()
    if admin is None:
        raise CliError("there is no administrator yet; run `hikeshi init`, or pass --as USER")
    return admin


def find_user(username: str, *, hint: str = "") -> User:
    """Return the active user named ``username``; ``hint`` follows the error if there is none."""
    from hikeshi.accounts.selectors import user_named

    user = user_named(username)
    if user is None:
        raise CliError(f"no user named {username!r}" + (f"; {hint}" if hint else ""))
    if not user.is_active:
        raise CliError(f"user {username!r} is deactivated")
    return user


def find_incident(user: User, incident_id: int, *, write: bool = False) -> Incident:
    """Return the incident if ``user`` may see it (and change it, with ``write``).

    A refusal (hikeshi.incidents.refusals) ends the command with its message, through
    reports_errors.
    """
    from hikeshi.incidents.access import incident_for

    return incident_for(user, incident_id, write=write)


def parse_time(value: str, option: str, zone: str = DEFAULT_ZONE) -> datetime:
    """Return the ISO 8601 time as a UTC instant; times without an offset are in ``zone``.

    The time must lie in hikeshi's range (hikeshi.bounds); anything else is a usage problem
    naming the option.
    """
    try:
        return bounds.parse_instant(option, value, bounds.display_zone(zone))
    except bounds.OutOfBounds as error:
        shown = bounds.clip(value, 40)
        raise UsageProblem(
            f"{option} {shown!r}: {error.english}; a time without an offset is read in {zone}"
        ) from None


def local_iso(value: datetime | None, zone: str) -> str | None:
    """Return the time in ``zone`` as ISO 8601 text, or None.

    A stored time outside hikeshi's range, or a zone that no longer loads, comes out in UTC
    (its +00:00 says so) rather than as an error.
    """
    if value is None:
        return None
    if not bounds.is_representable(value):
        return value.astimezone(UTC).isoformat()
    return value.astimezone(bounds.display_zone(zone)).isoformat()


def text_table(header: list[str], rows: list[list[str]]) -> list[str]:
    """Return the rows as aligned lines; the last column is not padded, so it never wraps early."""
    from rich.cells import cell_len  # counts a Japanese character as two columns

    widths = [max(cell_len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    lines = []
    for row in [header, *rows]:
        cells = [
            text + " " * (width - cell_len(text))
            for text, width in zip(row[:-1], widths, strict=True)
        ]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return lines


def print_json(data: Any) -> None:
    """Print ``data`` as indented JSON, Japanese text left readable."""
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
