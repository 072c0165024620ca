"""`hikeshi incident …`: open, list and show incidents."""

from __future__ import annotations

from typing import Annotated

import typer

from hikeshi.cli.errors import reports_errors
from hikeshi.cli.records import action_json, incident_json
from hikeshi.cli.runtime import (
    DEFAULT_ZONE,
    AsJson,
    AsUser,
    acting_user,
    find_incident,
    local_iso,
    parse_time,
    print_json,
    setup_django,
    text_table,
)

app = typer.Typer(help="Open, list and show incidents.", no_args_is_help=True)

# `incident show` lists the newest action records, at most this many.
ACTIONS_SHOWN = 200


@app.command("create")
@reports_errors
def create_incident(
    title: Annotated[str, typer.Option(help="Short title of the incident.")],
    types: Annotated[
        list[str],
        typer.Option(
            "--type",
            metavar="TYPE",
            help="Incident type, repeatable: apt, banking_fraud, ransomware, insider, "
            "information_leak, virus_infection, system_outage, spoofed_email, web_tampering, "
            "account_takeover.",
        ),
    ],
    detected_at: Annotated[
        str | None,
        typer.Option(
            help=f"When it was detected, ISO 8601 (default: now; no offset means {DEFAULT_ZONE})."
        ),
    ] = None,
    as_user: AsUser = None,
    as_json: AsJson = False,
) -> None:
    """Open an incident; the acting user becomes its lead."""
    detected = parse_time(detected_at, "--detected-at") if detected_at else None
    setup_django()
    from django.utils import timezone

    from hikeshi.incidents.services.incidents import IncidentInput, open_incident

    actor = acting_user(as_user)
    incident = open_incident(
        actor,
        IncidentInput(title=title, detected_at=detected or timezone.now(), types=list(types)),
    )
    if as_json:
        print_json(incident_json(incident))
    else:
        typer.echo(f"Opened incident #{incident.pk}: {incident.title}")


@app.command("list")
@reports_errors
def list_incidents(
    limit: Annotated[
        int, typer.Option(min=1, max=10_000, help="How many, most urgent first.")
    ] = 100,
    as_user: AsUser = None,
    as_json: AsJson = False,
) -> None:
    """List the incidents the acting user may see, most urgent first."""
    setup_django()
    from hikeshi.incidents.selectors.incidents import listed_incidents

    user = acting_user(as_user)
    incidents = list(listed_incidents(user)[:limit])
    if as_json:
        print_json([incident_json(incident) for incident in incidents])
        return
    if not incidents:
        typer.echo(
            f"No incidents that {user.get_username()} takes part in. "
            "Open one with `hikeshi incident create`."
        )
        return
    rows = [
        [
            str(incident.pk),
            str(incident.get_priority_display()),
            str(incident.get_status_display()),
            (local_iso(incident.detected_at, incident.time_zone) or "")[:16].replace("T", " "),
            ",".join(incident.types),
            incident.title,
        ]
        for incident in incidents
    ]
    for line in text_table(["ID", "Priority", "Status", "Detected", "Types", "Title"], rows):
        typer.echo(line)


@app.command("show")
@reports_errors
def show_incident(
    incident_id: Annotated[int, typer.Argument(metavar="INCIDENT", help="Incident number.")],
    as_user: AsUser = None,
    as_json: AsJson = False,
) -> None:
    """Show one incident with its newest action records, oldest of them first."""
    setup_django()
    from hikeshi.incidents.selectors.actions import latest_actions

    incident = find_incident(acting_user(as_user), incident_id)
    records = latest_actions(incident.pk, ACTIONS_SHOWN)[::-1]
    zone = incident.time_zone
    if as_json:
        print_json({**incident_json(incident), "actions": [action_json(r, zone) for r in records]})
        return
    for key, value in incident_json(incident).items():
        if value not in ("", None, []):
            typer.echo(f"{key}: {', '.join(value) if isinstance(value, list) else value}")
    typer.echo("\nAction records:")
    for record in records:
        when = (local_iso(record.performed_at, zone) or "")[:16].replace("T", " ")
        # The label, not the stored key; bookkeeping is marked so a reader can skip it.
        mark = "·" if record.is_bookkeeping else " "
        typer.echo(
            f"  {record.sequence:>3} {mark} {when}  [{record.kind_label}]  "
            f"{record.actor_name}  {record.what}"
        )
