"""Forms of the checklist page: the filters, and the actions on one item."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.db.models import Model
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from hikeshi.incidents.forms.fields import WallClockField, ZonedForm, column_text, model_label
from hikeshi.incidents.forms.filters import ANY
from hikeshi.incidents.models import ActionRecord, ChecklistComment, ChecklistItem
from hikeshi.incidents.models.checklist import ChecklistPhase, ItemStatus, Requirement
from hikeshi.incidents.selectors.checklist import (
    MINE,
    OPEN,
    SEARCH_MAX,
    UNASSIGNED,
    ChecklistFilters,
)

WHOSE: list[tuple[Any, Any]] = [(MINE, _("Assigned to me")), (UNASSIGNED, _("Unassigned"))]
APPLIES: list[tuple[Any, Any]] = [("yes", _("Still applies")), ("no", _("No longer applies"))]


def choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    """Return a form's choice field (to set its choices per request)."""
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{name} is not a choice field")
    return field


def _choice(name: str, choices: list[tuple[Any, Any]]) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=model_label(ChecklistItem, name), choices=ANY + choices, required=False
    )


class ChecklistFilterForm(forms.Form):
    """The checklist selector's filters, read from the query string; an empty choice (or an
    invalid value) leaves that field unfiltered."""

    search = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=SEARCH_MAX,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("words, No., key")}),
    )
    phase = _choice("phase", ChecklistPhase.choices)
    group = _choice("group", [])
    status = _choice("status", [(OPEN, _("Open (to do or in progress)")), *ItemStatus.choices])
    assignee = _choice("assignee", [])
    requirement = _choice("requirement", Requirement.choices)
    applies = forms.ChoiceField(label=_("Applies"), choices=ANY + APPLIES, required=False)

    def __init__(
        self,
        data: Mapping[str, Any] | None,
        *,
        groups: list[tuple[str, str]],
        assignees: list[tuple[str, str]],
    ) -> None:
        super().__init__(data)
        choice_field(self, "group").choices = [*ANY, *groups]
        choice_field(self, "assignee").choices = [*ANY, *WHOSE, *assignees]
        self.is_valid()

    @property
    def values(self) -> dict[str, str]:
        """Return the valid, non-empty filters (an invalid one is left out, not refused)."""
        data = getattr(self, "cleaned_data", {})
        return {name: data[name] for name in self.fields if data.get(name)}

    def filters(self) -> ChecklistFilters:
        """Return the filters for the checklist selector."""
        values = self.values
        applies = values.get("applies")
        return ChecklistFilters(
            phase=values.get("phase"),
            group=values.get("group"),
            status=values.get("status"),
            assignee=values.get("assignee"),
            requirement=values.get("requirement"),
            applies=None if applies is None else applies == "yes",
            search=values.get("search", "").strip(),
        )

    def query(self) -> str:
        """Return the filters as a query string, to keep them across a form post."""
        query = QueryDict(mutable=True)
        for name, value in self.values.items():
            query[name] = value
        return query.urlencode()


def _text(model: type[Model], column: str, rows: int = 2) -> forms.CharField:
    # Not required here: the checklist service refuses what is missing, with its own words.
    return column_text(model, column, rows=rows)


class DoneForm(ZonedForm):
    """When, scope and settings: an item is done only with all three (the guidance's rule)."""

    zoned_fields = ("performed_at",)

    performed_at = WallClockField(label=model_label(ChecklistItem, "performed_at"), required=False)
    scope = _text(ChecklistItem, "scope")
    settings = _text(ChecklistItem, "settings_text")
    note = _text(ActionRecord, "note", rows=1)


class NotApplicableForm(forms.Form):
    """Why the item does not apply to this incident (required, and recorded)."""

    reason = _text(ChecklistItem, "not_applicable_reason")


class AssignForm(forms.Form):
    """Who works on the item: a lead or responder of the incident, or nobody."""

    assignee = forms.ChoiceField(label=model_label(ChecklistItem, "assignee"), required=False)

    def __init__(self, *args: Any, people: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "assignee").choices = [("", _("Unassigned")), *people]


class CommentForm(forms.Form):
    """A remark on the item."""

    text = _text(ChecklistComment, "text")
