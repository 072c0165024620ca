"""Contacts (連絡先): the list of every contact, the organisation's own contacts kept by site
administrators, and choosing contacts for an incident."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from hikeshi.guidance.knowledge import knowledge_base
from hikeshi.incidents.access import incident_for, is_site_admin
from hikeshi.incidents.forms.contacts import (
    BACK_TO_CONSULT,
    DeploymentContactForm,
    IncidentContactForm,
)
from hikeshi.incidents.forms.service_errors import show_service_error
from hikeshi.incidents.models import DeploymentContact, IncidentContact
from hikeshi.incidents.models.contact import DeploymentContactKind
from hikeshi.incidents.services import contacts as contact_services
from hikeshi.incidents.services.errors import InvalidInput
from hikeshi.incidents.templatetags.guidance_text import active_language
from hikeshi.incidents.views.consultation import ANSWER_PARAMETER, answers_query
from hikeshi.incidents.views.contact_cards import (
    DEPLOYMENT,
    GUIDANCE,
    SHIPPED_KIND_LABELS,
    deployment_card,
    grouped_by_kind,
    guidance_cards,
    search_words,
)
from hikeshi.incidents.views.guards import acting_user, refuse_method
from hikeshi.incidents.views.page import incident_url


def _render_directory(
    request: HttpRequest, form: DeploymentContactForm | None, *, status: int = 200
) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    words = search_words(query)
    own = [deployment_card(c) for c in DeploymentContact.objects.order_by("kind", "name")]
    shipped = list(guidance_cards(active_language()).values())
    own_found = [card for card in own if card.matches(words)]
    shipped_found = [card for card in shipped if card.matches(words)]
    context = {
        "query": query,
        "page_url": reverse("contacts"),
        "own_groups": grouped_by_kind(own_found, DeploymentContactKind.values),
        "shipped_groups": grouped_by_kind(shipped_found, SHIPPED_KIND_LABELS),
        "own_count": len(own),
        "found_count": len(own_found) + len(shipped_found),
        "total_count": len(own) + len(shipped),
        "form": form,
    }
    return render(request, "incidents/contacts.html", context, status=status)


@login_required
def contact_directory(request: HttpRequest) -> HttpResponse:
    """Return every contact (searchable); site administrators add the organisation's own."""
    user = acting_user(request)
    if refused := refuse_method(request, "GET", "HEAD", "POST"):
        return refused
    admin = is_site_admin(user)
    if request.method != "POST":
        return _render_directory(request, DeploymentContactForm() if admin else None)
    if not admin:
        raise PermissionDenied("only site administrators keep the organisation's contacts")
    form = DeploymentContactForm(request.POST)
    if form.is_valid():
        try:
            contact_services.add_deployment_contact(user, **form.cleaned_data)
        except InvalidInput as error:
            show_service_error(form, error)
        else:
            messages.success(
                request,
                _("%(name)s was added to the contacts.") % {"name": form.cleaned_data["name"]},
            )
            return HttpResponseRedirect(reverse("contacts") + "#own")
    return _render_directory(request, form, status=400)


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
        back = reverse("incidents:consult", kwargs={"incident_id": incident.pk})
        back += answers_query(answers, anchor)
    else:
        back = incident_url(incident.pk, "contacts")
    try:
        guidance_id, deployment_id = _chosen(data.get("contact", ""))
        reason = _source_reason(data.get("source", "")) or data.get("reason", "")
        chosen = IncidentContact.objects.filter(incident=incident)
        if guidance_id:
            chosen = chosen.filter(guidance_contact=guidance_id)
        else:
            chosen = chosen.filter(deployment_contact_id=deployment_id)
        if chosen.exists():
            messages.info(request, _("This contact is already among the incident's contacts."))
            return HttpResponseRedirect(back)
        contact_services.add_to_incident(
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
