"""The incident page: a shell that lays out the panels the apps registered.

Each panel is also a page of its own (the incident's header and that panel alone): a
refused form comes back there, with what was typed and why it was refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString

from hikeshi import bounds
from hikeshi.incidents.access import WRITER_ROLES, incident_for, role_in
from hikeshi.incidents.models import Incident
from hikeshi.incidents.panels import Panel, PanelContext, panel_named, registered
from hikeshi.incidents.views.guards import acting_user, refuse_method
from hikeshi.incidents.vocabulary import IncidentType, Role

# Addresses of entries elsewhere in hikeshi point at the incident page with these; the
# timeline page shows the page that holds the entry.
LOCATE_PARAMETERS = ("timeline_action", "timeline_event")


def incident_url(incident_id: int, section: str = "") -> str:
    """Return the incident page's address, optionally at one of its sections."""
    url = reverse("incidents:detail", kwargs={"incident_id": incident_id})
    return f"{url}#{section}" if section else url


def panel_url(incident_id: int, key: str) -> str:
    """Return the address of one panel shown alone."""
    return reverse("incidents:panel", kwargs={"incident_id": incident_id, "panel_key": key})


def panel_context(
    request: HttpRequest, incident: Incident, submitted: Mapping[str, forms.Form] | None = None
) -> PanelContext:
    """Return what every panel's context function receives for this request."""
    user = acting_user(request)
    role = role_in(user, incident)
    return PanelContext(
        request=request,
        incident=incident,
        user=user,
        role=role,
        can_write=role in WRITER_ROLES,
        can_lead=role == Role.LEAD,
        submitted=dict(submitted or {}),
    )


@dataclass(frozen=True)
class Section:
    """A panel as the page shows it: the panel and its rendered section."""

    panel: Panel
    html: SafeString


def _section(panel: Panel, context: PanelContext, *, conflict: bool = False) -> Section:
    """Return the panel rendered in its section, in the incident's time zone."""
    values = {
        "incident": context.incident,
        "role": context.role,
        "can_write": context.can_write,
        "can_lead": context.can_lead,
        "panel": panel,
        **panel.context(context),
    }
    body = render_to_string(panel.template, values, context.request)
    html = render_to_string(
        "incidents/_section.html",
        {"panel": panel, "body": SafeString(body), "conflict": conflict},
        context.request,
    )
    return Section(panel, SafeString(html))


def head_context(context: PanelContext, here: str = "") -> dict[str, object]:
    """Return the context of the incident's header, shared by the incident's pages: links
    to each panel the reader sees, ``here`` marking the page's own."""
    return _head(context, _visible(context), here)


def _head(context: PanelContext, panels: list[Panel], here: str = "") -> dict[str, object]:
    incident = context.incident
    return {
        "incident": incident,
        "type_labels": [IncidentType(code).label for code in incident.types],
        "role": context.role,
        "role_label": Role(context.role).label if context.role else "",
        "can_write": context.can_write,
        "can_lead": context.can_lead,
        "detail_url": incident_url(incident.pk),
        "section_links": [(panel.key, panel.title) for panel in panels],
        "here": here,
    }


def _visible(context: PanelContext) -> list[Panel]:
    return [panel for panel in registered() if panel.visible(context)]


def render_incident_page(request: HttpRequest, incident: Incident) -> HttpResponse:
    """Return the incident page: every visible panel in its column."""
    context = panel_context(request, incident)
    panels = _visible(context)
    with timezone.override(bounds.display_zone(incident.time_zone)):
        sections = [_section(panel, context) for panel in panels]
    page = {
        **_head(context, panels),
        "main": [section for section in sections if section.panel.column == "main"],
        "side": [section for section in sections if section.panel.column == "side"],
    }
    return render(request, "incidents/detail.html", page)


def render_panel(
    request: HttpRequest,
    incident: Incident,
    key: str,
    *,
    status: int = 200,
    conflict: bool = False,
    submitted: Mapping[str, forms.Form] | None = None,
) -> HttpResponse:
    """Return one panel alone under the incident's header; ``submitted`` are the forms of
    a refused post, shown with their errors (and ``conflict`` says someone else was first)."""
    context = panel_context(request, incident, submitted)
    panel = panel_named(key)
    if panel is None or not panel.visible(context):
        raise Http404("no such panel")
    with timezone.override(bounds.display_zone(incident.time_zone)):
        section = _section(panel, context, conflict=conflict)
    page = {
        **_head(context, _visible(context), key),
        "section": section,
        # The language switch returns here with a GET, never to the address posted to.
        "page_url": panel_url(incident.pk, key),
    }
    return render(request, "incidents/panel.html", page, status=status)


@login_required
def incident_page(request: HttpRequest, incident_id: int) -> HttpResponse:
    """Return the incident page for a member (404 for anyone else)."""
    incident = incident_for(acting_user(request), incident_id)
    if refused := refuse_method(request, "GET", "HEAD"):
        return refused
    located = {name: request.GET[name] for name in LOCATE_PARAMETERS if name in request.GET}
    if located:
        # The timeline has its own page; an entry's address leads to the page holding it.
        timeline = reverse("incidents:timeline", kwargs={"incident_id": incident.pk})
        name, value = next(iter(located.items()))
        return HttpResponseRedirect(f"{timeline}?{urlencode({name: value})}")
    return render_incident_page(request, incident)


@login_required
def panel_page(request: HttpRequest, incident_id: int, panel_key: str) -> HttpResponse:
    """Return one panel of the incident alone (404 for a non-member or an unknown panel)."""
    incident = incident_for(acting_user(request), incident_id)
    if refused := refuse_method(request, "GET", "HEAD"):
        return refused
    return render_panel(request, incident, panel_key)
