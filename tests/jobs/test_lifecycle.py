"""A job's life in one process: queued, running, done; progress; cancel; interruption."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connections
from django.utils import translation
from django_tasks_db.models import DBTaskResult
from hikeshi_test_job_kinds import BATCHES, WRITING_BATCHES, job_scope

from hikeshi.incidents.models import ActionRecord, Incident
from hikeshi.incidents.refusals import NotPermitted, NotVisible
from hikeshi.incidents.services.errors import InvalidInput
from hikeshi.incidents.services.incidents import set_membership
from hikeshi.incidents.vocabulary import Role
from hikeshi.jobs import progress, runner
from hikeshi.jobs.board import board
from hikeshi.jobs.models import Job
from hikeshi.jobs.progress import Snapshot, report_progress
from hikeshi.jobs.registry import register
from hikeshi.jobs.services import enqueue_job, request_cancel
from hikeshi.jobs.vocabulary import PHASE_STARTING, JobState


def _enqueue(incident: Incident, actor: User, **params: Any) -> Job:
    return enqueue_job(BATCHES, incident_id=incident.pk, actor=actor, params=params)


def test_enqueue_makes_a_queued_job_and_its_task(incident: Incident, responder: User) -> None:
    job = _enqueue(incident, responder, batches=2)
    assert job.state == JobState.QUEUED
    assert job.started_by == responder
    assert job.params == {"batches": 2}
    task = DBTaskResult.objects.get(id=job.task_result_id)
    assert task.status == "READY"
    assert task.task_path == "hikeshi.jobs.tasks.run_job"
    assert task.args_kwargs == {"args": [job.pk], "kwargs": {}}


def test_a_job_runs_to_done_with_its_result_and_its_writes(incident: Incident, lead: User) -> None:
    job = _enqueue(incident, lead, batches=3)
    ended = runner.execute(job.pk)
    assert ended is not None
    assert ended.state == JobState.DONE
    assert ended.result == {"batches": 3, "complete": True}
    assert (ended.progress_done, ended.progress_total) == (3, 3)
    assert ended.phase == WRITING_BATCHES
    assert ended.started_at is not None and ended.finished_at is not None
    assert ended.started_at <= ended.finished_at
    assert ended.worker == runner.current_identity()
    assert ActionRecord.objects.filter(scope=job_scope(job.pk)).count() == 3


def test_a_job_whose_starter_lost_write_access_fails_with_the_refusal(
    incident: Incident, lead: User, responder: User
) -> None:
    job = _enqueue(incident, responder, batches=2)
    set_membership(lead, incident.pk, responder, Role.VIEWER, "")

    ended = runner.execute(job.pk)

    assert ended is not None and ended.state == JobState.FAILED
    with translation.override("en"):
        assert ended.failure_text == (
            f"responder may only view incident #{incident.pk}; a lead can make them a responder"
        )
    with translation.override("ja"):
        assert f"インシデント #{incident.pk} を閲覧のみ" in ended.failure_text
    assert not ActionRecord.objects.filter(scope=job_scope(job.pk)).exists()


def test_the_task_runs_the_job_it_names(incident: Incident, lead: User) -> None:
    from hikeshi.jobs.tasks import run_job

    job = _enqueue(incident, lead, batches=1)
    assert run_job.call(job.pk) == {"job": job.pk, "state": "done"}
    # A second run (the task delivered twice) finds nothing waiting and leaves it alone.
    assert run_job.call(job.pk) == {"job": job.pk, "state": "skipped"}


@pytest.mark.django_db(transaction=True)  # PostgreSQL's board writes from a connection of its own
def test_progress_writes_are_throttled_but_a_new_phase_shows_at_once(
    incident: Incident, lead: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [100.0]
    monkeypatch.setattr("hikeshi.jobs.progress.time.monotonic", lambda: now[0])
    job = _enqueue(incident, lead)
    Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING)
    job.refresh_from_db()
    progress.track(job)
    try:
        assert report_progress(job.pk, 1, 10, "Reading")
        assert not report_progress(job.pk, 2, 10)  # within 0.5 s: skipped
        assert report_progress(job.pk, 3, 10, "Writing")  # a new phase: written
        now[0] += 0.6
        assert report_progress(job.pk, 4, 10)
        live = Job.objects.get(pk=job.pk)
        board().overlay([live])
        assert (live.progress_done, live.progress_total, live.phase) == (4, 10, "Writing")
        # Out-of-range reports are brought into range rather than refused.
        now[0] += 0.6
        report_progress(job.pk, 15, 10)
        live = Job.objects.get(pk=job.pk)
        board().overlay([live])
        assert live.progress_done == 10
    finally:
        progress.untrack(job.pk)


def _read_elsewhere(job_id: int) -> tuple[int, int, str]:
    """Return the job's progress as read by a connection of another thread."""
    answer: list[tuple[int, int, str]] = []

    def read() -> None:
        try:
            job = Job.objects.get(pk=job_id)
            board().overlay([job])
            answer.append((job.progress_done, job.progress_total, job.phase))
        finally:
            connections.close_all()

    reader = threading.Thread(target=read)
    reader.start()
    reader.join(20)
    assert answer, "the other connection could not read the job"
    return answer[0]


def seen_from_outside(job: Job, progress: progress.ProgressReporter) -> dict[str, Any]:
    """Report progress inside the work's transaction and read it from another connection."""
    from hikeshi.incidents.services.actions import ActionInput, append_action

    assert job.incident_id is not None
    seen = {}
    for number in (1, 2):
        append_action(job.incident_id, job.started_by, ActionInput(what=f"書き込み {number}"))
        progress(number, 2, WRITING_BATCHES)
        seen[str(number)] = list(_read_elsewhere(job.pk))
    return seen


register("test_seen_from_outside", seen_from_outside, label="Test: seen from outside")


@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_elsewhere_while_the_work_transaction_is_open(
    incident: Incident, lead: User, no_throttle: None
) -> None:
    job = enqueue_job("test_seen_from_outside", incident_id=incident.pk, actor=lead, params={})
    ended = runner.execute(job.pk)
    assert ended is not None and ended.state == JobState.DONE, ended and ended.failure_text
    assert ended.result == {
        "1": [1, 2, WRITING_BATCHES],
        "2": [2, 2, WRITING_BATCHES],
    }


def test_a_queued_job_is_cancelled_at_once_and_never_runs(incident: Incident, lead: User) -> None:
    job = _enqueue(incident, lead)
    cancelled = request_cancel(job.pk, lead)
    assert cancelled.state == JobState.CANCELLED
    assert cancelled.cancel_requested_by == lead
    assert cancelled.finished_at is not None
    assert runner.execute(job.pk) is None
    assert not ActionRecord.objects.filter(scope=job_scope(job.pk)).exists()


@pytest.mark.django_db(transaction=True)
def test_a_running_job_stops_at_its_next_batch_and_keeps_nothing(
    incident: Incident, lead: User, no_throttle: None
) -> None:
    job = _enqueue(incident, lead, batches=10)

    def cancel_after_two(snapshot: Snapshot) -> None:
        if snapshot.done == 2:
            asked = request_cancel(job.pk, lead)
            assert asked.state == JobState.RUNNING
            assert asked.cancel_requested_at is not None

    ended = runner.execute(job.pk, listener=cancel_after_two)
    assert ended is not None
    assert ended.state == JobState.CANCELLED
    assert ended.cancel_requested_by == lead
    assert ended.progress_done == 2
    assert not ActionRecord.objects.filter(scope=job_scope(job.pk)).exists()


def test_cancelling_an_ended_job_is_refused(incident: Incident, lead: User) -> None:
    job = _enqueue(incident, lead, batches=1)
    runner.execute(job.pk)
    with pytest.raises(InvalidInput) as refused:
        request_cancel(job.pk, lead)
    assert refused.value.english == f"job {job.pk} has already ended; there is nothing to stop"


@pytest.mark.django_db(transaction=True)
def test_a_stopping_worker_puts_its_job_back_in_the_queue(
    incident: Incident, lead: User, no_throttle: None
) -> None:
    job = _enqueue(incident, lead, batches=10)

    def stop_after_two(snapshot: Snapshot) -> None:
        if snapshot.done == 2:
            progress.request_stop()

    try:
        ended = runner.execute(job.pk, listener=stop_after_two)
    finally:
        progress.clear_stop()
    assert ended is not None
    assert ended.state == JobState.QUEUED
    assert (ended.progress_done, ended.phase, ended.worker) == (0, "", "")
    assert ended.task_result_id != job.task_result_id
    assert DBTaskResult.objects.get(id=ended.task_result_id).status == "READY"
    assert not ActionRecord.objects.filter(scope=job_scope(job.pk)).exists()
    # And it runs from the start in the next worker.
    again = runner.execute(job.pk)
    assert again is not None and again.state == JobState.DONE
    assert ActionRecord.objects.filter(scope=job_scope(job.pk)).count() == 10


def test_a_job_run_in_the_cli_process_is_cancelled_when_that_process_stops(
    incident: Incident, lead: User, no_throttle: None
) -> None:
    job = enqueue_job(
        BATCHES, incident_id=incident.pk, actor=lead, params={"batches": 5}, queue=False
    )
    assert job.task_result_id == ""

    def stop(snapshot: Snapshot) -> None:
        progress.request_stop()

    try:
        ended = runner.execute(job.pk, on_stop="cancel", listener=stop)
    finally:
        progress.clear_stop()
    assert ended is not None and ended.state == JobState.CANCELLED


def test_a_claimed_job_shows_as_starting(incident: Incident, lead: User) -> None:
    seen: list[str] = []

    def look(job: Job, progress: progress.ProgressReporter) -> None:
        live = Job.objects.get(pk=job.pk)
        board().overlay([live])
        seen.append(live.phase)

    register("test_look", look, label="Test: look")
    job = enqueue_job("test_look", incident_id=incident.pk, actor=lead)
    runner.execute(job.pk)
    assert seen == [PHASE_STARTING]


def test_viewers_and_outsiders_cannot_start_jobs(
    incident: Incident, viewer: User, outsider: User, site_admin: User
) -> None:
    with pytest.raises(NotPermitted):
        _enqueue(incident, viewer)
    with pytest.raises(NotVisible):
        _enqueue(incident, outsider)
    assert _enqueue(incident, site_admin).started_by == site_admin
    assert not Job.objects.filter(started_by__in=[viewer, outsider]).exists()


def test_only_plain_parameters_of_a_known_kind_are_taken(incident: Incident, lead: User) -> None:
    with pytest.raises(InvalidInput) as unknown:
        enqueue_job("no_such_kind", incident_id=incident.pk, actor=lead)
    assert unknown.value.field == "kind"
    with pytest.raises(InvalidInput) as not_plain:
        enqueue_job(BATCHES, incident_id=incident.pk, actor=lead, params={"at": object()})
    assert not_plain.value.field == "params"
    with pytest.raises(InvalidInput) as too_big:
        enqueue_job(BATCHES, incident_id=incident.pk, actor=lead, params={"x": "a" * 70_000})
    assert too_big.value.field == "params"
    with pytest.raises(InvalidInput) as no_incident:
        enqueue_job(BATCHES, incident_id=None, actor=lead)
    assert no_incident.value.field == "incident"
    assert not Job.objects.exists()


def test_who_may_stop_a_job(
    incident: Incident, lead: User, responder: User, viewer: User, site_admin: User
) -> None:
    from hikeshi.jobs.access import may_cancel

    job = _enqueue(incident, responder)
    assert may_cancel(responder, job)  # who started it
    assert may_cancel(lead, job)  # the incident's lead
    assert may_cancel(site_admin, job)
    assert not may_cancel(viewer, job)
    other = _enqueue(incident, lead)
    assert not may_cancel(responder, other)
    with pytest.raises(NotPermitted):
        request_cancel(other.pk, responder)
    with pytest.raises(NotPermitted):
        request_cancel(job.pk, viewer)
    assert Job.objects.get(pk=other.pk).state == JobState.QUEUED
