"""An incident's background job through the API: its state, progress and result."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from hikeshi.api.auth import caller
from hikeshi.api.schemas import READ_ERRORS
from hikeshi.jobs.access import job_for
from hikeshi.jobs.board import board
from hikeshi.jobs.registry import registered
from hikeshi.jobs.vocabulary import ACTIVE_STATES, ProgressUnit

router = Router(tags=["jobs"])


class JobOut(Schema):
    """A background job: where it is, how far it got, and how it ended."""

    id: int
    kind: str
    state: str = Field(description="queued, running, done, failed or cancelled")
    active: bool = Field(description="true while queued or running: ask again later")
    done: int = Field(description="work done so far, in ``unit``")
    total: int = Field(description="all the work, in ``unit``; 0 while not known")
    unit: str = Field(description="what done and total count: items or bytes")
    phase: str
    message: str = Field(description="why a failed job failed (English)")
    result: dict[str, Any] = Field(description="the result summary of a job that is done")


@router.get("/incidents/{incident_id}/jobs/{job_id}", response={200: JobOut, **READ_ERRORS})
def get_job(request: HttpRequest, incident_id: int, job_id: int) -> JobOut:
    """Read one of the incident's background jobs (poll it while ``active`` is true)."""
    from django.utils import translation

    job = job_for(caller(request), incident_id, job_id)
    # Live progress is on the board while the job's transaction is open.
    board().overlay([job])
    spec = registered(job.kind)
    with translation.override("en"):
        message = job.failure_text
    return JobOut(
        id=job.pk,
        kind=job.kind,
        state=job.state,
        active=job.state in ACTIVE_STATES,
        done=job.progress_done,
        total=job.progress_total,
        unit=str(spec.unit if spec is not None else ProgressUnit.ITEMS),
        phase=job.phase,
        message=message,
        result=job.result or {},
    )
