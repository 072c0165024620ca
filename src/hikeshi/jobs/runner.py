"""Running one job, keeping running jobs' heartbeats, and ending the jobs of dead workers.

What happens when the work does not simply finish:
- a cancel request: the work raises JobCancelled at its next batch; its transaction rolls
  back and the job ends *cancelled*;
- the worker is stopped (Ctrl+C, SIGTERM): the work raises JobInterrupted at its next
  batch (or is interrupted where it is on a second signal), rolls back, and the job goes
  back to the queue to start again from the beginning in the next worker;
- the worker is killed (``kill -9``, power loss): the database rolls the open transaction
  back. The next sweep, by any worker, ends the job *failed* with a message saying the
  worker stopped and to start it again. It is not retried by itself: work that kills its
  worker (memory, a bad file) would otherwise kill every worker in turn.
- a refusal of the access rules (who started the job may no longer change its incident):
  the job ends *failed* with the refusal's message;
- an error: the traceback goes to the server log; the job ends *failed* with a message a
  responder can act on (the error's own for JobFailed and service refusals, otherwise a
  reference to find the log entry).
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import signal
import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, Literal

from django.db import connections, transaction
from django.utils import timezone

from hikeshi.incidents.access import incident_for
from hikeshi.incidents.refusals import AccessRefused
from hikeshi.incidents.services.errors import InvalidInput
from hikeshi.jobs import progress
from hikeshi.jobs.board import BOARD_ERRORS, JobRef, board
from hikeshi.jobs.models import Job
from hikeshi.jobs.progress import JobCancelled, JobFailed, JobInterrupted, ProgressReporter
from hikeshi.jobs.registry import KindSpec, registered
from hikeshi.jobs.services import fail_job, finish_job, mark_cancelled, requeue_job
from hikeshi.jobs.vocabulary import (
    PHASE_STARTING,
    QUEUE_ENTRY_LOST,
    UNEXPECTED_ERROR,
    UNKNOWN_KIND,
    WORKER_LOST,
    JobState,
)

logger = logging.getLogger("hikeshi.jobs")

# A running job's worker writes a heartbeat this often; a job without one for STALE_AFTER
# seconds is taken for abandoned (its worker died on another machine). A dead worker on
# this machine is noticed at once, by its process id.
HEARTBEAT_EVERY = 5.0
STALE_AFTER = 60.0
# How often a worker looks for jobs whose worker died.
SWEEP_EVERY = 30.0
# Finished tasks (the queue's own rows) are deleted after this long; the jobs keep the
# history people read. A worker prunes at start and then hourly.
TASK_RESULTS_KEPT = timedelta(days=14)
PRUNE_EVERY = 3600.0

OnStop = Literal["requeue", "cancel"]

_identity: str | None = None


def new_identity(role: str = "worker") -> str:
    """Return a worker identity: this machine, this process, and a random part."""
    host = socket.gethostname()[:40] or "localhost"
    return f"{host}/{os.getpid()}/{role}-{secrets.token_hex(4)}"


def become(identity: str) -> None:
    """Make ``identity`` the name under which this process runs jobs."""
    global _identity
    _identity = identity


def current_identity() -> str:
    """Return the name under which this process runs jobs (made up on first use)."""
    global _identity
    if _identity is None or _identity.split("/")[1:2] != [str(os.getpid())]:
        # Not named yet, or named before a fork: a process of its own gets its own name.
        _identity = new_identity("process")
    return _identity


def _worker_gone(identity: str) -> bool:
    """Return whether the named worker certainly no longer runs (same machine, no process)."""
    parts = identity.split("/")
    if len(parts) < 3 or parts[0] != (socket.gethostname()[:40] or "localhost"):
        return False
    try:
        pid = int(parts[1])
    except ValueError:
        return False
    if pid == os.getpid():
        # This process: it runs the job unless it is an earlier process with the same id.
        return identity != current_identity()
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _plain_summary(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise TypeError(f"a job's work must return a dict or None, not {type(value).__name__}")
    summary: dict[str, Any] = json.loads(json.dumps(value, allow_nan=False))
    return summary


def _claim(job_id: int) -> Job | None:
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, state=JobState.QUEUED).update(
        state=JobState.RUNNING,
        started_at=now,
        worker=current_identity(),
        heartbeat_at=now,
        phase=PHASE_STARTING,
        progress_done=0,
        progress_total=0,
        progress_at=None,
    )
    if not claimed:
        return None
    return Job.objects.select_related("incident", "started_by").get(pk=job_id)


class _Superseded(Exception):
    """The job was ended by someone else (a sweep) while it ran: its work must not stay."""


def _work(job: Job, spec: KindSpec) -> None:
    if job.started_by is not None and job.incident_id is not None:
        # The person may have lost their role since they started it: the work is theirs.
        incident_for(job.started_by, job.incident_id, write=True)
    reporter = ProgressReporter(job)
    if spec.transactional:
        with transaction.atomic():
            summary = _plain_summary(spec.work(job, reporter))
            if not finish_job(job, summary):
                raise _Superseded
    else:
        summary = _plain_summary(spec.work(job, reporter))
        if not finish_job(job, summary):
            raise _Superseded


def _stopped(job: Job, on_stop: OnStop) -> None:
    if on_stop == "requeue" and requeue_job(job):
        logger.info("job %s: the worker is stopping; back in the queue", job.pk)
    elif on_stop == "cancel":
        mark_cancelled(job)
        logger.info("job %s: stopped before it finished; cancelled", job.pk)
    else:
        fail_job(job, WORKER_LOST)


def execute(
    job_id: int, *, on_stop: OnStop = "requeue", listener: progress.Listener | None = None
) -> Job | None:
    """Return the job after running it here, or None if it was not waiting to run.

    ``on_stop``: what becomes of the job if this process is stopped while it runs (a worker
    puts it back in the queue; the CLI running it in its own process cancels it).
    ``listener`` receives every progress report unthrottled (the CLI's progress bar).
    """
    job = _claim(job_id)
    if job is None:
        logger.info("job %s is no longer waiting to run; skipped", job_id)
        return None
    ref = JobRef.of(job)
    progress.track(job, listener)
    started = time.monotonic()
    logger.info("job %s (%s) started on %s", job.pk, job.kind, job.worker)
    try:
        # Through report_progress: a board that cannot be written must not stop the job.
        progress.report_progress(job.pk, 0, 0, PHASE_STARTING)
        spec = registered(job.kind)
        if spec is None:
            raise JobFailed(UNKNOWN_KIND, kind=job.kind)
        _work(job, spec)
    except _Superseded:
        logger.warning("job %s was ended elsewhere while it ran; its work was undone", job.pk)
    except JobInterrupted:
        _stopped(job, on_stop)
    except JobCancelled:
        mark_cancelled(job)
        logger.info("job %s cancelled", job.pk)
    except JobFailed as error:
        fail_job(job, error.message, error.params)
        logger.info("job %s failed: %s", job.pk, error)
    except InvalidInput as error:
        fail_job(job, error.message, error.params)
        logger.info("job %s failed: %s", job.pk, error.english)
    except AccessRefused as error:
        fail_job(job, error.message, error.params)
        logger.info("job %s refused: %s", job.pk, error.english)
    except Exception:
        reference = f"job-{job.pk}-{secrets.token_hex(3)}"
        # The traceback is for the server log only; the job keeps a reference to it.
        logger.exception("job %s (%s) failed unexpectedly [%s]", job.pk, job.kind, reference)
        fail_job(job, UNEXPECTED_ERROR, {"reference": reference})
    except BaseException:
        # A second Ctrl+C / SIGTERM, or the process exiting: the transaction rolled back.
        _stopped(job, on_stop)
        raise
    else:
        logger.info("job %s done in %.1f s", job.pk, time.monotonic() - started)
    finally:
        progress.untrack(job.pk)
        _forget(ref)
        board().release()
    return Job.objects.filter(pk=job.pk).first()


def _forget(ref: JobRef) -> None:
    try:
        board().forget(ref)
    except BOARD_ERRORS:
        # A stale entry is harmless: nothing reads the board for a job that has ended.
        logger.warning("job %s: could not clear its live progress", ref.pk, exc_info=True)


def _stale(last_sign: datetime | None, now: datetime) -> bool:
    return last_sign is None or now - last_sign > timedelta(seconds=STALE_AFTER)


def _fail_task(task_result_id: str) -> None:
    from django_tasks_db.models import DBTaskResult

    if not task_result_id:
        return
    # The task stays RUNNING for ever otherwise; its job says what happened.
    DBTaskResult.objects.filter(id=task_result_id, status="RUNNING").update(
        status="FAILED",
        finished_at=timezone.now(),
        exception_class_path="hikeshi.jobs.runner.WorkerLost",
        traceback="",
    )


def recover_abandoned_jobs(now: datetime | None = None) -> list[int]:
    """Return the ids of the jobs ended as failed because their worker died.

    A running job is abandoned when its worker process is gone from this machine, or when
    it has had no heartbeat for STALE_AFTER seconds. A queued job is abandoned when its
    queue entry is gone, or was claimed by a worker that died before starting it.
    """
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    mine = {ref.pk for ref in progress.tracked_jobs()}
    ended: list[int] = []
    running = [job for job in Job.objects.filter(state=JobState.RUNNING) if job.pk not in mine]
    board().overlay(running)
    for job in running:
        if _worker_gone(job.worker) or _stale(job.heartbeat_at or job.started_at, now):
            if fail_job(job, WORKER_LOST, worker=job.worker):
                logger.warning("job %s: its worker %s stopped; marked failed", job.pk, job.worker)
                ended.append(job.pk)
            _fail_task(job.task_result_id)
            _forget(JobRef.of(job))
    queued = list(Job.objects.filter(state=JobState.QUEUED).exclude(task_result_id=""))
    tasks = {
        str(task.id): task
        for task in DBTaskResult.objects.filter(id__in=[job.task_result_id for job in queued])
    }
    for job in queued:
        task = tasks.get(job.task_result_id)
        if task is None or task.status in ("SUCCESSFUL", "FAILED"):
            message = QUEUE_ENTRY_LOST
        elif task.status == "RUNNING" and (
            any(_worker_gone(worker) for worker in task.worker_ids[-1:])
            or _stale(task.started_at, now)
        ):
            message = WORKER_LOST
            _fail_task(job.task_result_id)
        else:
            continue
        ended_now = Job.objects.filter(pk=job.pk, state=JobState.QUEUED).update(
            state=JobState.FAILED, finished_at=now, failure_message=message, failure_params={}
        )
        if ended_now:
            logger.warning("job %s: %s", job.pk, message)
            ended.append(job.pk)
    return ended


def prune_finished_tasks(now: datetime | None = None) -> int:
    """Return how many finished task rows older than TASK_RESULTS_KEPT were deleted."""
    from django_tasks_db.models import DBTaskResult

    cutoff = (now or timezone.now()) - TASK_RESULTS_KEPT
    deleted, _ = DBTaskResult.objects.filter(
        status__in=["SUCCESSFUL", "FAILED"], finished_at__lte=cutoff
    ).delete()
    return deleted


class Housekeeper:
    """A thread that keeps this process's running jobs' heartbeats, sweeps for abandoned
    jobs and old task rows, and notices when the process that started this one is gone."""

    def __init__(
        self,
        *,
        sweep: bool,
        parent_pid: int | None = None,
        on_orphaned: Callable[[], None] | None = None,
    ) -> None:
        self.sweep = sweep
        self.parent_pid = parent_pid
        self.on_orphaned = on_orphaned or (lambda: os.kill(os.getpid(), signal.SIGTERM))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hikeshi-jobs-housekeeper")
        self._thread.daemon = True

    def __enter__(self) -> Housekeeper:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=HEARTBEAT_EVERY * 2)

    def _run(self) -> None:
        next_beat = time.monotonic()
        next_sweep = time.monotonic() + SWEEP_EVERY
        next_prune = time.monotonic() + PRUNE_EVERY
        try:
            while not self._stop.wait(1.0):
                if self.parent_pid is not None and os.getppid() != self.parent_pid:
                    logger.warning("the process that started this worker is gone; stopping")
                    self.parent_pid = None
                    self.on_orphaned()
                now = time.monotonic()
                try:
                    if now >= next_beat:
                        next_beat = now + HEARTBEAT_EVERY
                        board().beat(progress.tracked_jobs(), timezone.now())
                    if self.sweep and now >= next_sweep:
                        next_sweep = now + SWEEP_EVERY
                        recover_abandoned_jobs()
                    if self.sweep and now >= next_prune:
                        next_prune = now + PRUNE_EVERY
                        prune_finished_tasks()
                except Exception:
                    # A database that is busy or briefly away: the next round tries again.
                    logger.warning("job housekeeping failed; trying again shortly", exc_info=True)
        finally:
            # Django opens connections per thread; this thread's must not linger.
            board().release()
            connections.close_all()
