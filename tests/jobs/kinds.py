"""Job kinds for the tests only, registered by the tests and by the worker processes they start.

Loaded by path (tests are not a package): tests/jobs/conftest.py and worker_main.py load it
under one module name, so it registers once per process.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_noop

from hikeshi.jobs.registry import register

if TYPE_CHECKING:
    from hikeshi.jobs.models import Job
    from hikeshi.jobs.progress import ProgressReporter

BATCHES = "test_batches"
BROKEN = "test_broken"
WRITING_BATCHES = gettext_noop("Writing batches")
# What the broken kind's error says: it must reach the server log, never the job record.
SECRET_DETAIL = "connection string postgres://admin:hunter2@db/secret"


def job_scope(job_id: int) -> str:
    """Return the scope the batches kind writes on its action records (to find them)."""
    return f"test job {job_id}"


def write_in_batches(job: Job, progress: ProgressReporter) -> dict[str, Any]:
    """Append one action record per batch (in the job's transaction), pausing after each."""
    from hikeshi.incidents.services.actions import ActionInput, append_action

    batches = int(job.params.get("batches", 3))
    pause = float(job.params.get("pause", 0))
    # From this batch on, the record is refused (no "what"): a service's refusal.
    refused_from = int(job.params.get("refused_from", batches + 1))
    assert job.incident_id is not None
    for number in range(1, batches + 1):
        progress.raise_if_cancelled()
        what = f"バッチ {number}" if number < refused_from else ""
        append_action(
            job.incident_id, job.started_by, ActionInput(what=what, scope=job_scope(job.pk))
        )
        progress(number, batches, WRITING_BATCHES)
        time.sleep(pause)
    return {"batches": batches, "complete": True}


def break_down(job: Job, progress: ProgressReporter) -> None:
    """Report some progress, then fail with an error no responder should ever see."""
    progress(1, 4, WRITING_BATCHES)
    raise RuntimeError(SECRET_DETAIL)


register(
    BATCHES,
    write_in_batches,
    label="Test batches",
    result_labels={"batches": gettext_noop("Batches")},
)
register(BROKEN, break_down, label="Test breakdown")
