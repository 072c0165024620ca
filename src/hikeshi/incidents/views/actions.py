"""The action records: their page (newest first, a page at a time), recording one, and
correcting one by appending a record that points at it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _

from hikeshi.incidents.access import incident_for
from hikeshi.incidents.action_kinds import ActionKind
from hikeshi.incidents.forms.actions import ActionForm
from hikeshi.incidents.forms.service_errors import show_service_error
from hikeshi.incidents.models import Incident
from hikeshi.incidents.selectors.actions import PAGE_SIZE, action_in, action_page
from hikeshi.incidents.services.actions import append_action
from hikeshi.incidents.services.errors import InvalidInput
from hikeshi.incidents.views.guards import acting_user, refuse_method
from hikeshi.incidents.views.page import head_context, incident_url, panel_context
from hikeshi.incidents.views.posting import submit

# Sequences are stored as 32-bit integers; a larger number in an address is ignored.
SEQUENCE_MAX = 2**31 - 1


def sequence_parameter(request: HttpRequest, name: str) -> int | None:
    """Return the query parameter as a sequence number, or None if it is not one."""
    text = request.GET.get(name, "")
    if not (text.isascii() and text.isdigit() and len(text) <= 10):
        return None
    value = int(text)
    return value if value <= SEQUENCE_MAX else None


@login_required
def actions_page(request: HttpRequest, incident_id: int) -> HttpResponse:
    """Return the incident's action records a page at a time (GET), or record one (POST)."""
    user = acting_user(request)
    incident = incident_for(user, incident_id)
    if refused := refuse_method(request, "GET", "HEAD", "POST"):
        return refused
    if request.method == "POST":
        return record_action(request, incident_for(user, incident_id, write=True))
    page = action_page(
        incident.pk,
        before=sequence_parameter(request, "before"),
        after=sequence_parameter(request, "after"),
        size=PAGE_SIZE,
    )
    context = panel_context(request, incident)
    return render(
        request,
        "incidents/actions.html",
        {
            **head_context(context, "actions-page"),
            "actions": page.records,
            "older": page.older,
            "newer": page.newer,
            "action_form": ActionForm(time_zone=incident.time_zone),
        },
    )


def record_action(request: HttpRequest, incident: Incident) -> HttpResponse:
    """Append an action record, or show the actions panel again with what was wrong."""
    user = acting_user(request)
    return submit(
        request,
        incident,
        ActionForm(request.POST, time_zone=incident.time_zone),
        form_name="action_form",
        section="actions",
        run=lambda form: append_action(incident.pk, user, form.to_input()),
        success=_("The action was recorded."),
    )


@login_required
def correct_action(request: HttpRequest, incident_id: int, action_id: int) -> HttpResponse:
    """Return the correction form for one record, or append the correction."""
    user = acting_user(request)
    incident = incident_for(user, incident_id, write=True)
    if refused := refuse_method(request, "GET", "POST"):
        return refused
    original = action_in(incident.pk, action_id)
    if original is None:
        raise Http404("no such action record in this incident")
    zone = incident.time_zone
    status = 200
    if request.method != "POST":
        form = ActionForm(initial=ActionForm.initial_from(original, zone), time_zone=zone)
    else:
        form = ActionForm(request.POST, time_zone=zone)
        status = 400
        if form.is_valid():
            try:
                append_action(
                    incident.pk, user, form.to_input(original), kind=ActionKind.CORRECTION
                )
            except InvalidInput as error:
                show_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("The correction of record #%(sequence)s was recorded.")
                    % {"sequence": original.sequence},
                )
                return HttpResponseRedirect(incident_url(incident.pk, "actions"))
    context = {"incident": incident, "original": original, "form": form}
    return render(request, "incidents/correct_action.html", context, status=status)
