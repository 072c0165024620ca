"""For commands that start a background job: wait for it (`--wait`) or run it here (`--now`),
with a progress bar on stderr either way, then report how it ended.

A command offering both takes the two options below and ends with::

    job = run_here(kind, incident_id=..., actor=..., params=...) if now else enqueue_job(...)
    if wait and not now:
        job = wait_for_job(job.pk)
    report_outcome(job)
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)

from hikeshi.cli.errors import CliError

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from hikeshi.jobs.models import Job
    from hikeshi.jobs.progress import Snapshot

WaitOption = Annotated[
    bool, typer.Option("--wait", help="Wait until the job ends, showing its progress.")
]
NowOption = Annotated[
    bool,
    typer.Option(
        "--now", help="Run the job in this command instead of a worker, showing its progress."
    ),
]

# A job still waiting after this many seconds probably has no worker to run it.
NO_WORKER_HINT_AFTER = 10.0
# The exit status of a command stopped with Ctrl+C (128 + SIGINT), as shells report it.
INTERRUPTED = 130


@contextmanager
def progress_bar(job: Job, console: Console | None = None) -> Iterator[tuple[Progress, TaskID]]:
    """Yield a Rich progress bar on stderr (and its task) for the job."""
    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[counts]}"),
        TextColumn("{task.fields[phase]}"),
        TimeElapsedColumn(),
        console=console or Console(stderr=True),
    )
    with bar:
        task = bar.add_task(f"#{job.pk} {job.kind_label}", total=None, counts="", phase="")
        yield bar, task


def _show(bar: Progress, task: TaskID, job: Job, done: int, total: int, phase: str) -> None:
    from django.utils.translation import gettext

    from hikeshi.jobs.presentation import JobView

    job.progress_done, job.progress_total = done, total
    bar.update(
        task,
        completed=done,
        total=total or None,
        counts=JobView(job, False, "UTC").counts,
        phase=gettext(phase) if phase else "",
    )


def _read(job_id: int) -> Job:
    from hikeshi.jobs.selectors import job_by_id

    job = job_by_id(job_id)
    if job is None:
        raise CliError(f"job #{job_id} no longer exists")
    return job


def wait_for_job(job_id: int, *, poll_every: float = 0.5, console: Console | None = None) -> Job:
    """Return the job once it has ended, showing its progress meanwhile.

    Ctrl+C stops the waiting, not the job (CliError, exit status 130, saying how to follow it).
    """
    from hikeshi.jobs.board import board

    job = _read(job_id)
    started = time.monotonic()
    hinted = False
    try:
        with progress_bar(job, console) as (bar, task):
            while True:
                job = _read(job_id)
                board().overlay([job])
                waited = time.monotonic() - started
                if job.is_active:
                    phase = job.phase if job.state != "queued" else "Waiting for a worker"
                    _show(bar, task, job, job.progress_done, job.progress_total, phase)
                    if job.state == "queued" and waited > NO_WORKER_HINT_AFTER and not hinted:
                        hinted = True
                        bar.console.print(
                            f"Job #{job_id} is still waiting: is a worker running "
                            "(`hikeshi worker`, or `hikeshi serve` without --no-worker)?"
                        )
                    time.sleep(poll_every)
                    continue
                if job.state == "done":
                    _show(bar, task, job, job.progress_done, job.progress_total, "")
                return job
    except KeyboardInterrupt:
        raise CliError(
            f"stopped waiting; job #{job_id} goes on in the worker "
            f"(`hikeshi job show {job_id}`, `hikeshi job cancel {job_id}`)",
            INTERRUPTED,
        ) from None


def run_here(
    kind: str,
    *,
    incident_id: int | None,
    actor: User | None,
    params: dict[str, Any] | None = None,
    console: Console | None = None,
) -> Job:
    """Return the job after running it in this process, showing its progress meanwhile.

    It is a job like any other (it shows on the incident's page while it runs). Ctrl+C
    cancels it; its work is rolled back (CliError, exit status 130).
    """
    from hikeshi.jobs import runner
    from hikeshi.jobs.services import enqueue_job

    job = enqueue_job(kind, incident_id=incident_id, actor=actor, params=params, queue=False)
    with progress_bar(job, console) as (bar, task):

        def listen(snapshot: Snapshot) -> None:
            _show(bar, task, job, snapshot.done, snapshot.total, snapshot.phase)

        try:
            # No sweep here: ending other workers' jobs is the workers' business.
            with runner.Housekeeper(sweep=False):
                ended = runner.execute(job.pk, on_stop="cancel", listener=listen)
        except KeyboardInterrupt:
            raise CliError(
                f"stopped: job #{job.pk} was cancelled and its work rolled back", INTERRUPTED
            ) from None
    if ended is None:
        raise CliError(f"job #{job.pk} was cancelled before it started")
    return ended


def report_outcome(job: Job) -> None:
    """Print how the job ended (its result); CliError if it failed or was cancelled."""
    if job.state == "done":
        typer.echo(f"Job #{job.pk} ({job.kind_label}) done.")
        for key, value in job.result.items():
            typer.echo(f"  {key}: {value}")
    elif job.state == "failed":
        raise CliError(f"job #{job.pk} failed: {job.failure_text}")
    elif job.state == "cancelled":
        raise CliError(f"job #{job.pk} was cancelled")
    else:
        typer.echo(
            f"Job #{job.pk} ({job.kind_label}) is queued; follow it with "
            f"`hikeshi job show {job.pk}`."
        )
