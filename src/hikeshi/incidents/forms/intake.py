"""The intake form: the record items of a new incident, also used to edit them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hikeshi.incidents.forms.fields import (
    DEFAULT_TIME_ZONE,
    WallClockField,
    check_instants,
    column_text,
    in_zone,
    model_label,
    time_zone_choices,
    wall_clock,
)
from hikeshi.incidents.models import Incident
from hikeshi.incidents.services.incidents import IncidentInput
from hikeshi.incidents.vocabulary import IncidentType, TimePrecision

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _text(name: str, help_text: StrOrPromise) -> forms.CharField:
    # One line or a text area of three lines, as the column is a CharField or a TextField.
    return column_text(Incident, name, help_text=help_text, rows=3)


class IncidentForm(forms.Form):
    """The intake record items (JPCERT/CC handling flow, IPA SME guide)."""

    title = column_text(
        Incident,
        "title",
        required=True,
        help_text=_("A short name: what was found, where (件名)."),
    )
    types = forms.MultipleChoiceField(
        label=_("Incident types"),
        choices=IncidentType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Choose every type that applies (インシデントの種類); several are allowed."),
    )
    organisation = _text(
        "organisation", _("The organisation where the incident happened (事業者名).")
    )
    commissioning_organisation = _text(
        "commissioning_organisation",
        _("The organisation that commissioned the system or the work, if any (委託元)."),
    )
    detected_at = WallClockField(
        label=model_label(Incident, "detected_at"),
        help_text=_("When it was found or first reported to you (発覚日時)."),
    )
    estimated_start = WallClockField(
        label=model_label(Incident, "estimated_start"),
        required=False,
        help_text=_("When it is thought to have begun (発生日時); leave empty if unknown."),
    )
    estimated_start_precision = forms.ChoiceField(
        label=model_label(Incident, "estimated_start_precision"),
        choices=TimePrecision.choices,
        initial=TimePrecision.ABOUT,
        help_text=_("How exactly the start is known: exact, about (頃) or the day only."),
    )
    reporter = _text("reporter", _("Who found or reported it (発見者・報告者)."))
    reporter_contact = _text(
        "reporter_contact", _("Telephone number or e-mail address of the reporter (連絡先).")
    )
    location = _text("location", _("Systems, servers and network devices involved (発生場所)."))
    what_happened = _text("what_happened", _("What is being observed, in plain words (発生事象)."))
    assumed_cause = _text("assumed_cause", _("What is thought to have caused it (想定される原因)."))
    affected_systems = _text(
        "affected_systems",
        _("Are the affected systems running, stopped or cut off? (被害システムの状況)"),
    )
    system_configuration = _text(
        "system_configuration",
        _("How the systems are built and run: network, OS, operators (システム構成・運用)."),
    )
    time_zone = forms.ChoiceField(
        label=model_label(Incident, "time_zone"),
        choices=time_zone_choices,
        initial=DEFAULT_TIME_ZONE,
        help_text=_("The times above are read in this time zone (タイムゾーン)."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        zone = cleaned.get("time_zone")
        if zone:
            for name in ("detected_at", "estimated_start"):
                if name in cleaned:
                    cleaned[name] = in_zone(cleaned[name], zone)
            check_instants(self, cleaned, ("detected_at", "estimated_start"))
        return cleaned

    def to_input(self) -> IncidentInput:
        """Return the checked input for the incident services."""
        data = self.cleaned_data
        return IncidentInput(
            title=data["title"],
            detected_at=data["detected_at"],
            types=list(data["types"]),
            estimated_start=data["estimated_start"],
            **{
                name: data[name]
                for name in (
                    "organisation",
                    "commissioning_organisation",
                    "estimated_start_precision",
                    "reporter",
                    "reporter_contact",
                    "location",
                    "what_happened",
                    "assumed_cause",
                    "affected_systems",
                    "system_configuration",
                    "time_zone",
                )
            },
        )


class IncidentEditForm(IncidentForm):
    """The intake form for an existing incident; it names the version it started from."""

    version = forms.IntegerField(widget=forms.HiddenInput, label=_("Version"))

    @staticmethod
    def initial_for(incident: Incident) -> dict[str, Any]:
        """Return the form's starting values: the incident as it is now, times in its zone."""
        initial: dict[str, Any] = {
            name: getattr(incident, name)
            for name in IncidentForm.base_fields
            if name not in {"types", "detected_at", "estimated_start"}
        }
        initial["types"] = incident.types
        initial["detected_at"] = wall_clock(incident.detected_at, incident.time_zone)
        initial["estimated_start"] = wall_clock(incident.estimated_start, incident.time_zone)
        initial["version"] = incident.version
        return initial
