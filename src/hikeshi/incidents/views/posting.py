"""Posting a form of an incident panel to a service: redirect on success, else show the
panel again with the form as it was sent."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from hikeshi.incidents.access import incident_for
from hikeshi.incidents.forms.service_errors import show_service_error
from hikeshi.incidents.models import Incident
from hikeshi.incidents.services.errors import ConflictError, InvalidInput
from hikeshi.incidents.views.guards import acting_user
from hikeshi.incidents.views.page import incident_url, render_panel

FormT = TypeVar("FormT", bound=forms.Form)
ResultT = TypeVar("ResultT")


def submit(
    request: HttpRequest,
    incident: Incident,
    form: FormT,
    *,
    form_name: str,
    section: str,
    run: Callable[[FormT], ResultT],
    success: str,
    retry: Callable[[Incident], forms.Form] | None = None,
    redirect: Callable[[ResultT], str] | None = None,
) -> HttpResponse:
    """Return the redirect to the incident page's ``section`` once ``run(form)`` succeeded,
    or that section's panel alone with the form.

    ``redirect`` computes the address from what ``run`` returned instead (e.g. the timeline
    page a new event landed on).

    The panel comes back with 400 and the form's errors (a service refusal shown on its
    field), or, when ``retry`` is given and someone else changed the incident meanwhile,
    with 409, the conflict message and ``retry(current incident)`` in place of the form.
    """
    if form.is_valid():
        try:
            result = run(form)
        except ConflictError:
            if retry is None:
                raise
            current = incident_for(acting_user(request), incident.pk, write=True)
            return render_panel(
                request,
                current,
                section,
                status=409,
                conflict=True,
                submitted={form_name: retry(current)},
            )
        except InvalidInput as error:
            show_service_error(form, error)
        else:
            messages.success(request, success)
            target = redirect(result) if redirect else incident_url(incident.pk, section)
            return HttpResponseRedirect(target)
    return render_panel(request, incident, section, status=400, submitted={form_name: form})
