"""Jobs whose worker died are ended as failed by the next sweep; live ones are left alone."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import timedelta
from uuid import UUID

from django.contrib.auth.models import User
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from hikeshi_test_job_kinds import BATCHES

from hikeshi.incidents.models import Incident
from hikeshi.jobs import progress, runner
from hikeshi.jobs.models import Job
from hikeshi.jobs.services import enqueue_job
from hikeshi.jobs.vocabulary import QUEUE_ENTRY_LOST, WORKER_LOST, JobState

HOST = socket.gethostname()[:40]


def _dead_pid() -> int:
    """Return the id of a process that has just ended (and been reaped)."""
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    return finished.pid


def _running(incident: Incident, lead: User, worker: str, heartbeat_age: float = 0) -> Job:
    job = enqueue_job(BATCHES, incident_id=incident.pk, actor=lead)
    beat = timezone.now() - timedelta(seconds=heartbeat_age)
    DBTaskResult.objects.filter(id=job.task_result_id).update(
        status="RUNNING", started_at=beat, worker_ids=[worker]
    )
    Job.objects.filter(pk=job.pk).update(
        state=JobState.RUNNING, worker=worker, started_at=beat, heartbeat_at=beat
    )
    job.refresh_from_db()
    return job


def test_a_job_whose_worker_process_is_gone_from_this_machine_fails_at_once(
    incident: Incident, lead: User
) -> None:
    job = _running(incident, lead, f"{HOST}/{_dead_pid()}/worker-gone")
    assert runner.recover_abandoned_jobs() == [job.pk]
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert job.failure_message == WORKER_LOST
    assert job.finished_at is not None
    assert DBTaskResult.objects.get(id=job.task_result_id).status == "FAILED"


def test_a_job_with_a_live_worker_or_a_recent_heartbeat_is_left_alone(
    incident: Incident, lead: User
) -> None:
    here = _running(incident, lead, f"{HOST}/{os.getppid()}/worker-alive")
    elsewhere = _running(incident, lead, "other-host/4242/worker-far", heartbeat_age=10)
    assert runner.recover_abandoned_jobs() == []
    assert set(Job.objects.values_list("state", flat=True)) == {JobState.RUNNING}
    assert {here.pk, elsewhere.pk} == set(Job.objects.values_list("pk", flat=True))


def test_a_job_on_another_machine_without_a_heartbeat_for_a_minute_fails(
    incident: Incident, lead: User
) -> None:
    job = _running(incident, lead, "other-host/4242/worker-far", heartbeat_age=120)
    assert runner.recover_abandoned_jobs() == [job.pk]
    job.refresh_from_db()
    assert job.state == JobState.FAILED


def test_the_jobs_this_process_runs_are_never_swept(incident: Incident, lead: User) -> None:
    job = _running(incident, lead, "other-host/4242/worker-far", heartbeat_age=120)
    progress.track(job)
    try:
        assert runner.recover_abandoned_jobs() == []
    finally:
        progress.untrack(job.pk)


def test_a_queued_job_whose_queue_entry_is_gone_fails(incident: Incident, lead: User) -> None:
    job = enqueue_job(BATCHES, incident_id=incident.pk, actor=lead)
    DBTaskResult.objects.filter(id=job.task_result_id).delete()
    assert runner.recover_abandoned_jobs() == [job.pk]
    job.refresh_from_db()
    assert (job.state, job.failure_message) == (JobState.FAILED, QUEUE_ENTRY_LOST)


def test_a_queued_job_claimed_by_a_worker_that_died_before_starting_it_fails(
    incident: Incident, lead: User
) -> None:
    job = enqueue_job(BATCHES, incident_id=incident.pk, actor=lead)
    DBTaskResult.objects.filter(id=job.task_result_id).update(
        status="RUNNING", started_at=timezone.now(), worker_ids=[f"{HOST}/{_dead_pid()}/w-1"]
    )
    waiting = enqueue_job(BATCHES, incident_id=incident.pk, actor=lead)
    assert runner.recover_abandoned_jobs() == [job.pk]
    job.refresh_from_db()
    assert (job.state, job.failure_message) == (JobState.FAILED, WORKER_LOST)
    assert Job.objects.get(pk=waiting.pk).state == JobState.QUEUED


def test_a_sweep_does_not_end_a_job_its_worker_finished_meanwhile(
    incident: Incident, lead: User
) -> None:
    from hikeshi.jobs.services import fail_job

    job = _running(incident, lead, f"{HOST}/{_dead_pid()}/worker-gone")
    stale_view = Job.objects.get(pk=job.pk)
    Job.objects.filter(pk=job.pk).update(state=JobState.DONE)
    assert not fail_job(stale_view, WORKER_LOST, worker=stale_view.worker)
    assert Job.objects.get(pk=job.pk).state == JobState.DONE


def test_old_finished_task_rows_are_pruned_and_the_jobs_kept(
    incident: Incident, lead: User
) -> None:
    old = enqueue_job(BATCHES, incident_id=incident.pk, actor=lead, params={"batches": 1})
    recent = enqueue_job(BATCHES, incident_id=incident.pk, actor=lead, params={"batches": 1})
    waiting = enqueue_job(BATCHES, incident_id=incident.pk, actor=lead)
    runner.execute(old.pk)
    runner.execute(recent.pk)
    long_ago = timezone.now() - runner.TASK_RESULTS_KEPT - timedelta(hours=1)
    DBTaskResult.objects.filter(id__in=[old.task_result_id, recent.task_result_id]).update(
        status="SUCCESSFUL", finished_at=timezone.now()
    )
    DBTaskResult.objects.filter(id=old.task_result_id).update(finished_at=long_ago)
    DBTaskResult.objects.filter(id=waiting.task_result_id).update(enqueued_at=long_ago)
    assert runner.prune_finished_tasks() == 1
    assert set(DBTaskResult.objects.values_list("id", flat=True)) == {
        UUID(recent.task_result_id),
        UUID(waiting.task_result_id),
    }
    assert Job.objects.count() == 3
