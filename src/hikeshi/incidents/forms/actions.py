"""The form recording an action (or a correction of one): what, when, scope, settings."""

from __future__ import annotations

from typing import Any

from django import forms

from hikeshi.incidents.forms.fields import (
    WallClockField,
    ZonedForm,
    column_text,
    model_label,
    wall_clock,
)
from hikeshi.incidents.models import ActionRecord
from hikeshi.incidents.services.actions import ActionInput


def _text(name: str, rows: int, *, required: bool = False) -> forms.CharField:
    return column_text(ActionRecord, name, required=required, rows=rows)


class ActionForm(ZonedForm):
    """One thing a person did; times are read in the incident's time zone."""

    zoned_fields = ("performed_at",)

    what = _text("what", 2, required=True)
    performed_at = WallClockField(label=model_label(ActionRecord, "performed_at"), required=False)
    scope = _text("scope", 1)
    settings = _text("settings_text", 1)
    note = _text("note", 1)

    def to_input(self, corrects: ActionRecord | None = None) -> ActionInput:
        """Return the checked input for the action service (a correction names its original)."""
        data = self.cleaned_data
        return ActionInput(
            what=data["what"],
            performed_at=data["performed_at"],
            scope=data["scope"],
            settings=data["settings"],
            note=data["note"],
            corrects_id=None if corrects is None else corrects.pk,
        )

    @staticmethod
    def initial_from(record: ActionRecord, time_zone: str) -> dict[str, Any]:
        """Return a correction's starting values: the original record's content."""
        return {
            "what": record.what,
            "performed_at": wall_clock(record.performed_at, time_zone),
            "scope": record.scope,
            "settings": record.settings_text,
            "note": record.note,
        }
