"""The incident page's jobs panel: the incident's running and newest jobs."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _

from hikeshi.incidents.panels import Panel, PanelContext
from hikeshi.jobs.presentation import RECENT_JOBS, job_views, status_url
from hikeshi.jobs.selectors import incident_jobs, recent_jobs
from hikeshi.jobs.views import POLL_MS


def jobs_context(context: PanelContext) -> Mapping[str, object]:
    """Return the incident's newest jobs as the reader sees them, and where to poll."""
    incident = context.incident
    return {
        "jobs": job_views(context.user, incident, recent_jobs(incident, RECENT_JOBS)),
        "status_url": status_url(incident),
        "poll_ms": POLL_MS,
    }


def any_jobs(context: PanelContext) -> bool:
    """Return whether the incident has had a job (no jobs: no panel)."""
    return incident_jobs(context.incident).exists()


JOBS_PANEL = Panel(
    "jobs", _("Background jobs"), "jobs/_panel.html", jobs_context, 20, visible=any_jobs
)
