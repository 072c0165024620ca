"""Jobs as pages and the status endpoint show them: live progress, labels in the reader's
language, times in the incident's zone, and whether the reader may stop them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import dateformat, timezone

from hikeshi import bounds
from hikeshi.incidents.access import role_in
from hikeshi.incidents.models import Incident
from hikeshi.jobs.access import may_cancel
from hikeshi.jobs.board import board
from hikeshi.jobs.models import Job
from hikeshi.jobs.registry import registered
from hikeshi.jobs.vocabulary import ACTIVE_STATES, JobState, ProgressUnit

# How many of an incident's jobs the incident page and the status endpoint show.
RECENT_JOBS = 5
STATUS_JOBS = 20


def amount_text(value: int, unit: ProgressUnit) -> str:
    """Return a count as people read it: "12,345", or "1.2 MB" for bytes."""
    return str(filesizeformat(value)) if unit == ProgressUnit.BYTES else f"{value:,}"


@dataclass(frozen=True)
class JobView:
    """One job as a reader sees it."""

    job: Job
    can_cancel: bool
    zone: str

    @property
    def unit(self) -> ProgressUnit:
        """Return what the job's counts count."""
        spec = registered(self.job.kind)
        return spec.unit if spec is not None else ProgressUnit.ITEMS

    @property
    def percent(self) -> int | None:
        """Return how far the job is, 0 to 100, or None while its total is not known."""
        if not self.job.progress_total:
            return None
        return min(100, self.job.progress_done * 100 // self.job.progress_total)

    @property
    def counts(self) -> str:
        """Return "done / total" in the job's unit ("1.2 MB / 4.0 MB"), or "" before any."""
        done, total = self.job.progress_done, self.job.progress_total
        if total:
            return f"{amount_text(done, self.unit)} / {amount_text(total, self.unit)}"
        return amount_text(done, self.unit) if done else ""

    @property
    def cancel_requested(self) -> bool:
        """Return whether someone asked the running job to stop."""
        return self.job.state == JobState.RUNNING and self.job.cancel_requested_at is not None

    @property
    def result_lines(self) -> list[tuple[str, str]]:
        """Return the result summary as (label, value) pairs, labels in the reader's language."""
        spec = registered(self.job.kind)
        labels = spec.result_labels if spec is not None else {}
        return [
            (str(labels.get(key, key)), _plain(value))
            for key, value in (self.job.result or {}).items()
            # An object is details for the kind's own page (an import's rejected rows).
            if not isinstance(value, dict)
        ]

    def moment(self, value: datetime | None) -> str:
        """Return the time in the incident's zone ("" for none)."""
        if value is None:
            return ""
        local = timezone.localtime(value, bounds.display_zone(self.zone))
        return dateformat.format(local, "Y-m-d H:i:s")

    def as_json(self) -> dict[str, Any]:
        """Return what the status endpoint says about the job (texts already translated)."""
        job = self.job
        return {
            "id": job.pk,
            "kind": job.kind,
            "kind_label": job.kind_label,
            "state": job.state,
            "state_label": str(job.get_state_display()),
            "active": job.state in ACTIVE_STATES,
            "done": job.progress_done,
            "total": job.progress_total,
            "percent": self.percent,
            "counts": self.counts,
            "phase": job.phase,
            "phase_label": job.phase_label,
            "cancel_requested": self.cancel_requested,
            "can_cancel": self.can_cancel and job.state in ACTIVE_STATES,
            "message": job.failure_text,
            "result": [{"label": label, "value": value} for label, value in self.result_lines],
            "created_at": _iso(job.created_at),
            "started_at": _iso(job.started_at),
            "finished_at": _iso(job.finished_at),
            "finished_at_text": self.moment(job.finished_at),
        }


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "✓" if value else "–"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list):
        return ", ".join(_plain(item) for item in value)
    return str(value)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def job_views(user: User, incident: Incident, jobs: Sequence[Job]) -> list[JobView]:
    """Return the incident's jobs with their live progress and what the user may do."""
    board().overlay(jobs)
    role = role_in(user, incident)
    return [JobView(job, may_cancel(user, job, role=role), incident.time_zone) for job in jobs]


def status_url(incident: Incident) -> str:
    """Return the address of the incident's job status endpoint."""
    return reverse("jobs:status", kwargs={"incident_id": incident.pk})
