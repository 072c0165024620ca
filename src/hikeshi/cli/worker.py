"""`hikeshi worker`: run background jobs until stopped (Ctrl+C or SIGTERM stop it gracefully)."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from hikeshi.cli.errors import reports_errors
from hikeshi.cli.runtime import setup_django


@reports_errors
def worker(
    interval: Annotated[
        float,
        typer.Option(min=0.1, max=60, help="Seconds between two looks at an empty queue."),
    ] = 1.0,
    batch: Annotated[
        bool, typer.Option("--batch", help="Run the jobs waiting now, then stop.")
    ] = False,
    max_jobs: Annotated[
        int | None, typer.Option(min=1, help="Stop after running this many jobs.")
    ] = None,
    parent_pid: Annotated[
        int | None,
        typer.Option(hidden=True, help="Stop when this process is gone (set by `hikeshi serve`)."),
    ] = None,
) -> None:
    """Run background jobs (imports, checks) until stopped; start several for more at once.

    Ctrl+C or SIGTERM lets the running job stop after its current step and puts it back in
    the queue; a second one stops at once (the job's work is rolled back either way).
    """
    setup_django()
    from hikeshi.jobs.worker import run_worker

    # The worker's own lines (job started / done / failed, with tracebacks) on stderr.
    logging.getLogger("hikeshi.jobs").setLevel(logging.INFO)
    logging.getLogger("django_tasks_db").setLevel(logging.INFO)
    typer.echo("hikeshi worker: waiting for jobs (press Ctrl+C to stop)", err=True)
    identity = run_worker(interval=interval, batch=batch, max_jobs=max_jobs, parent_pid=parent_pid)
    typer.echo(f"hikeshi worker {identity}: stopped", err=True)
