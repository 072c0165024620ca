"""The intake form: opening a new incident and editing the record items of one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from hikeshi.incidents.access import incident_for
from hikeshi.incidents.forms.fields import DEFAULT_TIME_ZONE, wall_clock
from hikeshi.incidents.forms.intake import IncidentEditForm, IncidentForm
from hikeshi.incidents.forms.service_errors import show_service_error
from hikeshi.incidents.forms.versioned import with_version
from hikeshi.incidents.models import Incident
from hikeshi.incidents.services import incidents as incident_services
from hikeshi.incidents.services.errors import ConflictError, InvalidInput
from hikeshi.incidents.views.guards import acting_user, refuse_method
from hikeshi.incidents.views.page import incident_url


def _render_intake(
    request: HttpRequest,
    form: IncidentForm,
    incident: Incident | None = None,
    *,
    status: int = 200,
    conflict: bool = False,
) -> HttpResponse:
    context = {"form": form, "incident": incident, "conflict": conflict}
    return render(request, "incidents/intake.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def new_incident(request: HttpRequest) -> HttpResponse:
    """Return the empty intake form, or open the incident and go to its page."""
    user = acting_user(request)
    if request.method != "POST":
        now = wall_clock(timezone.now(), DEFAULT_TIME_ZONE)
        return _render_intake(request, IncidentForm(initial={"detected_at": now}))
    form = IncidentForm(request.POST)
    if form.is_valid():
        try:
            incident = incident_services.open_incident(user, form.to_input())
        except InvalidInput as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("The incident was opened."))
            return HttpResponseRedirect(incident_url(incident.pk))
    return _render_intake(request, form, status=400)


@login_required
def edit_incident(request: HttpRequest, incident_id: int) -> HttpResponse:
    """Return the intake form filled with the incident, or save it and go to its page."""
    user = acting_user(request)
    incident = incident_for(user, incident_id, write=True)
    if refused := refuse_method(request, "GET", "POST"):
        return refused
    if request.method != "POST":
        form = IncidentEditForm(initial=IncidentEditForm.initial_for(incident))
        return _render_intake(request, form, incident)
    form = IncidentEditForm(request.POST)
    if form.is_valid():
        try:
            incident_services.update_incident(
                user, incident.pk, form.cleaned_data["version"], form.to_input()
            )
        except ConflictError:
            # Keep what the person typed, beside the record as it is now, so they can compare.
            current = incident_for(user, incident_id, write=True)
            form = IncidentEditForm(with_version(request.POST, current.version))
            return _render_intake(request, form, current, status=409, conflict=True)
        except InvalidInput as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("The incident record was updated."))
            return HttpResponseRedirect(incident_url(incident.pk))
    return _render_intake(request, form, incident, status=400)
