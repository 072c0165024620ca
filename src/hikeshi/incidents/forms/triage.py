"""The triage decision and the lifecycle move, each naming the version it started from."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hikeshi.incidents.forms.fields import column_text, model_label
from hikeshi.incidents.models import Incident
from hikeshi.incidents.services.incidents import TriageInput
from hikeshi.incidents.vocabulary import LIFECYCLE, Level

YES, NO = "yes", "no"


def _level_field(name: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=model_label(Incident, name),
        choices=Level.choices,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )


class TriageForm(forms.Form):
    """Incident or not; if it is, urgency and impact (the priority follows from them)."""

    version = forms.IntegerField(widget=forms.HiddenInput, label=_("Version"))
    is_incident = forms.ChoiceField(
        label=_("Is this an incident?"),
        choices=[(YES, _("Yes, an incident")), (NO, _("No, not an incident"))],
        widget=forms.RadioSelect,
    )
    urgency = _level_field("urgency")
    impact = _level_field("impact")
    not_incident_reason = column_text(
        Incident, "not_incident_reason", help_text=_("Required when it is not an incident.")
    )

    @staticmethod
    def initial_for(incident: Incident) -> dict[str, Any]:
        """Return the incident's current triage as the form's starting values."""
        decided = None if incident.is_incident is None else (YES if incident.is_incident else NO)
        return {
            "version": incident.version,
            "is_incident": decided,
            "urgency": incident.urgency,
            "impact": incident.impact,
            "not_incident_reason": incident.not_incident_reason,
        }

    def to_input(self) -> TriageInput:
        """Return the checked decision for the triage service."""
        data = self.cleaned_data
        return TriageInput(
            is_incident=data["is_incident"] == YES,
            urgency=data["urgency"],
            impact=data["impact"],
            not_incident_reason=data["not_incident_reason"],
        )


class StatusForm(forms.Form):
    """A move to another lifecycle step, with an optional reason."""

    version = forms.IntegerField(widget=forms.HiddenInput, label=_("Version"))
    status = forms.ChoiceField(
        label=model_label(Incident, "status"),
        choices=[(status.value, status.label) for status in LIFECYCLE],
    )
    reason = forms.CharField(label=_("Reason or note"), required=False, max_length=1000)
