"""`hikeshi timeline …`: export the timeline (Timesketch fields) and import events from CSV."""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hikeshi.cli.errors import CliError, reports_errors
from hikeshi.cli.runtime import AsUser, acting_user, find_incident, setup_django

if TYPE_CHECKING:
    from hikeshi.incidents.services.timeline import TimelineEntry

app = typer.Typer(help="Export and import incident timelines.", no_args_is_help=True)


class ExportFormat(StrEnum):
    """The file formats of a timeline export."""

    CSV = "csv"
    JSONL = "jsonl"


@app.command("export")
@reports_errors
def export_timeline(
    incident_id: Annotated[int, typer.Argument(metavar="INCIDENT", help="Incident number.")],
    export_format: Annotated[
        ExportFormat, typer.Option("--format", help="CSV or JSON Lines, Timesketch columns.")
    ] = ExportFormat.CSV,
    output: Annotated[
        Path | None,
        typer.Option(dir_okay=False, writable=True, help="Write here instead of stdout."),
    ] = None,
    as_user: AsUser = None,
) -> None:
    """Export events and action records, oldest first, times in UTC."""
    setup_django()
    from hikeshi.incidents.services.timeline import Timeline, export_csv, export_jsonl

    incident = find_incident(acting_user(as_user), incident_id)
    written = 0

    def entries() -> Iterator[TimelineEntry]:
        nonlocal written
        for entry in Timeline(incident):
            written += 1
            yield entry

    chunks = export_csv(entries()) if export_format is ExportFormat.CSV else export_jsonl(entries())
    if output is None:
        for chunk in chunks:
            typer.echo(chunk, nl=False)
        return
    try:
        with output.open("w", encoding="utf-8", newline="") as handle:
            handle.writelines(chunks)
    except OSError as error:
        raise CliError(f"cannot write {output}: {error.strerror or error}") from None
    typer.echo(f"Wrote {written} timeline entries to {output}", err=True)


@app.command("import")
@reports_errors
def import_timeline(
    incident_id: Annotated[int, typer.Argument(metavar="INCIDENT", help="Incident number.")],
    file: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            help="CSV with a datetime (or timestamp) and a message (or description) column.",
        ),
    ],
    as_user: AsUser = None,
) -> None:
    """Import timeline events from CSV (UTF-8 or Shift_JIS); bad lines are listed, not taken."""
    setup_django()
    from hikeshi.incidents.services.timeline import import_csv

    actor = acting_user(as_user)
    incident = find_incident(actor, incident_id, write=True)
    try:
        content = file.read_bytes()
    except OSError as error:
        raise CliError(f"cannot read {file}: {error.strerror or error}") from None
    report = import_csv(actor, incident, file.name, content)
    if report.error:
        raise CliError(report.error)
    typer.echo(
        f"Imported {report.imported} events into incident #{incident.pk}; "
        f"rejected {len(report.rejected)} lines."
    )
    for rejected in report.rejected:
        typer.echo(f"  {file.name}, line {rejected.line}: {rejected.reason}")
