"""A real `hikeshi worker` process on the suite's database engine: progress seen from outside
while the job's transaction is open, cancel, SIGTERM and kill -9."""

from __future__ import annotations

import signal
import time
from typing import Any

from django.db import connection
from django.utils import translation
from django_tasks_db.models import DBTaskResult
from hikeshi_test_job_kinds import BATCHES, WRITING_BATCHES, job_scope
from typer.testing import CliRunner

from hikeshi.cli import app
from hikeshi.incidents.models import ActionRecord
from hikeshi.jobs.board import board
from hikeshi.jobs.models import Job
from hikeshi.jobs.services import enqueue_job, request_cancel
from hikeshi.jobs.vocabulary import WORKER_LOST, JobState


def _live(job_id: int) -> Job:
    """Return the job as another connection sees it now, live progress included."""
    job = Job.objects.get(pk=job_id)
    board().overlay([job])
    return job


def _records(job: Job) -> int:
    return ActionRecord.objects.filter(scope=job_scope(job.pk)).count()


def _batches(people: Any, batches: int, pause: float) -> Job:
    return enqueue_job(
        BATCHES,
        incident_id=people.incident_id,
        actor=people.lead,
        params={"batches": batches, "pause": pause},
    )


def test_progress_shows_outside_while_the_jobs_transaction_is_open(
    worker_site: Any, people: Any, wait: Any
) -> None:
    job = _batches(people, 6, 0.4)
    worker = worker_site.start("worker", "--batch")
    seen: set[int] = set()

    def two_reports_while_running() -> bool:
        # Counted first: if the job still runs afterwards, the count was taken before it
        # committed, so its records must not be there yet.
        records = _records(job)
        live = _live(job.pk)
        if live.state == JobState.RUNNING and 0 < live.progress_done < 6:
            assert live.progress_total == 6
            assert live.phase == WRITING_BATCHES
            assert records == 0, "the job's writes showed before it finished"
            seen.add(live.progress_done)
        return len(seen) >= 2

    wait(two_reports_while_running, "two progress reports while the job runs")
    assert worker.wait(30) == 0, worker_site.log()
    job.refresh_from_db()
    assert job.state == JobState.DONE, job.failure_text
    assert (job.progress_done, job.progress_total) == (6, 6)
    assert job.result == {"batches": 6, "complete": True}
    assert _records(job) == 6
    assert job.worker.split("/")[1] == str(worker.pid)


def test_a_cancel_reaches_the_running_job_without_waiting_for_its_transaction(
    worker_site: Any, people: Any, wait: Any
) -> None:
    job = _batches(people, 200, 0.1)
    worker = worker_site.start("worker", "--batch")
    wait(lambda: _live(job.pk).progress_done >= 2, "the job to get going")
    asked = time.monotonic()
    request_cancel(job.pk, people.lead)
    # SQLite has one writer: a cancel written to the database would wait for the job's
    # transaction (the 20 s busy timeout, then fail).
    assert time.monotonic() - asked < 5
    assert worker.wait(30) == 0, worker_site.log()
    job.refresh_from_db()
    assert job.state == JobState.CANCELLED
    assert job.cancel_requested_by == people.lead
    assert job.progress_done < 200
    assert _records(job) == 0


def test_sigterm_stops_the_worker_after_the_current_batch_and_requeues_the_job(
    worker_site: Any, people: Any, wait: Any
) -> None:
    job = _batches(people, 200, 0.1)
    first_task = job.task_result_id
    worker = worker_site.start("worker", "--interval", "0.2")
    wait(lambda: _live(job.pk).progress_done >= 2, "the job to get going")
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(15) == 0, worker_site.log()
    job.refresh_from_db()
    assert job.state == JobState.QUEUED
    assert _records(job) == 0
    assert job.task_result_id != first_task
    assert DBTaskResult.objects.get(id=job.task_result_id).status == "READY"
    assert "back in the queue" in worker_site.log()


def test_a_killed_worker_leaves_nothing_half_written_and_the_job_failed(
    worker_site: Any, people: Any, wait: Any
) -> None:
    job = _batches(people, 200, 0.1)
    worker = worker_site.start("worker", "--batch")
    wait(lambda: _live(job.pk).progress_done >= 3, "three batches written")
    worker.send_signal(signal.SIGKILL)
    worker.wait(10)
    # The open transaction died with the process: none of its batches are in the database.
    assert _records(job) == 0
    assert Job.objects.get(pk=job.pk).state == JobState.RUNNING

    # The next worker to start notices (the dead process is gone from this machine).
    started = worker_site.run("worker", "--batch")
    assert started.returncode == 0, started.stdout + started.stderr
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert job.failure_message == WORKER_LOST
    with translation.override("ja"):
        assert (
            job.failure_text
            == "このジョブの実行中にワーカーが停止しました。もう一度開始してください。"
        )
    assert DBTaskResult.objects.get(id=job.task_result_id).status == "FAILED"
    assert _records(job) == 0

    verified = CliRunner().invoke(app, ["audit", "verify"])
    assert verified.exit_code == 0, verified.output


def test_two_workers_share_the_queue_and_run_each_job_once(
    worker_site: Any, people: Any, wait: Any
) -> None:
    jobs = [_batches(people, 3, 0.3) for _ in range(6)]
    workers = [worker_site.start("worker", "--batch", log=f"worker-{n}") for n in (1, 2)]
    for number, worker in enumerate(workers, start=1):
        assert worker.wait(60) == 0, worker_site.log(f"worker-{number}")
    ended = list(Job.objects.filter(pk__in=[job.pk for job in jobs]))
    assert {job.state for job in ended} == {JobState.DONE}
    assert [_records(job) for job in ended] == [3] * 6
    if connection.vendor == "postgresql":
        # SKIP LOCKED hands the second worker the next job while the first runs one.
        assert len({job.worker for job in ended}) == 2
