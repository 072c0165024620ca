"""Who may see and stop which job: an incident's jobs belong to its members.

A job tied to an incident is visible to that incident's members (hikeshi.incidents.access);
for anyone else it does not exist (NotVisible). A job without an incident is visible to the
person who started it and to site admins. A job is stopped by whoever started it, the
incident's lead, or a site admin.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.utils.translation import gettext_noop

from hikeshi.incidents.access import incident_for, is_site_admin, role_in
from hikeshi.incidents.refusals import NotPermitted, NotVisible
from hikeshi.incidents.vocabulary import Role
from hikeshi.jobs.models import Job
from hikeshi.jobs.selectors import incident_job, visible_job

NO_SUCH_JOB = gettext_noop("no job #%(job)s that %(user)s may see")


def job_for(user: User | AnonymousUser, incident_id: int, job_id: int) -> Job:
    """Return the incident's job if the user may see the incident; NotVisible otherwise."""
    incident = incident_for(user, incident_id)
    job = incident_job(incident, job_id)
    if job is None:
        raise NotVisible(NO_SUCH_JOB, subject="job", job=job_id, user=user.get_username())
    return job


def seen_job(user: User | AnonymousUser, job_id: int) -> Job:
    """Return the job (of any incident, or of none) if the user may see it; NotVisible
    otherwise."""
    job = visible_job(user, job_id)
    if job is None:
        raise NotVisible(NO_SUCH_JOB, subject="job", job=job_id, user=user.get_username())
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


def check_may_cancel(user: User | AnonymousUser, job: Job) -> None:
    """Refuse (NotPermitted) unless the user may stop the job."""
    if not may_cancel(user, job):
        raise NotPermitted(
            gettext_noop(
                "%(user)s may not stop job #%(job)s: only who started it, the incident's "
                "lead or a site admin can"
            ),
            subject="job",
            job=job.pk,
            user=user.get_username(),
        )
