"""Reads of background jobs that the pages, the API, the CLI and the worker share.

A job tied to an incident is visible to that incident's members; a job without an incident
to the person who started it and to site admins (hikeshi.jobs.access builds on this).
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from hikeshi.incidents.models import Incident
from hikeshi.incidents.selectors.incidents import is_site_admin, visible_incidents
from hikeshi.jobs.models import Job
from hikeshi.jobs.vocabulary import ACTIVE_STATES

# The people and the incident a job names, read with it.
_NAMED = ("incident", "started_by", "cancel_requested_by")


def visible_jobs(user: User | AnonymousUser) -> QuerySet[Job]:
    """Return the jobs the user may see, newest first."""
    if not user.is_authenticated or not user.is_active:
        return Job.objects.none()
    if is_site_admin(user):
        return Job.objects.all()
    return Job.objects.filter(
        Q(incident__in=visible_incidents(user)) | Q(incident__isnull=True, started_by=user)
    )


def visible_job(user: User | AnonymousUser, job_id: int) -> Job | None:
    """Return the job if the user may see it, with the people it names; else None."""
    return visible_jobs(user).select_related(*_NAMED).filter(pk=job_id).first()


def listed_jobs(
    user: User | AnonymousUser, *, incident: Incident | None = None, limit: int
) -> list[Job]:
    """Return up to ``limit`` of the jobs the user may see (of one incident), newest first."""
    jobs = visible_jobs(user).select_related(*_NAMED)
    if incident is not None:
        jobs = jobs.filter(incident=incident)
    return list(jobs.order_by("-created_at", "-id")[:limit])


def incident_job(incident: Incident, job_id: int) -> Job | None:
    """Return the incident's job with that id, with the people it names; else None."""
    return Job.objects.filter(pk=job_id, incident=incident).select_related(*_NAMED).first()


def incident_jobs(incident: Incident) -> QuerySet[Job]:
    """Return the incident's jobs, newest first, with the people they name."""
    return (
        Job.objects.filter(incident=incident).select_related(*_NAMED).order_by("-created_at", "-id")
    )


def recent_jobs(incident: Incident, limit: int) -> list[Job]:
    """Return up to ``limit`` of the incident's jobs: waiting and running ones first, then
    the newest of the others (one query)."""
    waiting_or_running = Case(
        When(state__in=ACTIVE_STATES, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return list(incident_jobs(incident).order_by(waiting_or_running, "-created_at", "-id")[:limit])


def job_by_id(job_id: int) -> Job | None:
    """Return the job with that id and its incident, whoever may see it (the job's own
    process, which already holds it), or None."""
    return Job.objects.select_related("incident").filter(pk=job_id).first()
