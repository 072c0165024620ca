"""The incident page: summary, triage, status, actions, timeline and members in one view."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from hikeshi.incidents.access import WRITER_ROLES, incident_for, role_in
from hikeshi.incidents.forms.actions import ActionForm
from hikeshi.incidents.forms.members import MemberForm
from hikeshi.incidents.forms.timeline import EventForm, TimelineImportForm
from hikeshi.incidents.forms.triage import StatusForm, TriageForm
from hikeshi.incidents.models import ActionRecord, Incident, Membership
from hikeshi.incidents.models.checklist import ChecklistPhase
from hikeshi.incidents.services.checklist import progress
from hikeshi.incidents.services.timeline import Timeline, TimelineEntry
from hikeshi.incidents.templatetags.guidance_text import active_language
from hikeshi.incidents.views.contact_cards import chosen_contacts, contact_choices
from hikeshi.incidents.views.guards import acting_user, refuse_method
from hikeshi.incidents.vocabulary import LIFECYCLE, IncidentType, Level, Role, derive_priority

ACTIONS_PER_PAGE = 50
TIMELINE_PER_PAGE = 200


@dataclass(frozen=True)
class LifecycleStep:
    """One button of the status panel."""

    value: str
    label: str
    current: bool


@dataclass(frozen=True)
class PriorityRow:
    """One row of the urgency x impact table: an urgency and the priority for each impact."""

    urgency: Level
    cells: list[tuple[Level, str]]


def priority_matrix() -> list[PriorityRow]:
    """Return the urgency x impact table, most urgent first, from derive_priority."""
    return [
        PriorityRow(
            urgency,
            [(impact, str(derive_priority(urgency, impact).label)) for impact in Level],
        )
        for urgency in reversed(Level)
    ]


def incident_url(incident_id: int, section: str = "") -> str:
    """Return the incident page's address, optionally at one of its sections."""
    url = reverse("incidents:detail", kwargs={"incident_id": incident_id})
    return f"{url}#{section}" if section else url


def timeline_page(request: HttpRequest, incident: Incident) -> Page[TimelineEntry]:
    """Return the timeline page asked for: the page of ``timeline_action`` or
    ``timeline_event``, else ``timeline_page``.

    A page costs a fixed number of queries whatever the timeline holds (merged and sliced in
    the database); asking for an entry adds three, to find the page it is on.
    """
    timeline = Timeline(incident)
    number: int | str | None = request.GET.get("timeline_page")
    for parameter, locate in (
        ("timeline_action", timeline.position_of_action),
        ("timeline_event", timeline.position_of_event),
    ):
        entry_id = request.GET.get(parameter, "")
        # Only ASCII digits that fit a bigint reach the database; anything else is ignored.
        if entry_id.isascii() and entry_id.isdigit() and len(entry_id) < 19:
            position = locate(int(entry_id))
            if position is not None:
                number = position // TIMELINE_PER_PAGE + 1
                break
    return Paginator(timeline, TIMELINE_PER_PAGE).get_page(number)


def render_incident_page(
    request: HttpRequest,
    incident: Incident,
    *,
    status: int = 200,
    conflict: bool = False,
    page_forms: dict[str, forms.Form] | None = None,
) -> HttpResponse:
    """Return the incident page; ``page_forms`` replaces blank forms with submitted ones."""
    user = acting_user(request)
    role = role_in(user, incident)
    zone = incident.time_zone
    blank_forms: dict[str, forms.Form] = {
        "triage_form": TriageForm(initial=TriageForm.initial_for(incident)),
        "status_form": StatusForm(initial={"version": incident.version}),
        "action_form": ActionForm(time_zone=zone),
        "event_form": EventForm(time_zone=zone),
        "import_form": TimelineImportForm(),
        "member_form": MemberForm(),
    }
    actions = (
        ActionRecord.objects.filter(incident=incident)
        .select_related("corrects")
        .prefetch_related("corrections")
        .order_by("-sequence")
    )
    members = (
        Membership.objects.filter(incident=incident)
        .select_related("user")
        .order_by("role", "user__username")
    )
    can_write = role in WRITER_ROLES
    language = active_language()
    timeline = timeline_page(request, incident)
    context = {
        "incident": incident,
        "page_url": incident_url(incident.pk),
        "type_labels": [IncidentType(code).label for code in incident.types],
        "role": role,
        "role_label": Role(role).label if role else "",
        "can_write": can_write,
        "can_lead": role == Role.LEAD,
        "conflict": conflict,
        "members": members,
        "actions": Paginator(actions, ACTIONS_PER_PAGE).get_page(request.GET.get("actions_page")),
        "timeline": timeline,
        "timeline_pages": timeline.paginator.get_elided_page_range(
            timeline.number, on_each_side=2, on_ends=1
        ),
        "lifecycle": [
            LifecycleStep(step.value, str(step.label), step == incident.status)
            for step in LIFECYCLE
        ],
        "priority_matrix": priority_matrix(),
        "impact_levels": list(Level),
        "checklist_progress": [
            (str(ChecklistPhase(entry.phase).label), entry)
            for entry in progress(incident)
            if entry.phase in ChecklistPhase.values
        ],
        "incident_contacts": chosen_contacts(incident.pk, language),
        "contact_choices": contact_choices(language) if can_write else [],
        **blank_forms,
        **(page_forms or {}),
    }
    return render(request, "incidents/detail.html", context, status=status)


@login_required
def incident_page(request: HttpRequest, incident_id: int) -> HttpResponse:
    """Return the incident page for a member (404 for anyone else)."""
    incident = incident_for(acting_user(request), incident_id)
    if refused := refuse_method(request, "GET", "HEAD"):
        return refused
    return render_incident_page(request, incident)
