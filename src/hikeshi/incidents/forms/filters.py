"""The incident list's filters, read from the query string."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from hikeshi.incidents.forms.fields import model_label
from hikeshi.incidents.models import Incident, IncidentTypeTag
from hikeshi.incidents.vocabulary import IncidentType, Priority, Status

ANY: list[tuple[Any, Any]] = [("", _("All"))]


class IncidentFilterForm(forms.Form):
    """Words, status, type and priority; an empty choice means no filter."""

    # An IR vendor with many clients finds a case by client name or a word of its title.
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("title, organisation")}),
    )

    status = forms.ChoiceField(
        label=model_label(Incident, "status"), choices=ANY + Status.choices, required=False
    )
    type = forms.ChoiceField(
        label=model_label(IncidentTypeTag, "code"),
        choices=ANY + IncidentType.choices,
        required=False,
    )
    priority = forms.TypedChoiceField(
        label=model_label(Incident, "priority"),
        choices=ANY + Priority.choices,
        coerce=int,
        empty_value=None,
        required=False,
    )

    def apply(self, incidents: QuerySet[Incident]) -> QuerySet[Incident]:
        """Return the incidents that pass the valid filters (invalid ones are ignored)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        for word in (data.get("q") or "").split():
            incidents = incidents.filter(
                Q(title__icontains=word)
                | Q(organisation__icontains=word)
                | Q(commissioning_organisation__icontains=word)
            )
        if data.get("status"):
            incidents = incidents.filter(status=data["status"])
        if data.get("type"):
            incidents = incidents.filter(type_tags__code=data["type"])
        if data.get("priority") is not None:
            incidents = incidents.filter(priority=data["priority"])
        return incidents
