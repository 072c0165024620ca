"""One checklist item opened: its guidance steps, the work recorded, comments and forms.

The item's address answers with its own page, or, asked with the fragment header (as
checklist.js does when an item of the checklist page is opened), with only that part.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from hikeshi.guidance.knowledge import knowledge_base
from hikeshi.incidents.access import WRITER_ROLES, incident_for, role_in
from hikeshi.incidents.forms.checklist import AssignForm, CommentForm, DoneForm, NotApplicableForm
from hikeshi.incidents.forms.fields import wall_clock
from hikeshi.incidents.models import Incident
from hikeshi.incidents.selectors.checklist import (
    ChecklistEntry,
    assignable_people,
    checklist_entry,
    done_records,
)
from hikeshi.incidents.templatetags.guidance_text import active_language
from hikeshi.incidents.views.checklist import (
    ItemRow,
    checklist_url,
    filter_query,
    item_row,
    item_url,
    person_label,
)
from hikeshi.incidents.views.guards import acting_user, refuse_method

# Sent by checklist.js: answer with the opened item's part only, not the whole page.
FRAGMENT_HEADER = "X-Hikeshi-Fragment"
PAGE_TEMPLATE = "incidents/checklist_item.html"
DETAIL_TEMPLATE = "incidents/_checklist_item_detail.html"

# The routes under checklist/<item_id>/ by action (the URL names are "checklist_<action>").
ITEM_ROUTES = {
    "start": "start",
    "reopen": "reopen",
    "done": "done",
    "not_applicable": "not-applicable",
    "assign": "assign",
    "comment": "comments",
}


@cache
def inferred_matrix_items() -> frozenset[int]:
    """Return the numbers of the matrix items whose content was read from context."""
    return frozenset(item.number for item in knowledge_base().matrix.items if item.inferred)


def item_urls(checklist_base: str, item_id: int) -> dict[str, str]:
    """Return the addresses of an item's actions (as incidents/urls.py names them)."""
    return {
        action: f"{checklist_base}{item_id}/{segment}/" for action, segment in ITEM_ROUTES.items()
    }


@dataclass(frozen=True)
class SubmittedForm:
    """A refused item form, shown again (with what was typed) on the item's page."""

    item_id: int
    panel: str  # done | not_applicable | assign | comment
    form: forms.Form


@dataclass
class ItemPanel:
    """An opened item: the guidance in the reader's language, the work, the forms' state."""

    row: ItemRow
    details: list[str] = field(default_factory=list)
    condition: str = ""
    note: str = ""
    references: tuple[str, ...] = ()
    log_checks: tuple[str, ...] = ()
    # The note explains how garbled or shifted source text was read (shown folded).
    note_is_reading: bool = False
    # The forms are written out in the template; a refused post brings back what was
    # typed, why it was refused, and which field to fix first.
    editable: bool = False
    open_panel: str = ""
    # Missing keys read as empty: the template looks up every field.
    values: defaultdict[str, str] = field(default_factory=lambda: defaultdict(str))
    errors: defaultdict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    urls: dict[str, str] = field(default_factory=dict)
    general_errors: list[str] = field(default_factory=list)
    focus: str = ""

    @property
    def entry(self) -> ChecklistEntry:
        return self.row.entry


def _panel(row: ItemRow, language: str) -> ItemPanel:
    step = row.entry.step
    if step is None:  # The guidance dropped the entry; the stored work is still shown.
        return ItemPanel(row)
    return ItemPanel(
        row=row,
        details=[text.for_language(language) for text in step.details],
        condition=step.condition.for_language(language) if step.condition else "",
        note=step.note.for_language(language) if step.note else "",
        references=step.references,
        log_checks=step.log_checks,
        note_is_reading=step.source == "matrix" and step.number in inferred_matrix_items(),
    )


def _show_submitted(panel: ItemPanel, submitted: SubmittedForm) -> None:
    """Bring back a refused form: what was typed, the errors, the first field to fix."""
    form = submitted.form
    panel.open_panel = submitted.panel
    panel.values.update({name: str(form.data.get(name, "")) for name in form.fields})
    for name, errors in form.errors.items():
        panel.errors[name] = [str(error) for error in errors]
    panel.general_errors = [str(e) for e in form.non_field_errors()]
    panel.focus = next((name for name in form.errors if name in form.fields), "")


def _form_labels() -> dict[str, str]:
    """Return the labels of the item forms' fields, by field name."""
    labels: dict[str, str] = {}
    for form_class in (DoneForm, NotApplicableForm, AssignForm, CommentForm):
        for name, form_field in form_class.base_fields.items():
            labels[name] = str(form_field.label)
    return labels


def render_item(
    request: HttpRequest,
    incident: Incident,
    entry: ChecklistEntry,
    *,
    query: str,
    submitted: SubmittedForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """Return the item's page, or its part alone when the checklist page asks for it.

    ``query`` holds the checklist's filters, kept for the way back; ``submitted`` shows a
    refused form with what was typed.
    """
    user = acting_user(request)
    item = entry.item
    language = active_language()
    base = checklist_url(incident.pk)
    done = done_records(incident, item.key).get(item.key)
    panel = _panel(item_row(entry, language, item_url(base, item.pk, query), done), language)
    can_write = role_in(user, incident) in WRITER_ROLES
    people: list[tuple[str, str]] = []
    if can_write:
        people = [(str(person.pk), person_label(person)) for person in assignable_people(incident)]
        panel.editable = item.applies
        panel.values["assignee"] = str(item.assignee_id or "")
        panel.urls = item_urls(base, item.pk)
        if submitted is not None:
            _show_submitted(panel, submitted)
    fragment = submitted is None and request.headers.get(FRAGMENT_HEADER) == "1"
    context = {
        "incident": incident,
        "panel": panel,
        "filter_query": query,
        "back_url": checklist_url(incident.pk, query, item.pk),
        "people": people,
        "labels": _form_labels(),
        "now_value": f"{wall_clock(timezone.now(), incident.time_zone):%Y-%m-%dT%H:%M}",
    }
    template = DETAIL_TEMPLATE if fragment else PAGE_TEMPLATE
    response = render(request, template, context, status=status)
    patch_vary_headers(response, (FRAGMENT_HEADER,))
    return response


@login_required
def checklist_item_page(request: HttpRequest, incident_id: int, item_id: int) -> HttpResponse:
    """Return one item of the checklist for a member (404 for anyone else)."""
    incident = incident_for(acting_user(request), incident_id)
    if refused := refuse_method(request, "GET", "HEAD"):
        return refused
    entry = checklist_entry(incident, item_id)
    if entry is None:
        raise Http404("no such checklist item in this incident")
    return render_item(request, incident, entry, query=filter_query(request.GET.urlencode()))
