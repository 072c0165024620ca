"""`hikeshi action add`: record what was done, when, where and how."""

from __future__ import annotations

from typing import Annotated

import typer

from hikeshi.cli.errors import reports_errors
from hikeshi.cli.records import action_json
from hikeshi.cli.runtime import (
    AsJson,
    AsUser,
    acting_user,
    find_incident,
    parse_time,
    print_json,
    setup_django,
)

app = typer.Typer(help="Record actions taken in an incident.", no_args_is_help=True)


@app.command("add")
@reports_errors
def add_action(
    incident_id: Annotated[int, typer.Argument(metavar="INCIDENT", help="Incident number.")],
    what: Annotated[str, typer.Option(help="What was done.")],
    scope: Annotated[str, typer.Option(help="Where: machines, accounts, folders (範囲).")] = "",
    settings: Annotated[str, typer.Option(help="How: the settings applied (設定内容).")] = "",
    note: Annotated[str, typer.Option(help="Anything else worth keeping.")] = "",
    at: Annotated[
        str | None,
        typer.Option(
            help="When it was done, ISO 8601 (default: now; no offset means the incident's "
            "time zone)."
        ),
    ] = None,
    as_user: AsUser = None,
    as_json: AsJson = False,
) -> None:
    """Append an action record to the incident's hash chain."""
    setup_django()
    from hikeshi.incidents.services.actions import ActionInput, append_action

    actor = acting_user(as_user)
    incident = find_incident(actor, incident_id, write=True)
    performed_at = parse_time(at, "--at", incident.time_zone) if at else None
    record = append_action(
        incident.pk,
        actor,
        ActionInput(
            what=what, performed_at=performed_at, scope=scope, settings=settings, note=note
        ),
    )
    if as_json:
        print_json(action_json(record, incident.time_zone))
    else:
        typer.echo(f"Recorded action #{record.sequence} in incident #{incident.pk}: {record.what}")
