"""Choosing a contact for an incident, from the consultation page or the incident's panel."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from hikeshi.directory import services
from hikeshi.directory.cards import DEPLOYMENT, GUIDANCE, contact_key
from hikeshi.directory.forms import BACK_TO_CONSULT, IncidentContactForm
from hikeshi.directory.selectors import chosen_keys
from hikeshi.directory.views.consultation import ANSWER_PARAMETER, answers_query
from hikeshi.guidance.knowledge import knowledge_base
from hikeshi.incidents.access import incident_for
from hikeshi.incidents.services.errors import InvalidInput
from hikeshi.incidents.views.guards import acting_user, refuse_method


def _source_reason(source: str) -> str:
    """Return the recorded reason for a contact chosen on the consultation page."""
    flow = knowledge_base().consultation
    kind, _sep, entry_id = source.partition(":")
    try:
        if kind == "outcome":
            return flow.outcome(entry_id).title.ja
        if kind == "guide":
            return flow.guide(entry_id).title.ja
    except KeyError:
        pass
    return ""


def _chosen(contact: str) -> tuple[str, int | None]:
    """Return (guidance contact id, deployment contact id) from "guidance:…"/"deployment:…"."""
    kind, _sep, value = contact.partition(":")
    if kind == GUIDANCE and value:
        return value, None
    if kind == DEPLOYMENT and value.isdigit():
        return "", int(value)
    raise InvalidInput("contact", gettext_noop("choose one contact"))


@login_required
def add_contact(request: HttpRequest, incident_id: int) -> HttpResponse:
    """Add a contact to the incident (recorded as an action) and go back where it was chosen."""
    user = acting_user(request)
    incident = incident_for(user, incident_id, write=True)
    if refused := refuse_method(request, "POST"):
        return refused
    form = IncidentContactForm(request.POST)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    if data.get("back") == BACK_TO_CONSULT:
        answers = request.POST.getlist(ANSWER_PARAMETER)
        anchor = data.get("source", "").replace(":", "-")
        back = reverse("directory:incident_consult", kwargs={"incident_id": incident.pk})
        back += answers_query(answers, anchor)
    else:
        back = reverse("incidents:detail", kwargs={"incident_id": incident.pk}) + "#contacts"
    try:
        guidance_id, deployment_id = _chosen(data.get("contact", ""))
        reason = _source_reason(data.get("source", "")) or data.get("reason", "")
        if contact_key(guidance_id, deployment_id) in chosen_keys(incident.pk):
            messages.info(request, _("This contact is already among the incident's contacts."))
            return HttpResponseRedirect(back)
        services.add_to_incident(
            user,
            incident.pk,
            guidance_contact=guidance_id,
            deployment_contact_id=deployment_id,
            reason=reason,
        )
    except InvalidInput as error:
        messages.error(request, error.translated())
    else:
        messages.success(request, _("The contact was added to this incident."))
    return HttpResponseRedirect(back)
