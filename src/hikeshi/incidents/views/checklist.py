"""The checklist page: an incident's steps from the guidance, by phase and target.

Each item shows what a responder decides on at a glance (title, status, requirement,
assignee, who did it, how many comments); its steps, comments and forms load when it is
opened (views/checklist_item.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hikeshi.guidance.knowledge import knowledge_base
from hikeshi.incidents.access import incident_for
from hikeshi.incidents.forms.checklist import ChecklistFilterForm
from hikeshi.incidents.models import ChecklistItem, Incident
from hikeshi.incidents.models.checklist import ChecklistPhase, Requirement
from hikeshi.incidents.selectors.checklist import (
    ChecklistEntry,
    DoneRecord,
    PhaseProgress,
    assignable_people,
    checklist,
    done_records,
    progress,
)
from hikeshi.incidents.templatetags.guidance_text import active_language
from hikeshi.incidents.views.guards import acting_user, refuse_method
from hikeshi.incidents.vocabulary import IncidentType

# How many open required items the top of the page suggests.
NEXT_STEPS = 5
FILTER_NAMES = tuple(ChecklistFilterForm.base_fields)

SOURCE_LABELS = {
    "procedure": _("IPA guide"),
    "flow": _("Handling flow"),
    "case": _("By case"),
}


def checklist_url(incident_id: int, query: str = "", item_id: int | None = None) -> str:
    """Return the checklist page's address, with filters and the item to scroll to."""
    url = reverse("incidents:checklist", kwargs={"incident_id": incident_id})
    if query:
        url += f"?{query}"
    return f"{url}#item-{item_id}" if item_id is not None else url


def item_url(checklist_base: str, item_id: int, query: str = "") -> str:
    """Return the address of an item's own page (and of its part that the list loads).

    Built from the checklist's address rather than reversed: a page lists hundreds of items.
    """
    url = f"{checklist_base}{item_id}/"
    return f"{url}?{query}" if query else url


def filter_query(raw: str) -> str:
    """Return the checklist filters of a query string, without anything else it carries."""
    given = QueryDict(raw)
    kept = QueryDict(mutable=True)
    for name in FILTER_NAMES:
        if given.get(name):
            kept[name] = given[name]
    return kept.urlencode()


def person_label(user: User) -> str:
    """Return how a person is named in the checklist's choices: user name (full name)."""
    full = user.get_full_name()
    return f"{user.get_username()} ({full})" if full else user.get_username()


def marker(entry: ChecklistEntry) -> str:
    """Return the item's short mark: its matrix number, else the guide it comes from."""
    step = entry.step
    if step is None:
        return entry.item.key
    return f"No.{step.number}" if step.number else str(SOURCE_LABELS.get(step.source, ""))


@dataclass
class ItemRow:
    """One item as the list shows it, in the reader's language."""

    entry: ChecklistEntry
    title: str
    group_name: str
    marker: str
    url: str
    done: DoneRecord | None = None

    @property
    def item(self) -> ChecklistItem:
        return self.entry.item


def item_row(entry: ChecklistEntry, language: str, url: str, done: DoneRecord | None) -> ItemRow:
    """Return the list's view of an entry (its key stands in if the guidance dropped it)."""
    step = entry.step
    item = entry.item
    if step is None:
        return ItemRow(entry, item.key, item.group, marker(entry), url, done)
    title = step.title.for_language(language)
    return ItemRow(entry, title, step.group_name.for_language(language), marker(entry), url, done)


@dataclass
class GroupView:
    """The items of one target (matrix target or guide section) within a phase."""

    code: str
    name: str
    rows: list[ItemRow] = field(default_factory=list)


@dataclass
class PhaseView:
    """One phase of the checklist with its groups and progress."""

    value: str
    label: str
    progress: PhaseProgress | None
    groups: list[GroupView] = field(default_factory=list)


def phase_label(phase: str) -> str:
    """Return a phase's label (the stored value if the phase is unknown)."""
    return str(ChecklistPhase(phase).label) if phase in ChecklistPhase.values else phase


def _grouped(rows: list[ItemRow], progress_by_phase: dict[str, PhaseProgress]) -> list[PhaseView]:
    """Return the rows (in working order) by phase, then by group in order of appearance."""
    phases: dict[str, PhaseView] = {}
    for row in rows:
        item = row.entry.item
        phase = phases.get(item.phase)
        if phase is None:
            phase = PhaseView(
                item.phase, phase_label(item.phase), progress_by_phase.get(item.phase)
            )
            phases[item.phase] = phase
        group = next((g for g in phase.groups if g.code == item.group), None)
        if group is None:
            group = GroupView(item.group, row.group_name)
            phase.groups.append(group)
        group.rows.append(row)
    return list(phases.values())


def render_checklist_page(request: HttpRequest, incident: Incident) -> HttpResponse:
    """Return the checklist page, filtered as the query string says."""
    user = acting_user(request)
    language = active_language()
    everything = checklist(incident, reader=user)
    people = [
        (person.get_username(), person_label(person)) for person in assignable_people(incident)
    ]
    groups: dict[str, str] = {}
    for entry in everything:
        name = entry.step.group_name.for_language(language) if entry.step else entry.item.group
        groups.setdefault(entry.item.group, name)
    filters = ChecklistFilterForm(request.GET, groups=list(groups.items()), assignees=people)
    wanted = filters.filters()
    shown = checklist(incident, wanted, reader=user) if filters.values else everything
    query = filters.query()
    base = checklist_url(incident.pk)
    done = done_records(incident)
    rows = [
        item_row(entry, language, item_url(base, entry.item.pk, query), done.get(entry.item.key))
        for entry in shown
    ]
    progress_by_phase = {entry.phase: entry for entry in progress(incident)}
    next_steps = [
        item_row(entry, language, item_url(base, entry.item.pk), None)
        for entry in everything
        if entry.item.applies and entry.item.requirement == Requirement.REQUIRED and entry.is_open
    ][:NEXT_STEPS]
    context = {
        "incident": incident,
        # Links to an item or a phase go to the unfiltered page (the item may be filtered out).
        "checklist_base": base,
        "type_labels": [IncidentType(code).label for code in incident.types],
        "rules": [rule.text.for_language(language) for rule in knowledge_base().matrix.rules],
        "progress": [
            (phase_label(entry.phase), entry)
            for entry in progress_by_phase.values()
            if entry.phase in ChecklistPhase.values
        ],
        "next_steps": next_steps,
        "filters": filters,
        "phases": _grouped([row for row in rows if row.entry.item.applies], progress_by_phase),
        "retired": [row for row in rows if not row.entry.item.applies],
        "shown_count": len(rows),
        "total_count": len(everything),
    }
    return render(request, "incidents/checklist.html", context)


@login_required
def checklist_page(request: HttpRequest, incident_id: int) -> HttpResponse:
    """Return the checklist page for a member (404 for anyone else)."""
    incident = incident_for(acting_user(request), incident_id)
    if refused := refuse_method(request, "GET", "HEAD"):
        return refused
    return render_checklist_page(request, incident)
