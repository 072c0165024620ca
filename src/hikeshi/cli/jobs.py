"""`hikeshi job …`: list, show and cancel background jobs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from hikeshi.cli.errors import CliError, reports_errors
from hikeshi.cli.runtime import (
    DEFAULT_ZONE,
    AsJson,
    AsUser,
    acting_user,
    find_incident,
    local_iso,
    print_json,
    setup_django,
    text_table,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from hikeshi.jobs.models import Job

app = typer.Typer(help="List, show and cancel background jobs.", no_args_is_help=True)

JobId = Annotated[int, typer.Argument(metavar="JOB", help="Job number (`hikeshi job list`).")]


def job_json(job: Job) -> dict[str, Any]:
    """Return the job as JSON values, times in its incident's time zone, texts in English."""
    from hikeshi.jobs.presentation import JobView

    zone = job.incident.time_zone if job.incident is not None else DEFAULT_ZONE
    view = JobView(job, False, zone)
    return {
        "id": job.pk,
        "kind": job.kind,
        "kind_label": job.kind_label,
        "incident": job.incident_id,
        "state": job.state,
        "started_by": job.started_by.get_username() if job.started_by else None,
        "progress": {
            "done": job.progress_done,
            "total": job.progress_total,
            "percent": view.percent,
            "phase": job.phase_label,
        },
        "created_at": local_iso(job.created_at, zone),
        "started_at": local_iso(job.started_at, zone),
        "finished_at": local_iso(job.finished_at, zone),
        "cancel_requested_at": local_iso(job.cancel_requested_at, zone),
        "result": job.result,
        "failure": job.failure_text or None,
        "worker": job.worker or None,
    }


def find_job(user: User, job_id: int) -> Job:
    """Return the job if ``user`` may see it, with its live progress."""
    from hikeshi.jobs.access import seen_job
    from hikeshi.jobs.board import board

    job = seen_job(user, job_id)
    board().overlay([job])
    return job


def _progress_text(job: Job) -> str:
    from hikeshi.jobs.presentation import JobView

    view = JobView(job, False, DEFAULT_ZONE)
    parts = [f"{view.percent}%" if view.percent is not None else "", view.counts]
    if job.is_active and job.phase_label:
        parts.append(job.phase_label)
    return " ".join(part for part in parts if part)


@app.command("list")
@reports_errors
def list_jobs(
    incident_id: Annotated[
        int | None, typer.Option("--incident", metavar="INCIDENT", help="Only this incident's.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many, newest first.")] = 50,
    as_user: AsUser = None,
    as_json: AsJson = False,
) -> None:
    """List the jobs the acting user may see, newest first."""
    setup_django()
    from hikeshi.jobs.board import board
    from hikeshi.jobs.selectors import listed_jobs

    user = acting_user(as_user)
    incident = find_incident(user, incident_id) if incident_id is not None else None
    listed = listed_jobs(user, incident=incident, limit=limit)
    board().overlay(listed)
    if as_json:
        print_json([job_json(job) for job in listed])
        return
    if not listed:
        typer.echo(f"No background jobs that {user.get_username()} may see.")
        return
    rows = [
        [
            str(job.pk),
            f"#{job.incident_id}" if job.incident_id else "-",
            job.kind,
            job.state,
            _progress_text(job),
            job.started_by.get_username() if job.started_by else "hikeshi",
            (local_iso(job.created_at, DEFAULT_ZONE) or "")[:19].replace("T", " "),
        ]
        for job in listed
    ]
    header = ["ID", "Incident", "Kind", "State", "Progress", "Started by", "Queued"]
    for line in text_table(header, rows):
        typer.echo(line)


@app.command("show")
@reports_errors
def show_job(job_id: JobId, as_user: AsUser = None, as_json: AsJson = False) -> None:
    """Show one job: its progress, and its result or why it failed."""
    setup_django()
    job = find_job(acting_user(as_user), job_id)
    data = job_json(job)
    if as_json:
        print_json(data)
        return
    typer.echo(f"Job #{job.pk}: {job.kind_label} ({job.kind})")
    typer.echo(f"state: {job.state}")
    if job.incident_id:
        typer.echo(f"incident: #{job.incident_id}")
    if job.is_active:
        typer.echo(f"progress: {_progress_text(job) or 'not started'}")
    for key in ("started_by", "created_at", "started_at", "finished_at", "cancel_requested_at"):
        if data[key]:
            typer.echo(f"{key.replace('_', ' ')}: {data[key]}")
    for key, value in job.result.items():
        typer.echo(f"result {key}: {value}")
    if job.failure_text:
        typer.echo(f"failure: {job.failure_text}")


@app.command("cancel")
@reports_errors
def cancel_job(job_id: JobId, as_user: AsUser = None) -> None:
    """Stop a job: a waiting one at once, a running one after its current step."""
    setup_django()
    from hikeshi.incidents.services.errors import InvalidInput
    from hikeshi.jobs.access import check_may_cancel
    from hikeshi.jobs.services import request_cancel
    from hikeshi.jobs.vocabulary import JobState

    user = acting_user(as_user)
    job = find_job(user, job_id)
    check_may_cancel(user, job)
    try:
        job = request_cancel(job.pk, user)
    except InvalidInput as refused:
        # The refusal names the job already; the generic "field: message" would repeat it.
        raise CliError(refused.english) from None
    if job.state == JobState.CANCELLED:
        typer.echo(f"Job #{job.pk} was cancelled before it started.")
    else:
        typer.echo(
            f"Job #{job.pk} was asked to stop; it stops after its current step "
            f"(`hikeshi job show {job.pk}`)."
        )
