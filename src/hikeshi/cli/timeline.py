"""`hikeshi timeline …`: export the timeline (Timesketch fields) and import events from CSV."""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hikeshi.cli.errors import CliError, UsageProblem, reports_errors
from hikeshi.cli.job_progress import NowOption, WaitOption, report_outcome, run_here, wait_for_job
from hikeshi.cli.runtime import AsUser, acting_user, find_incident, setup_django

if TYPE_CHECKING:
    from hikeshi.incidents.selectors.timeline import TimelineEntry

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
    bom: Annotated[
        bool,
        typer.Option(
            "--bom",
            help="Start the CSV with a UTF-8 byte order mark, so that Excel (Japanese "
            "Windows included) opens it correctly.",
        ),
    ] = False,
    local_time: Annotated[
        bool,
        typer.Option(
            "--local-time",
            help="Add local_datetime (the incident's time zone, with its offset) and "
            "time_zone columns after the UTC ones.",
        ),
    ] = False,
    as_user: AsUser = None,
) -> None:
    """Export events and action records, oldest first, times in UTC (and local on request).

    Cells a spreadsheet would run as a formula (=, +, -, @ first) are prefixed with '.
    """
    setup_django()
    from zoneinfo import ZoneInfo

    from hikeshi.incidents.selectors.timeline import entries as timeline_entries
    from hikeshi.incidents.services.timeline_export import (
        ExportOptions,
        export_csv,
        export_jsonl,
    )

    incident = find_incident(acting_user(as_user), incident_id)
    if bom and export_format is not ExportFormat.CSV:
        raise UsageProblem("--bom applies to CSV only (JSON Lines never carries one)")
    options = ExportOptions(bom=bom, zone=ZoneInfo(incident.time_zone) if local_time else None)
    written = 0

    def entries() -> Iterator[TimelineEntry]:
        nonlocal written
        for entry in timeline_entries(incident.pk):
            written += 1
            yield entry

    chunks = (
        export_csv(entries(), options)
        if export_format is ExportFormat.CSV
        else export_jsonl(entries(), options)
    )
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
    wait: WaitOption = False,
    now: NowOption = False,
) -> None:
    """Import timeline events from CSV (UTF-8 or Shift_JIS); bad lines are listed, not taken.

    The file is copied into the incident's uploads folder while its SHA-256 is computed
    (recorded in the action record), then imported as a background job read a row at a time.
    By default (and with --now) the job runs in this command with a progress bar; --wait
    hands it to a worker and follows it. Either way it shows on the incident's page.
    """
    if wait and now:
        raise UsageProblem("--wait and --now cannot be used together; choose one")
    setup_django()
    from hikeshi.incidents.services.errors import InvalidInput
    from hikeshi.incidents.services.timeline_import import report_from_summary, store_for_job
    from hikeshi.incidents.workspace import chunks_of
    from hikeshi.jobs.services import enqueue_job
    from hikeshi.jobs.vocabulary import JobKind

    actor = acting_user(as_user)
    incident = find_incident(actor, incident_id, write=True)
    try:
        with file.open("rb") as handle:
            params = store_for_job(incident, file.name, chunks_of(handle))
    except OSError as error:
        raise CliError(f"cannot read {file}: {error.strerror or error}") from None
    except InvalidInput as error:
        raise CliError(error.english) from None
    if wait:
        queued = enqueue_job(
            JobKind.TIMELINE_IMPORT, incident_id=incident.pk, actor=actor, params=params
        )
        job = wait_for_job(queued.pk)
    else:
        job = run_here(JobKind.TIMELINE_IMPORT, incident_id=incident.pk, actor=actor, params=params)
    if job.state == "failed":
        raise CliError(f"{file.name}: {job.failure_text}")
    if job.state != "done":
        report_outcome(job)
        return
    report = report_from_summary(job.result)
    typer.echo(
        f"Imported {report.imported} events into incident #{incident.pk}; "
        f"rejected {report.rejected_count} lines."
    )
    for rejected in report.rejected:
        where = "lines" if rejected.last_line > rejected.line else "line"
        typer.echo(f"  {report.filename}, {where} {rejected.lines}: {rejected.reason}")
    if report.rejected_count > len(report.rejected):
        typer.echo(f"  ... and {report.rejected_count - len(report.rejected)} more rejected rows")
    typer.echo(f"Stored as {params['stored_path']} (SHA-256 {report.sha256})", err=True)
