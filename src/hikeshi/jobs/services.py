"""The only writers of Job rows: enqueue, cancel, and the ends a job can come to.

The ends (finish, fail, cancelled, requeue) are written by the runner; each only moves a job
that is still running (on the worker that claims it), so a job declared lost by another
worker's sweep is never finished twice.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Case, F, When
from django.utils import timezone
from django.utils.translation import gettext_noop

from hikeshi.incidents.access import incident_for, is_site_admin
from hikeshi.incidents.refusals import NotPermitted
from hikeshi.incidents.services.errors import InvalidInput
from hikeshi.jobs.access import check_may_cancel
from hikeshi.jobs.board import BOARD_ERRORS, JobRef, board
from hikeshi.jobs.models import Job
from hikeshi.jobs.progress import latest_report
from hikeshi.jobs.registry import registered
from hikeshi.jobs.vocabulary import JobState

logger = logging.getLogger("hikeshi.jobs")
# A job's parameters name its input (a file, a range), they do not carry it.
MAX_PARAMS_BYTES = 64 * 1024


def plain_json(value: Any, field: str) -> Any:
    """Return ``value`` as plain JSON values (dict, list, str, number, bool, None)."""
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        raise InvalidInput(
            field, gettext_noop("only plain values (text, numbers, lists, objects) can be kept")
        ) from None
    if len(text.encode("utf-8")) > MAX_PARAMS_BYTES:
        raise InvalidInput(
            field, gettext_noop("at most %(limit)s bytes can be kept"), limit=MAX_PARAMS_BYTES
        )
    return json.loads(text)


def enqueue_job(
    kind: str,
    *,
    incident_id: int | None,
    actor: User | None,
    params: dict[str, Any] | None = None,
    queue: bool = True,
) -> Job:
    """Return the new job, queued for a worker (with ``queue=False``: for the caller to run).

    ``actor`` None is hikeshi itself (a scheduled job). A person needs to be a lead or
    responder of the incident (site admins for a job without one): NotVisible for someone
    who cannot see the incident, NotPermitted for a viewer (hikeshi.incidents.refusals).
    """
    spec = registered(kind)
    if spec is None:
        raise InvalidInput(
            "kind", gettext_noop("no job of the kind “%(kind)s” can run here"), kind=kind
        )
    if spec.needs_incident and incident_id is None:
        raise InvalidInput("incident", gettext_noop("this kind of job belongs to an incident"))
    if actor is not None:
        if incident_id is not None:
            incident_for(actor, incident_id, write=True)
        elif not is_site_admin(actor):
            raise NotPermitted(
                gettext_noop("only site admins start jobs that belong to no incident"),
                subject="job",
            )
    plain = plain_json(params or {}, "params")
    if not isinstance(plain, dict):
        raise InvalidInput("params", gettext_noop("the parameters must be an object"))
    with transaction.atomic():
        # One transaction: a worker never sees the task without its job, nor the reverse.
        job = Job.objects.create(kind=kind, incident_id=incident_id, started_by=actor, params=plain)
        if queue:
            from hikeshi.jobs.tasks import run_job

            job.task_result_id = str(run_job.enqueue(job.pk).id)
            job.save(update_fields=["task_result_id"])
    return job


def request_cancel(job_id: int, actor: User) -> Job:
    """Return the job after asking it to stop: a queued job is cancelled at once, a running
    one stops at its next batch. NotPermitted unless ``actor`` may stop it."""
    job = Job.objects.select_related("incident").get(pk=job_id)
    check_may_cancel(actor, job)
    now = timezone.now()
    if job.state == JobState.QUEUED:
        # A conditional UPDATE, not a row lock: on SQLite a lock would wait for a running
        # job's transaction. If a worker claimed the job meanwhile, it is running now.
        cancelled = Job.objects.filter(pk=job_id, state=JobState.QUEUED).update(
            state=JobState.CANCELLED,
            finished_at=now,
            cancel_requested_at=now,
            cancel_requested_by=actor,
        )
        job.refresh_from_db()
        if cancelled:
            return job
    if job.state != JobState.RUNNING:
        raise InvalidInput(
            "job",
            gettext_noop("job %(job)s has already ended; there is nothing to stop"),
            job=job.pk,
        )
    # The board, not the Job row: the request must reach a job whose transaction is open.
    try:
        try:
            board().request_cancel(JobRef.of(job), actor.pk, now)
        except BOARD_ERRORS:
            logger.warning("job %s: the request to stop was not written", job.pk, exc_info=True)
            raise InvalidInput(
                "job", gettext_noop("the job could not be asked to stop just now; try again")
            ) from None
        job.refresh_from_db()
        board().overlay([job])
    finally:
        # Outside a job, the board's connections are not kept (a web request's thread).
        board().release()
    return job


def _end(job: Job, state: JobState, *, worker: str | None = None, **fields: Any) -> bool:
    """Return whether the running job was moved to ``state`` (with its live values kept)."""
    latest = latest_report(job.pk)
    live = board().live_entries([job]).get(job.pk)
    if latest is not None:
        # This process ran the job: its latest report, even one the throttle held back.
        fields.setdefault("progress_done", latest.done)
        fields.setdefault("progress_total", latest.total)
        fields.setdefault("phase", latest.phase)
    if live is not None:
        # SQLite: the board held the live values; the row keeps the last ones.
        fields.setdefault("progress_done", live.done)
        fields.setdefault("progress_total", live.total)
        fields.setdefault("phase", live.phase)
        fields.setdefault("progress_at", live.progress_at)
        fields.setdefault("heartbeat_at", live.heartbeat_at)
        if live.cancel_requested_at is not None:
            fields.setdefault("cancel_requested_at", live.cancel_requested_at)
            fields.setdefault("cancel_requested_by_id", live.cancel_requested_by_id)
    running = Job.objects.filter(pk=job.pk, state=JobState.RUNNING)
    if worker is not None:
        running = running.filter(worker=worker)
    moved = running.update(state=state, finished_at=timezone.now(), **fields) == 1
    if moved:
        job.refresh_from_db()
    return moved


def finish_job(job: Job, result: dict[str, Any]) -> bool:
    """Return whether the running job was marked done with its result summary."""
    done = _end(job, JobState.DONE, result=plain_json(result, "result"))
    if done:
        # A finished job is complete, whatever its last (throttled) report said.
        Job.objects.filter(pk=job.pk).update(
            progress_done=Case(
                When(progress_total__gt=0, then=F("progress_total")),
                default=F("progress_done"),
            )
        )
        job.refresh_from_db()
    return done


def fail_job(
    job: Job, message: str, params: dict[str, Any] | None = None, *, worker: str | None = None
) -> bool:
    """Return whether the running job was marked failed (message id and its placeholders).

    ``worker``: only if that worker still runs it (a sweep must not fail a job another
    worker just finished).
    """
    return _end(
        job,
        JobState.FAILED,
        worker=worker,
        failure_message=message,
        failure_params=plain_json(params or {}, "failure_params"),
    )


def mark_cancelled(job: Job) -> bool:
    """Return whether the running job was marked cancelled (it stopped on a request)."""
    return _end(job, JobState.CANCELLED)


def requeue_job(job: Job) -> bool:
    """Return whether the running job went back to the queue, to start again from the start.

    For a job its worker stopped on purpose (Ctrl+C, SIGTERM): its work was rolled back or
    is safe to run again. A job run in the CLI's own process has no queue to go back to.
    """
    if not job.task_result_id:
        return False
    from hikeshi.jobs.tasks import run_job

    with transaction.atomic():
        moved = Job.objects.filter(pk=job.pk, state=JobState.RUNNING).update(
            state=JobState.QUEUED,
            started_at=None,
            worker="",
            heartbeat_at=None,
            progress_done=0,
            progress_total=0,
            progress_at=None,
            phase="",
            task_result_id=str(run_job.enqueue(job.pk).id),
        )
        if not moved:
            transaction.set_rollback(True)
    if moved:
        job.refresh_from_db()
    return bool(moved)
