"""The checklist page: an incident's steps from the guidance, by phase and target."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hikeshi.guidance.checklist import packaged_catalogue
from hikeshi.guidance.knowledge import knowledge_base
from hikeshi.incidents.access import WRITER_ROLES, incident_for, role_in
from hikeshi.incidents.action_kinds import ActionKind
from hikeshi.incidents.forms.checklist import (
    CLOSED_STATUSES,
    AssignForm,
    ChecklistFilterForm,
    CommentForm,
    DoneForm,
    NotApplicableForm,
)
from hikeshi.incidents.forms.fields import wall_clock
from hikeshi.incidents.models import (
    ActionRecord,
    ChecklistComment,
    ChecklistItem,
    Incident,
    Membership,
)
from hikeshi.incidents.models.checklist import ChecklistPhase, Requirement
from hikeshi.incidents.services.checklist import PhaseProgress, progress
from hikeshi.incidents.templatetags.guidance_text import active_language
from hikeshi.incidents.views.guards import acting_user, refuse_method
from hikeshi.incidents.vocabulary import IncidentType

# How many open required items the top of the page suggests.
NEXT_STEPS = 5
FILTER_NAMES = tuple(ChecklistFilterForm.base_fields)

# The routes under checklist/<item_id>/ by action (the URL names are "checklist_<action>").
ITEM_ROUTES = {
    "start": "start",
    "reopen": "reopen",
    "done": "done",
    "not_applicable": "not-applicable",
    "assign": "assign",
    "comment": "comments",
}

SOURCE_LABELS = {
    "procedure": _("IPA guide"),
    "flow": _("Handling flow"),
    "case": _("By case"),
}


@cache
def inferred_matrix_items() -> frozenset[int]:
    """Return the numbers of the matrix items whose content was read from context."""
    return frozenset(item.number for item in knowledge_base().matrix.items if item.inferred)


def checklist_url(incident_id: int, query: str = "", item_id: int | None = None) -> str:
    """Return the checklist page's address, with filters and the item to scroll to."""
    url = reverse("incidents:checklist", kwargs={"incident_id": incident_id})
    if query:
        url += f"?{query}"
    return f"{url}#item-{item_id}" if item_id is not None else url


def item_urls(checklist_base: str, item_id: int) -> dict[str, str]:
    """Return the addresses of an item's actions (as incidents/urls.py names them).

    Built from the checklist's address rather than reversed one by one: a page shows
    hundreds of items with six actions each.
    """
    return {
        action: f"{checklist_base}{item_id}/{segment}/" for action, segment in ITEM_ROUTES.items()
    }


def filter_query(raw: str) -> str:
    """Return the checklist filters of a query string, without anything else it carries."""
    given = QueryDict(raw)
    kept = QueryDict(mutable=True)
    for name in FILTER_NAMES:
        if given.get(name):
            kept[name] = given[name]
    return kept.urlencode()


@dataclass(frozen=True)
class DoneRecord:
    """The action record that says an item was done (shown with a link to the timeline)."""

    action_id: int
    sequence: int
    note: str


@dataclass(frozen=True)
class SubmittedForm:
    """A refused item form, shown again (with what was typed) at its item."""

    item_id: int
    panel: str  # done | not_applicable | assign | comment
    form: forms.Form


@dataclass
class ItemView:
    """One checklist item with its guidance text in the reader's language."""

    item: ChecklistItem
    title: str
    group_name: str
    marker: str
    details: list[str] = field(default_factory=list)
    condition: str = ""
    note: str = ""
    references: tuple[str, ...] = ()
    log_checks: tuple[str, ...] = ()
    # The note explains how garbled or shifted source text was read (shown folded).
    note_is_reading: bool = False
    done: DoneRecord | None = None
    # The item forms are written out in the template (rendering hundreds of Django widgets
    # would make the page slow); a refused post brings back what was typed and why.
    editable: bool = False
    open_panel: str = ""
    # Missing keys read as empty: templates look up every field of every item.
    values: defaultdict[str, str] = field(default_factory=lambda: defaultdict(str))
    errors: defaultdict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    urls: dict[str, str] = field(default_factory=dict)
    general_errors: list[str] = field(default_factory=list)
    focus: str = ""

    @property
    def is_open(self) -> bool:
        """Return whether the item still waits for work (to do or in progress)."""
        return self.item.status not in CLOSED_STATUSES


@dataclass
class GroupView:
    """The items of one target (matrix target or guide section) within a phase."""

    code: str
    name: str
    items: list[ItemView] = field(default_factory=list)


@dataclass
class PhaseView:
    """One phase of the checklist with its groups and progress."""

    value: str
    label: str
    progress: PhaseProgress | None
    groups: list[GroupView] = field(default_factory=list)


def _item_view(item: ChecklistItem, language: str, done: DoneRecord | None) -> ItemView:
    step = packaged_catalogue().get(item.key)
    if step is None:  # The guidance dropped the entry; the stored work is still shown.
        return ItemView(item, item.key, item.group, item.key, done=done)
    marker = f"No.{step.number}" if step.number else str(SOURCE_LABELS.get(step.source, ""))
    return ItemView(
        item=item,
        title=step.title.for_language(language),
        group_name=step.group_name.for_language(language),
        marker=marker,
        details=[text.for_language(language) for text in step.details],
        condition=step.condition.for_language(language) if step.condition else "",
        note=step.note.for_language(language) if step.note else "",
        references=step.references,
        log_checks=step.log_checks,
        note_is_reading=step.source == "matrix" and step.number in inferred_matrix_items(),
        done=done,
    )


def _done_records(incident: Incident) -> dict[str, DoneRecord]:
    """Return, per item key, the latest action record that marked the item done."""
    rows = (
        ActionRecord.objects.filter(incident=incident, kind=ActionKind.CHECKLIST_DONE)
        .exclude(checklist_item_ref="")
        .order_by("sequence")
        .values_list("checklist_item_ref", "pk", "sequence", "note")
    )
    return {key: DoneRecord(pk, sequence, note) for key, pk, sequence, note in rows}


def assignable_people(incident: Incident) -> list[tuple[str, str]]:
    """Return (user id, name) for the leads and responders of the incident."""
    memberships = (
        Membership.objects.filter(incident=incident, role__in=WRITER_ROLES)
        .select_related("user")
        .order_by("user__username")
    )
    people = []
    for membership in memberships:
        full = membership.user.get_full_name()
        name = membership.user.get_username()
        people.append((str(membership.user_id), f"{name} ({full})" if full else name))
    return people


def _show_submitted(view: ItemView, submitted: SubmittedForm) -> None:
    """Bring back a refused form at its item: what was typed, the errors, the first field."""
    form = submitted.form
    view.open_panel = submitted.panel
    view.values.update({name: str(form.data.get(name, "")) for name in form.fields})
    for name, errors in form.errors.items():
        view.errors[name] = [str(error) for error in errors]
    view.general_errors = [str(e) for e in form.non_field_errors()]
    view.focus = next((name for name in form.errors if name in form.fields), "")


def _form_labels() -> dict[str, str]:
    """Return the labels of the item forms' fields, by field name."""
    labels: dict[str, str] = {}
    for form_class in (DoneForm, NotApplicableForm, AssignForm, CommentForm):
        for name, form_field in form_class.base_fields.items():
            labels[name] = str(form_field.label)
    return labels


def _grouped(views: list[ItemView], progress_by_phase: dict[str, PhaseProgress]) -> list[PhaseView]:
    phases: dict[str, PhaseView] = {}
    for view in views:
        item = view.item
        phase = phases.get(item.phase)
        if phase is None:
            label = (
                str(ChecklistPhase(item.phase).label)
                if item.phase in ChecklistPhase.values
                else item.phase
            )
            phase = phases[item.phase] = PhaseView(
                item.phase, label, progress_by_phase.get(item.phase)
            )
        group = next((g for g in phase.groups if g.code == item.group), None)
        if group is None:
            group = GroupView(item.group, view.group_name)
            phase.groups.append(group)
        group.items.append(view)
    order = {value: index for index, value in enumerate(ChecklistPhase.values)}
    return sorted(phases.values(), key=lambda p: order.get(p.value, len(order)))


def render_checklist_page(
    request: HttpRequest,
    incident: Incident,
    *,
    filters_from: Mapping[str, Any] | None = None,
    submitted: SubmittedForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """Return the checklist page; ``submitted`` shows a refused item form at its item."""
    user = acting_user(request)
    role = role_in(user, incident)
    can_write = role in WRITER_ROLES
    language = active_language()
    items = list(
        ChecklistItem.objects.filter(incident=incident)
        .select_related("assignee")
        .prefetch_related(
            Prefetch(
                "comments",
                queryset=ChecklistComment.objects.select_related("author").order_by(
                    "created_at", "pk"
                ),
            )
        )
        .order_by("position", "pk")
    )
    done = _done_records(incident)
    views = [_item_view(item, language, done.get(item.key)) for item in items]
    people = assignable_people(incident)

    groups: dict[str, str] = {}
    for view in views:
        groups.setdefault(view.item.group, view.group_name)
    filters = ChecklistFilterForm(
        request.GET if filters_from is None else filters_from,
        groups=list(groups.items()),
        assignees=people,
    )
    # A refused form is shown at its item even if the filters would leave the item out.
    refused_id = submitted.item_id if submitted is not None else None
    shown = [v for v in views if v.item.pk == refused_id or filters.matches(v.item, user.pk)]
    base = checklist_url(incident.pk)
    if can_write:
        for view in shown:
            view.editable = view.item.applies
            view.values["assignee"] = str(view.item.assignee_id or "")
            view.urls = item_urls(base, view.item.pk)
            if submitted is not None and submitted.item_id == view.item.pk:
                _show_submitted(view, submitted)

    progress_by_phase = {entry.phase: entry for entry in progress(incident)}
    query = filters.query()
    context = {
        "incident": incident,
        "page_url": checklist_url(incident.pk, query),
        # Links to an item or a phase go to the unfiltered page (the item may be filtered out).
        "checklist_base": base,
        "type_labels": [IncidentType(code).label for code in incident.types],
        "can_write": can_write,
        "rules": [rule.text.for_language(language) for rule in knowledge_base().matrix.rules],
        "progress": [
            (str(ChecklistPhase(entry.phase).label), entry)
            for entry in progress_by_phase.values()
            if entry.phase in ChecklistPhase.values
        ],
        "next_steps": [
            view
            for view in views
            if view.item.applies and view.item.requirement == Requirement.REQUIRED and view.is_open
        ][:NEXT_STEPS],
        "filters": filters,
        "filter_query": query,
        "people": people,
        "labels": _form_labels(),
        "now_value": f"{wall_clock(timezone.now(), incident.time_zone):%Y-%m-%dT%H:%M}",
        "phases": _grouped([v for v in shown if v.item.applies], progress_by_phase),
        "retired": [v for v in shown if not v.item.applies],
        "shown_count": len(shown),
        "total_count": len(views),
    }
    return render(request, "incidents/checklist.html", context, status=status)


@login_required
def checklist_page(request: HttpRequest, incident_id: int) -> HttpResponse:
    """Return the checklist page for a member (404 for anyone else)."""
    incident = incident_for(acting_user(request), incident_id)
    if refused := refuse_method(request, "GET", "HEAD"):
        return refused
    return render_checklist_page(request, incident)
