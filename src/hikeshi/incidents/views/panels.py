"""The incident page's own panels: checklist progress, summary, actions, timeline, triage,
status and members. Registered once, when the incidents app is ready."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from hikeshi.incidents.forms.actions import ActionForm
from hikeshi.incidents.forms.members import MemberForm
from hikeshi.incidents.forms.timeline import EventForm, TimelineImportForm
from hikeshi.incidents.forms.triage import StatusForm, TriageForm
from hikeshi.incidents.models.checklist import ChecklistPhase
from hikeshi.incidents.panels import Panel, PanelContext, register
from hikeshi.incidents.selectors import actions as action_records
from hikeshi.incidents.selectors import timeline
from hikeshi.incidents.selectors.checklist import progress
from hikeshi.incidents.selectors.members import shown_members
from hikeshi.incidents.vocabulary import LIFECYCLE, Level, derive_priority

# The incident page shows the newest few; their own pages show the rest.
LATEST_ACTIONS = 5
LATEST_ENTRIES = 10


def _form(context: PanelContext, name: str, blank: forms.Form) -> forms.Form:
    """Return the submitted form named ``name`` (a refused post), else ``blank``."""
    return context.submitted.get(name) or blank


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


def checklist_context(context: PanelContext) -> Mapping[str, object]:
    """Return the checklist's progress per phase, phases labelled in the reader's language."""
    return {
        "checklist_progress": [
            (str(ChecklistPhase(entry.phase).label), entry)
            for entry in progress(context.incident)
            if entry.phase in ChecklistPhase.values
        ]
    }


def summary_context(context: PanelContext) -> Mapping[str, object]:
    """Return nothing beyond the incident: the summary is its record items."""
    return {}


def actions_context(context: PanelContext) -> Mapping[str, object]:
    """Return the newest records and the form recording one."""
    zone = context.incident.time_zone
    return {
        "actions": action_records.latest_actions(context.incident.pk, LATEST_ACTIONS),
        "action_form": _form(context, "action_form", ActionForm(time_zone=zone)),
    }


def timeline_context(context: PanelContext) -> Mapping[str, object]:
    """Return the newest timeline entries and the forms adding events."""
    zone = context.incident.time_zone
    return {
        "entries": timeline.latest(context.incident.pk, LATEST_ENTRIES),
        "event_form": _form(context, "event_form", EventForm(time_zone=zone)),
        "import_form": _form(context, "import_form", TimelineImportForm()),
    }


def triage_context(context: PanelContext) -> Mapping[str, object]:
    """Return the triage form and the urgency x impact table it explains."""
    incident = context.incident
    return {
        "triage_form": _form(
            context, "triage_form", TriageForm(initial=TriageForm.initial_for(incident))
        ),
        "priority_matrix": priority_matrix(),
        "impact_levels": list(Level),
    }


def status_context(context: PanelContext) -> Mapping[str, object]:
    """Return the lifecycle's steps (the current one marked) and the form moving it."""
    incident = context.incident
    return {
        "lifecycle": [
            LifecycleStep(step.value, str(step.label), step == incident.status)
            for step in LIFECYCLE
        ],
        "status_form": _form(
            context, "status_form", StatusForm(initial={"version": incident.version})
        ),
    }


def members_context(context: PanelContext) -> Mapping[str, object]:
    """Return the incident's members and the form adding one."""
    return {
        "members": shown_members(context.incident.pk),
        "member_form": _form(context, "member_form", MemberForm()),
    }


INCIDENT_PANELS = (
    Panel("checklist", _("Checklist"), "incidents/_checklist_panel.html", checklist_context, 10),
    Panel("summary", _("Summary"), "incidents/_record.html", summary_context, 30),
    Panel("actions", _("Actions (対応記録)"), "incidents/_actions.html", actions_context, 40),
    Panel("timeline", _("Timeline"), "incidents/_timeline.html", timeline_context, 50),
    Panel("triage", _("Triage"), "incidents/_triage.html", triage_context, 10, "side"),
    Panel("status", _("Status"), "incidents/_status.html", status_context, 20, "side"),
    Panel("members", _("Members"), "incidents/_members.html", members_context, 40, "side"),
)


def register_incident_panels() -> None:
    """Put the incidents app's own panels on the incident page."""
    for panel in INCIDENT_PANELS:
        register(panel)
