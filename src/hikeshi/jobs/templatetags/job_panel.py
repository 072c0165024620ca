"""Template filters of the jobs panel and the jobs page."""

from __future__ import annotations

from django import template

from hikeshi.jobs.presentation import JobView

register = template.Library()


@register.filter
def job_time(view: JobView, field: str) -> str:
    """Return the job's time ``field`` (created_at, started_at, ...) in its incident's zone."""
    return view.moment(getattr(view.job, field))
