"""Contacts (連絡先): the list of every contact, and the organisation's own contacts kept by
site administrators."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from hikeshi.directory import services
from hikeshi.directory.cards import (
    SHIPPED_KIND_LABELS,
    grouped_by_kind,
    guidance_cards,
    search_words,
)
from hikeshi.directory.forms import DeploymentContactForm
from hikeshi.directory.models import DeploymentContactKind
from hikeshi.directory.selectors import deployment_cards
from hikeshi.incidents.access import is_site_admin
from hikeshi.incidents.forms.service_errors import show_service_error
from hikeshi.incidents.services.errors import InvalidInput
from hikeshi.incidents.templatetags.guidance_text import active_language
from hikeshi.incidents.views.guards import acting_user, refuse_method


def _render_directory(
    request: HttpRequest, form: DeploymentContactForm | None, *, status: int = 200
) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    words = search_words(query)
    own = deployment_cards()
    shipped = list(guidance_cards(active_language()).values())
    own_found = [card for card in own if card.matches(words)]
    shipped_found = [card for card in shipped if card.matches(words)]
    context = {
        "query": query,
        "page_url": reverse("directory:contacts"),
        "own_groups": grouped_by_kind(own_found, DeploymentContactKind.values),
        "shipped_groups": grouped_by_kind(shipped_found, SHIPPED_KIND_LABELS),
        "own_count": len(own),
        "found_count": len(own_found) + len(shipped_found),
        "total_count": len(own) + len(shipped),
        "form": form,
    }
    return render(request, "directory/contacts.html", context, status=status)


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
            services.add_deployment_contact(user, **form.cleaned_data)
        except InvalidInput as error:
            show_service_error(form, error)
        else:
            messages.success(
                request,
                _("%(name)s was added to the contacts.") % {"name": form.cleaned_data["name"]},
            )
            return HttpResponseRedirect(reverse("directory:contacts") + "#own")
    return _render_directory(request, form, status=400)
