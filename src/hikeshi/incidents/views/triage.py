"""Triage and lifecycle moves, posted from the incident page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _

from hikeshi.incidents.access import incident_for
from hikeshi.incidents.forms.service_errors import show_service_error
from hikeshi.incidents.forms.triage import StatusForm, TriageForm
from hikeshi.incidents.forms.versioned import with_version
from hikeshi.incidents.services import incidents as incident_services
from hikeshi.incidents.services.errors import ConflictError, InvalidInput
from hikeshi.incidents.views.guards import acting_user, refuse_method
from hikeshi.incidents.views.page import incident_url, render_incident_page


@login_required
def triage_incident(request: HttpRequest, incident_id: int) -> HttpResponse:
    """Record the triage decision, or show the form again with what was wrong."""
    user = acting_user(request)
    incident = incident_for(user, incident_id, write=True)
    if refused := refuse_method(request, "POST"):
        return refused
    form = TriageForm(request.POST)
    if form.is_valid():
        try:
            incident_services.triage(
                user, incident.pk, form.cleaned_data["version"], form.to_input()
            )
        except ConflictError:
            current = incident_for(user, incident_id, write=True)
            retry = TriageForm(with_version(request.POST, current.version))
            return render_incident_page(
                request, current, status=409, conflict=True, page_forms={"triage_form": retry}
            )
        except InvalidInput as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("The triage decision was recorded."))
            return HttpResponseRedirect(incident_url(incident.pk, "triage"))
    return render_incident_page(request, incident, status=400, page_forms={"triage_form": form})


@login_required
def change_status(request: HttpRequest, incident_id: int) -> HttpResponse:
    """Move the incident to another lifecycle step, or show why it cannot move."""
    user = acting_user(request)
    incident = incident_for(user, incident_id, write=True)
    if refused := refuse_method(request, "POST"):
        return refused
    form = StatusForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            incident_services.change_status(
                user, incident.pk, data["version"], data["status"], data["reason"]
            )
        except ConflictError:
            current = incident_for(user, incident_id, write=True)
            retry = StatusForm(with_version(request.POST, current.version))
            return render_incident_page(
                request, current, status=409, conflict=True, page_forms={"status_form": retry}
            )
        except InvalidInput as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("The status was changed."))
            return HttpResponseRedirect(incident_url(incident.pk, "status"))
    return render_incident_page(request, incident, status=400, page_forms={"status_form": form})
