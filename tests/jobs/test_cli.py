"""`hikeshi job list/show/cancel`, `hikeshi worker --batch`, and the --wait / --now helpers."""

from __future__ import annotations

import io
import json
import os
from typing import Any

import pytest
from django.contrib.auth.models import User
from hikeshi_test_job_kinds import BATCHES, BROKEN, job_scope
from rich.console import Console
from typer.testing import CliRunner, Result

from hikeshi.cli import app
from hikeshi.cli.errors import CliError
from hikeshi.cli.job_progress import report_outcome, run_here, wait_for_job
from hikeshi.incidents.models import ActionRecord, Incident
from hikeshi.jobs import runner
from hikeshi.jobs.models import Job
from hikeshi.jobs.services import enqueue_job
from hikeshi.jobs.vocabulary import JobState


def hikeshi(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def _console() -> tuple[Console, io.StringIO]:
    output = io.StringIO()
    return Console(file=output, width=120), output


def test_job_list_shows_the_jobs_a_person_may_see(
    incident: Incident, lead: User, outsider: User
) -> None:
    job = enqueue_job(BATCHES, incident_id=incident.pk, actor=lead, params={"batches": 2})
    runner.execute(job.pk)
    queued = enqueue_job(BATCHES, incident_id=incident.pk, actor=lead)
    listed = hikeshi("job", "list", "--as", "lead")
    assert listed.exit_code == 0, listed.output
    lines = listed.stdout.splitlines()
    assert lines[0].split() == [
        "ID",
        "Incident",
        "Kind",
        "State",
        "Progress",
        "Started",
        "by",
        "Queued",
    ]
    assert lines[1].split()[:4] == [str(queued.pk), f"#{incident.pk}", BATCHES, "queued"]
    assert lines[2].split()[:5] == [str(job.pk), f"#{incident.pk}", BATCHES, "done", "100%"]
    as_json = json.loads(
        hikeshi("job", "list", "--incident", str(incident.pk), "--json", "--as", "lead").stdout
    )
    assert [entry["id"] for entry in as_json] == [queued.pk, job.pk]
    assert as_json[1]["result"] == {"batches": 2, "complete": True}
    assert as_json[1]["progress"] == {
        "done": 2,
        "total": 2,
        "percent": 100,
        "phase": "Writing batches",
    }
    nothing = hikeshi("job", "list", "--as", "outsider")
    assert nothing.stdout == "No background jobs that outsider may see.\n"
    refused = hikeshi("job", "list", "--incident", str(incident.pk), "--as", "outsider")
    assert refused.exit_code == 1
    assert f"no incident #{incident.pk} that outsider takes part in" in refused.stderr


def test_job_show_says_why_a_job_failed_in_english(
    incident: Incident, lead: User, outsider: User
) -> None:
    job = enqueue_job(BROKEN, incident_id=incident.pk, actor=lead)
    runner.execute(job.pk)
    shown = hikeshi("job", "show", str(job.pk), "--as", "lead")
    assert shown.exit_code == 0, shown.output
    assert f"Job #{job.pk}: Test breakdown (test_broken)" in shown.stdout
    assert "state: failed" in shown.stdout
    assert "failure: The job stopped on an unexpected error (reference job-" in shown.stdout
    data = json.loads(hikeshi("job", "show", str(job.pk), "--json", "--as", "lead").stdout)
    assert data["state"] == "failed" and data["failure"].startswith("The job stopped")
    hidden = hikeshi("job", "show", str(job.pk), "--as", "outsider")
    assert hidden.exit_code == 1
    assert hidden.stderr.startswith(f"Error: no job #{job.pk} that outsider may see")


def test_job_cancel_by_the_lead_and_not_by_a_viewer(
    incident: Incident, lead: User, viewer: User
) -> None:
    job = enqueue_job(BATCHES, incident_id=incident.pk, actor=lead)
    refused = hikeshi("job", "cancel", str(job.pk), "--as", "viewer")
    assert refused.exit_code == 1
    assert "viewer may not stop job" in refused.stderr
    cancelled = hikeshi("job", "cancel", str(job.pk), "--as", "lead")
    assert cancelled.exit_code == 0, cancelled.output
    assert cancelled.stdout == f"Job #{job.pk} was cancelled before it started.\n"
    again = hikeshi("job", "cancel", str(job.pk), "--as", "lead")
    assert again.exit_code == 1
    assert again.stderr == f"Error: job {job.pk} has already ended; there is nothing to stop\n"


# The worker loop closes connections left inside a transaction, as a test's would be.
@pytest.mark.django_db(transaction=True)
def test_worker_batch_runs_the_waiting_jobs_and_stops(incident: Incident, lead: User) -> None:
    first = enqueue_job(BATCHES, incident_id=incident.pk, actor=lead, params={"batches": 2})
    second = enqueue_job(BATCHES, incident_id=incident.pk, actor=lead, params={"batches": 3})
    result = hikeshi("worker", "--batch")
    assert result.exit_code == 0, result.output
    assert "stopped" in result.stderr
    states = dict(Job.objects.values_list("pk", "state"))
    assert states == {first.pk: JobState.DONE, second.pk: JobState.DONE}
    assert ActionRecord.objects.filter(scope=job_scope(second.pk)).count() == 3


def test_wait_for_job_follows_a_worker_until_the_job_ends(worker_site: Any, people: Any) -> None:
    job = enqueue_job(
        BATCHES,
        incident_id=people.incident_id,
        actor=people.lead,
        params={"batches": 4, "pause": 0.3},
    )
    worker = worker_site.start("worker", "--batch")
    console, output = _console()
    ended = wait_for_job(job.pk, poll_every=0.1, console=console)
    assert worker.wait(30) == 0, worker_site.log()
    assert ended.state == JobState.DONE
    assert f"#{job.pk} Test batches" in output.getvalue()
    assert "4 / 4" in output.getvalue()


def test_run_here_runs_the_job_in_this_process_with_a_progress_bar(
    incident: Incident, lead: User, capsys: pytest.CaptureFixture[str]
) -> None:
    console, output = _console()
    job = run_here(
        BATCHES, incident_id=incident.pk, actor=lead, params={"batches": 4}, console=console
    )
    assert job.state == JobState.DONE
    assert job.task_result_id == ""
    assert job.worker.split("/")[1] == str(os.getpid())
    assert "4 / 4" in output.getvalue() and "100%" in output.getvalue()
    report_outcome(job)
    assert capsys.readouterr().out == (
        f"Job #{job.pk} (Test batches) done.\n  batches: 4\n  complete: True\n"
    )


def test_report_outcome_turns_a_failure_into_a_one_line_error(
    incident: Incident, lead: User
) -> None:
    console, _ = _console()
    job = run_here(BROKEN, incident_id=incident.pk, actor=lead, console=console)
    with pytest.raises(CliError) as failed:
        report_outcome(job)
    assert failed.value.message.startswith(
        f"job #{job.pk} failed: The job stopped on an unexpected error (reference job-"
    )
