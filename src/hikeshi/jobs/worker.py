"""The worker loop: django-tasks-db's database worker, running hikeshi's jobs.

The database is the queue (no broker): each worker claims the next task in a short
transaction (SQLite: an exclusive one; PostgreSQL: ``SELECT … FOR UPDATE SKIP LOCKED``), so
any number of workers can share a PostgreSQL database, and SQLite needs nothing else.
"""

from __future__ import annotations

import logging
from types import FrameType

from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME
from django_tasks_db.management.commands.db_worker import Worker

from hikeshi.jobs import progress, runner

logger = logging.getLogger("hikeshi.jobs")


class JobWorker(Worker):
    """The database worker, telling running jobs to stop at their next batch on a signal."""

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        """Stop after the running job's current batch; a second signal stops at once."""
        progress.request_stop()
        super().shutdown(signum, frame)


def run_worker(
    *,
    interval: float = 1.0,
    batch: bool = False,
    max_jobs: int | None = None,
    parent_pid: int | None = None,
) -> str:
    """Return this worker's identity once it stops (``batch``: when the queue is empty).

    Jobs whose worker died are ended first (see runner.recover_abandoned_jobs), then again
    every half minute, by a thread that also keeps the running job's heartbeat.
    ``parent_pid``: stop when that process is gone (the worker `hikeshi serve` starts).
    """
    identity = runner.new_identity("worker")
    runner.become(identity)
    progress.clear_stop()
    recovered = runner.recover_abandoned_jobs()
    if recovered:
        logger.warning("ended %d job(s) whose worker had stopped: %s", len(recovered), recovered)
    runner.prune_finished_tasks()
    worker = JobWorker(
        queue_names=[DEFAULT_TASK_QUEUE_NAME],
        interval=interval,
        batch=batch,
        backend_name=DEFAULT_TASK_BACKEND_ALIAS,
        # Several workers started at once spread their first look at the queue.
        startup_delay=not batch,
        max_tasks=max_jobs,
        worker_id=identity,
        excluded_queue_names=[],
    )
    worker.configure_signals()
    try:
        with runner.Housekeeper(sweep=True, parent_pid=parent_pid):
            worker.run()
    finally:
        worker.reset_signals()
        progress.clear_stop()
    return identity
