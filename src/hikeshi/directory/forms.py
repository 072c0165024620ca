"""Forms of the contacts: the organisation's own contacts, and choosing one for an incident."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hikeshi.directory.models import DeploymentContact, DeploymentContactKind, IncidentContact
from hikeshi.incidents.forms.fields import model_label, text_bounds

# Where the add-contact form returns to.
BACK_TO_CONSULT = "consult"
BACK_TO_INCIDENT = "incident"


def _field(name: str, field_class: type[forms.CharField] = forms.CharField) -> forms.CharField:
    return field_class(
        label=model_label(DeploymentContact, name),
        required=False,
        max_length=200,
        validators=[text_bounds(DeploymentContact, name)],
    )


class DeploymentContactForm(forms.Form):
    """A contact the organisation keeps: its vendor, insurer, lawyer, police station, staff."""

    kind = forms.ChoiceField(
        label=model_label(DeploymentContact, "kind"), choices=DeploymentContactKind.choices
    )
    # Not required here: the contacts service refuses a missing name in its own words.
    name = _field("name")
    organisation = _field("organisation")
    phone = forms.CharField(
        label=model_label(DeploymentContact, "phone"), required=False, max_length=50
    )
    email = _field("email", forms.EmailField)
    url = forms.URLField(
        label=model_label(DeploymentContact, "url"),
        required=False,
        max_length=200,
        assume_scheme="https",
    )
    note = forms.CharField(
        label=model_label(DeploymentContact, "note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: what they handle, opening hours, contract number."),
    )


class IncidentContactForm(forms.Form):
    """A contact (guidance or deployment) chosen for an incident, and why."""

    contact = forms.CharField(label=_("Contact"), required=False, max_length=120)
    reason = forms.CharField(
        label=model_label(IncidentContact, "reason"), required=False, max_length=1000
    )
    # What the consultation page showed the contact for ("outcome:<id>" or "guide:<id>").
    source = forms.CharField(required=False, max_length=120)
    back = forms.ChoiceField(
        choices=[(BACK_TO_CONSULT, BACK_TO_CONSULT), (BACK_TO_INCIDENT, BACK_TO_INCIDENT)],
        required=False,
    )
