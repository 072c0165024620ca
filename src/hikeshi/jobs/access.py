"""Who may see and stop which job: an incident's jobs belong to its members.

A job tied to an incident is visible to that incident's members (hikeshi.incidents.access);
for anyone else it does not exist (404). A job without an incident is visible to the person
who started it and to site admins. A job is stopped by whoever started it, the incident's
lead, or a site admin.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet
from django.http import Http404

from hikeshi.incidents.access import incident_for, is_site_admin, role_in, visible_incidents
from hikeshi.incidents.vocabulary import Role
from hikeshi.jobs.models import Job


def visible_jobs(user: User | AnonymousUser) -> QuerySet[Job]:
    """Return the jobs the user may see."""
    if not user.is_authenticated or not user.is_active:
        return Job.objects.none()
    if is_site_admin(user):
        return Job.objects.all()
    return Job.objects.filter(
        Q(incident__in=visible_incidents(user)) | Q(incident__isnull=True, started_by=user)
    )


def job_for(user: User | AnonymousUser, incident_id: int, job_id: int) -> Job:
    """Return the incident's job if the user may see the incident; Http404 for anyone else."""
    incident = incident_for(user, incident_id)
    job = (
        Job.objects.filter(pk=job_id, incident=incident)
        .select_related("incident", "started_by", "cancel_requested_by")
        .first()
    )
    if job is None:
        raise Http404("no such job")
    return job


def may_cancel(user: User | AnonymousUser, job: Job, *, role: str | None = None) -> bool:
    """Return whether the user may stop the job (``role``: theirs in its incident, if known)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if is_site_admin(user) or job.started_by_id == user.pk:
        return True
    if job.incident is None:
        return False
    return (role if role is not None else role_in(user, job.incident)) == Role.LEAD
