"""`hikeshi audit verify`: check every incident's hash chain of action records."""

from __future__ import annotations

import typer

from hikeshi.cli.errors import reports_errors
from hikeshi.cli.runtime import setup_django

app = typer.Typer(help="Check the tamper-evident action records.", no_args_is_help=True)


@app.command("verify")
@reports_errors
def verify() -> None:
    """Verify every chain; exit 1 naming the first bad record of each broken chain."""
    setup_django()
    from hikeshi.incidents.audit import verify_all

    incidents = records = 0
    breaks = []
    for incident, chain_break in verify_all():
        incidents += 1
        if chain_break is None:
            records += incident.audit_length
        else:
            breaks.append(chain_break)
    if breaks:
        for chain_break in breaks:
            typer.echo(f"Error: broken chain at {chain_break.describe()}", err=True)
        typer.echo(
            f"{len(breaks)} of {incidents} incidents have a broken action-record chain; "
            "compare with a backup before trusting these records.",
            err=True,
        )
        raise typer.Exit(1)
    typer.echo(f"Verified {incidents} incidents and {records} action records: all intact.")
