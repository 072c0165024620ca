"""The incident list's filters, read from the query string."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hikeshi.incidents.forms.fields import model_label
from hikeshi.incidents.models import Incident, IncidentTypeTag
from hikeshi.incidents.selectors.incidents import IncidentFilters
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

    def chosen(self) -> IncidentFilters:
        """Return the valid filters (invalid ones are ignored) for the incident list."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return IncidentFilters(
            words=tuple((data.get("q") or "").split()),
            status=data.get("status") or None,
            type=data.get("type") or None,
            priority=data.get("priority"),
        )
