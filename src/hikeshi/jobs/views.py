"""An incident's jobs: the jobs page, the status endpoint the pages poll, and cancelling.

Each view checks access (404 for someone who is not a member) before the method, as every
incident view does.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from hikeshi.incidents.access import incident_for
from hikeshi.incidents.services.errors import InvalidInput
from hikeshi.incidents.views.guards import acting_user, refuse_method
from hikeshi.jobs.access import check_may_cancel, job_for
from hikeshi.jobs.presentation import STATUS_JOBS, job_views, status_url
from hikeshi.jobs.selectors import incident_jobs, recent_jobs
from hikeshi.jobs.services import request_cancel
from hikeshi.jobs.vocabulary import JobState

JOBS_PER_PAGE = 50
# How often the pages ask for news while a job is waiting or running, in milliseconds.
POLL_MS = 1500


@login_required
def jobs_page(request: HttpRequest, incident_id: int) -> HttpResponse:
    """Return the page listing the incident's jobs, newest first."""
    user = acting_user(request)
    incident = incident_for(user, incident_id)
    if refused := refuse_method(request, "GET", "HEAD"):
        return refused
    page = Paginator(incident_jobs(incident), JOBS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "incident": incident,
        "page": page,
        "jobs": job_views(user, incident, list(page.object_list)),
        "status_url": status_url(incident),
        "poll_ms": POLL_MS,
    }
    return render(request, "jobs/incident_jobs.html", context)


@login_required
def jobs_status(request: HttpRequest, incident_id: int) -> JsonResponse | HttpResponse:
    """Return the incident's waiting and running jobs and its newest others, as JSON."""
    user = acting_user(request)
    incident = incident_for(user, incident_id)
    if refused := refuse_method(request, "GET", "HEAD"):
        return refused
    views = job_views(user, incident, recent_jobs(incident, STATUS_JOBS))
    response = JsonResponse(
        {
            "jobs": [view.as_json() for view in views],
            "active": sum(1 for view in views if view.job.is_active),
            "poll_ms": POLL_MS,
        },
        json_dumps_params={"ensure_ascii": False},
    )
    # Progress is live: no cache may answer for the worker.
    response["Cache-Control"] = "no-store"
    return response


def _back(request: HttpRequest, incident_id: int) -> str:
    # Where the button was: the incident page or the jobs page (never a posted address).
    name = "incidents:detail" if request.POST.get("return_to") == "incident" else "jobs:list"
    return reverse(name, kwargs={"incident_id": incident_id})


@login_required
def cancel_job(request: HttpRequest, incident_id: int, job_id: int) -> HttpResponse:
    """Return a redirect back after asking the job to stop (403 unless the user may)."""
    user = acting_user(request)
    job = job_for(user, incident_id, job_id)
    if refused := refuse_method(request, "POST"):
        return refused
    check_may_cancel(user, job)
    try:
        job = request_cancel(job.pk, user)
    except InvalidInput as error:
        messages.error(request, error.translated())
    else:
        if job.state == JobState.CANCELLED:
            messages.success(request, _("The job was cancelled before it started."))
        else:
            messages.success(
                request, _("The job was asked to stop; it stops after its current step.")
            )
    return HttpResponseRedirect(_back(request, incident_id))
