"""Members of an incident: leads add people by user name, with a role, and remove them.

The members panel lists them (hikeshi.incidents.views.panels)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _

from hikeshi.incidents.access import incident_for, may_lead
from hikeshi.incidents.forms.members import MemberForm
from hikeshi.incidents.forms.service_errors import show_service_error
from hikeshi.incidents.models import Incident
from hikeshi.incidents.selectors.members import membership_of
from hikeshi.incidents.services.errors import InvalidInput
from hikeshi.incidents.services.incidents import set_membership
from hikeshi.incidents.views.guards import acting_user, refuse_method
from hikeshi.incidents.views.page import incident_url, render_panel


def _require_lead(user: User, incident: Incident) -> None:
    if not may_lead(user, incident):
        raise PermissionDenied("only leads manage members")


@login_required
def add_member(request: HttpRequest, incident_id: int) -> HttpResponse:
    """Give an existing user a role in the incident (or change their role)."""
    user = acting_user(request)
    incident = incident_for(user, incident_id, write=True)
    _require_lead(user, incident)
    if refused := refuse_method(request, "POST"):
        return refused
    form = MemberForm(request.POST)
    if form.is_valid() and form.member is not None:
        data = form.cleaned_data
        try:
            set_membership(user, incident.pk, form.member, data["role"], data["affiliation"])
        except InvalidInput as error:
            show_service_error(form, error)
        else:
            messages.success(
                request, _("%(user)s is now a member.") % {"user": form.member.get_username()}
            )
            return HttpResponseRedirect(incident_url(incident.pk, "members"))
    return render_panel(request, incident, "members", status=400, submitted={"member_form": form})


@login_required
def remove_member(request: HttpRequest, incident_id: int, user_id: int) -> HttpResponse:
    """Take a person out of the incident; the last lead cannot be removed."""
    user = acting_user(request)
    incident = incident_for(user, incident_id, write=True)
    _require_lead(user, incident)
    if refused := refuse_method(request, "POST"):
        return refused
    membership = membership_of(incident.pk, user_id)
    if membership is None:
        raise Http404("no such member in this incident")
    try:
        set_membership(user, incident.pk, membership.user, None)
    except InvalidInput as error:
        messages.error(request, error.translated())
    else:
        messages.success(
            request, _("%(user)s was removed.") % {"user": membership.user.get_username()}
        )
    return HttpResponseRedirect(incident_url(incident.pk, "members"))
