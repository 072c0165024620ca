"""`hikeshi sitelog show`: the newest account events of the site log, as a table or JSON."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Annotated, Any

import typer

from hikeshi.cli.errors import UsageProblem, reports_errors
from hikeshi.cli.runtime import DEFAULT_ZONE, AsJson, local_iso, print_json, setup_django

if TYPE_CHECKING:
    from hikeshi.sitelog.models import SiteLogEntry

# Enough for a screen or a script; `hikeshi sitelog show --json` pages are not a backup.
LIMIT_MAX = 1000
# The table's width when the output is not a terminal (which would otherwise mean 80).
PIPED_WIDTH = 200

app = typer.Typer(help="Read the site log of account events.", no_args_is_help=True)


def _check_kind(kind: str | None) -> str | None:
    from hikeshi.sitelog.vocabulary import SiteEventKind

    if kind is None or kind in SiteEventKind.values:
        return kind
    known = ", ".join(SiteEventKind.values)
    raise UsageProblem(f"--kind {kind!r} is not an event kind; use one of: {known}")


def _check_zone(zone: str) -> str:
    from hikeshi.bounds import OutOfBounds, check_time_zone

    try:
        return check_time_zone("--zone", zone)
    except OutOfBounds:
        raise UsageProblem(
            f"--zone {zone!r} is not a time zone name; write it like Asia/Tokyo or UTC"
        ) from None


def _entry_json(entry: SiteLogEntry, zone: str) -> dict[str, Any]:
    from hikeshi.sitelog.vocabulary import kind_label

    return {
        "sequence": entry.sequence,
        "occurred_at": local_iso(entry.occurred_at, zone),
        "kind": entry.kind,
        "kind_label": kind_label(entry.kind),
        "actor": entry.actor_name,
        "subject": entry.subject,
        "client_address": entry.client_address,
        "detail": entry.detail,
        "record_hash": entry.record_hash,
    }


def _detail_text(detail: object) -> str:
    if not isinstance(detail, dict) or not detail:
        return "-"
    # Values as JSON writes them (true, null), texts as they are.
    return ", ".join(
        f"{key}={value if isinstance(value, str) else json.dumps(value)}"
        for key, value in detail.items()
    )


def _print_table(entries: list[SiteLogEntry], zone: str) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from hikeshi.sitelog.vocabulary import kind_label

    table = Table(highlight=False)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column(f"Time ({zone})", no_wrap=True)
    table.add_column("Event", overflow="fold")
    table.add_column("Account", overflow="fold")
    table.add_column("By", overflow="fold")
    table.add_column("Address", overflow="fold")
    table.add_column("Detail", overflow="fold")
    for entry in entries:
        when = local_iso(entry.occurred_at, zone) or ""
        # Text cells: a name like "[red]x" must be shown as typed, not read as Rich markup.
        table.add_row(
            Text(str(entry.sequence)),
            Text(when[:19].replace("T", " ")),
            Text(kind_label(entry.kind)),
            Text(entry.subject),
            Text(entry.actor_name),
            Text(entry.client_address or "-"),
            Text(_detail_text(entry.detail)),
        )
    console = Console(highlight=False)
    if not console.is_terminal and not os.environ.get("COLUMNS"):
        # Piped into a file or another program: lines wide enough that rows stay whole.
        console.width = PIPED_WIDTH
    console.print(table)


@app.command("show")
@reports_errors
def show(
    limit: Annotated[
        int, typer.Option(min=1, max=LIMIT_MAX, help="How many entries, newest first.")
    ] = 50,
    kind: Annotated[
        str | None,
        typer.Option(help="Only this kind of event, e.g. user_created or api_token_revoked."),
    ] = None,
    account: Annotated[
        str | None,
        typer.Option(help="Only events about this account or done by it (its user name)."),
    ] = None,
    zone: Annotated[str, typer.Option(help="Show times in this time zone.")] = DEFAULT_ZONE,
    as_json: AsJson = False,
) -> None:
    """Show the newest site log entries: account changes, tokens, sign-in lock-outs."""
    kind = _check_kind(kind)
    zone = _check_zone(zone)
    setup_django()
    from hikeshi.sitelog.audit import site_log_head
    from hikeshi.sitelog.selectors import SiteLogFilters, newest_entries

    shown = newest_entries(SiteLogFilters(kind=kind, account=account), limit)
    if as_json:
        print_json([_entry_json(entry, zone) for entry in shown])
        return
    length, head = site_log_head()
    if not shown:
        typer.echo("The site log is empty." if length == 0 else "No site log entries match.")
        return
    _print_table(shown, zone)
    typer.echo(
        f"{len(shown)} shown, newest first; {length} entries in all, head {head[:16]}… "
        "(`hikeshi audit verify` checks the chain)."
    )
