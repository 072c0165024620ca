"""Reporting a job's progress and noticing a request to stop, from inside its work.

Both are meant to be called per batch: a progress write happens at most every
``MIN_INTERVAL`` seconds per job (and at once when the phase changes), and the board is
asked about a cancel request at most as often. They go through the progress board
(hikeshi.jobs.board), never through the connection doing the work, so they are visible
while the work's transaction is open and never wait for it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from hikeshi.jobs.board import BOARD_ERRORS, JobRef, board
from hikeshi.jobs.models import Job

logger = logging.getLogger("hikeshi.jobs")

# Seconds between two progress writes of one job, and between two cancel checks.
MIN_INTERVAL = 0.5


class JobCancelled(Exception):
    """Someone asked the job to stop; raised by raise_if_cancelled between batches."""


class JobInterrupted(JobCancelled):
    """The worker is stopping (Ctrl+C, SIGTERM): the job is put back in the queue."""


class JobFailed(Exception):
    """The work cannot go on, for a reason the person who started it can act on.

    ``message`` is an English message id (marked with gettext_noop where it is written);
    ``params`` fill its ``%(name)s`` placeholders once translated for the reader.
    """

    def __init__(self, message: str, **params: str | int | float) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params: dict[str, Any] = dict(params)


@dataclass(frozen=True)
class Snapshot:
    """One progress report, as handed to an in-process listener (the CLI's progress bar)."""

    done: int
    total: int
    phase: str


Listener = Callable[[Snapshot], None]


@dataclass
class _Tracked:
    ref: JobRef
    listener: Listener | None = None
    # The latest report, written or not: what the job's row keeps when it ends.
    latest: Snapshot | None = None
    last_write: float = float("-inf")
    last_phase: str | None = None
    last_check: float = float("-inf")
    cancelled: bool = False


_tracked: dict[int, _Tracked] = {}
_lock = threading.Lock()
_stopping = threading.Event()


def track(job: Job, listener: Listener | None = None) -> None:
    """Start following a job this process runs (its heartbeats, its throttles, its listener)."""
    with _lock:
        _tracked[job.pk] = _Tracked(JobRef.of(job), listener)


def untrack(job_id: int) -> None:
    """Stop following a job this process ran."""
    with _lock:
        _tracked.pop(job_id, None)


def tracked_jobs() -> list[JobRef]:
    """Return the jobs this process is running now."""
    with _lock:
        return [entry.ref for entry in _tracked.values()]


def latest_report(job_id: int) -> Snapshot | None:
    """Return the latest progress this process reported for the job (throttled or not)."""
    with _lock:
        entry = _tracked.get(job_id)
        return entry.latest if entry is not None else None


def request_stop() -> None:
    """Ask every job this process runs to stop at its next batch (the worker is stopping)."""
    _stopping.set()


def clear_stop() -> None:
    """Let jobs run again in this process (after a stop was requested and handled)."""
    _stopping.clear()


def stop_requested() -> bool:
    """Return whether this process was asked to stop its jobs."""
    return _stopping.is_set()


def _tracked_for(job_id: int) -> _Tracked:
    with _lock:
        entry = _tracked.get(job_id)
    if entry is None:
        # Reported from a process that did not start the job (a helper thread): follow it.
        job = Job.objects.only("key").get(pk=job_id)
        entry = _Tracked(JobRef(job_id, job.key))
        with _lock:
            entry = _tracked.setdefault(job_id, entry)
    return entry


def report_progress(
    job_id: int, done: int, total: int, phase: str | None = None, *, force: bool = False
) -> bool:
    """Return whether the progress was written now (throttled to one write per MIN_INTERVAL).

    ``total`` 0 means the amount of work is not known yet; ``phase`` is a message id
    (English, marked with gettext_noop) and stays as it was when None. A new phase is
    written at once, so a short phase still shows.
    """
    entry = _tracked_for(job_id)
    if phase is None:
        phase = entry.latest.phase if entry.latest is not None else ""
    total = max(total, 0)
    done = min(max(done, 0), total) if total else max(done, 0)
    entry.latest = Snapshot(done, total, phase)
    if entry.listener is not None:
        entry.listener(entry.latest)
    now = time.monotonic()
    if not force and phase == entry.last_phase and now - entry.last_write < MIN_INTERVAL:
        return False
    try:
        board().publish(entry.ref, done, total, phase, timezone.now())
    except BOARD_ERRORS:
        # Progress is for people watching: a board that is busy or away must not stop the
        # work. The next report tries again.
        logger.warning("job %s: could not show its progress", job_id, exc_info=True)
        return False
    entry.last_write = now
    entry.last_phase = phase
    return True


def raise_if_cancelled(job_id: int) -> None:
    """Raise JobCancelled if someone asked the job to stop (JobInterrupted if the worker is)."""
    if _stopping.is_set():
        raise JobInterrupted
    entry = _tracked_for(job_id)
    if entry.cancelled:
        raise JobCancelled
    now = time.monotonic()
    if now - entry.last_check < MIN_INTERVAL:
        return
    entry.last_check = now
    try:
        requested = board().cancel_requested(entry.ref)
    except BOARD_ERRORS:
        logger.warning("job %s: could not look for a cancel request", job_id, exc_info=True)
        return
    if requested:
        entry.cancelled = True
        raise JobCancelled


class ProgressReporter:
    """What a job's work gets to report its progress and to notice a cancel request."""

    def __init__(self, job: Job) -> None:
        self.job_id = job.pk

    def __call__(self, done: int, total: int, phase: str | None = None) -> None:
        """Report that ``done`` of ``total`` are done (throttled; see report_progress)."""
        report_progress(self.job_id, done, total, phase)

    def raise_if_cancelled(self) -> None:
        """Raise JobCancelled if the job was asked to stop; call it between batches."""
        raise_if_cancelled(self.job_id)

    def callback(self, phase: str) -> Callable[[int, int], None]:
        """Return an ``on_progress(done, total)`` for a service working in batches.

        Each call reports the progress under ``phase`` and then raises JobCancelled if the
        job was asked to stop, so the service stops between two batches.
        """

        def on_progress(done: int, total: int) -> None:
            report_progress(self.job_id, done, total, phase)
            raise_if_cancelled(self.job_id)

        return on_progress
