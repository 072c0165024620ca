"""The incident page's jobs panel, drawn from the incident alone (the page view need not know)."""

from __future__ import annotations

from typing import Any

from django import template
from django.contrib.auth.models import User

from hikeshi.incidents.models import Incident
from hikeshi.jobs.presentation import RECENT_JOBS, JobView, job_views, recent_jobs, status_url
from hikeshi.jobs.views import POLL_MS

register = template.Library()


@register.inclusion_tag("jobs/_panel.html", takes_context=True)
def incident_jobs_panel(context: template.Context, incident: Incident) -> dict[str, Any]:
    """Return the panel's context: the incident's running and newest jobs (none: no panel)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    jobs = recent_jobs(incident, RECENT_JOBS)
    if not isinstance(user, User) or not jobs:
        return {"jobs": []}
    return {
        "incident": incident,
        "jobs": job_views(user, incident, jobs),
        "status_url": status_url(incident),
        "poll_ms": POLL_MS,
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def job_time(view: JobView, field: str) -> str:
    """Return the job's time ``field`` (created_at, started_at, ...) in its incident's zone."""
    return view.moment(getattr(view.job, field))
