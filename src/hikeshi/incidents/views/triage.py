"""Triage and lifecycle moves, posted from their panels."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from hikeshi.incidents.access import incident_for
from hikeshi.incidents.forms.triage import StatusForm, TriageForm
from hikeshi.incidents.forms.versioned import with_version
from hikeshi.incidents.services import incidents as incident_services
from hikeshi.incidents.views.guards import acting_user, refuse_method
from hikeshi.incidents.views.posting import submit


@login_required
def triage_incident(request: HttpRequest, incident_id: int) -> HttpResponse:
    """Record the triage decision, or show the form again with what was wrong."""
    user = acting_user(request)
    incident = incident_for(user, incident_id, write=True)
    if refused := refuse_method(request, "POST"):
        return refused
    return submit(
        request,
        incident,
        TriageForm(request.POST),
        form_name="triage_form",
        section="triage",
        run=lambda form: incident_services.triage(
            user, incident.pk, form.cleaned_data["version"], form.to_input()
        ),
        success=_("The triage decision was recorded."),
        retry=lambda current: TriageForm(with_version(request.POST, current.version)),
    )


@login_required
def change_status(request: HttpRequest, incident_id: int) -> HttpResponse:
    """Move the incident to another lifecycle step, or show why it cannot move."""
    user = acting_user(request)
    incident = incident_for(user, incident_id, write=True)
    if refused := refuse_method(request, "POST"):
        return refused
    return submit(
        request,
        incident,
        StatusForm(request.POST),
        form_name="status_form",
        section="status",
        run=lambda form: incident_services.change_status(
            user,
            incident.pk,
            form.cleaned_data["version"],
            form.cleaned_data["status"],
            form.cleaned_data["reason"],
        ),
        success=_("The status was changed."),
        retry=lambda current: StatusForm(with_version(request.POST, current.version)),
    )
