"""The site log page's filters and position, read from the query string."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hikeshi.bounds import NAME_MAX, time_zone_names
from hikeshi.sitelog.selectors import SiteLogFilters
from hikeshi.sitelog.vocabulary import SiteEventKind

# Positions are sequence numbers; PositiveBigIntegerField's largest value bounds them.
SEQUENCE_MAX = 2**63 - 1


def _zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(time_zone_names())]


def _kind_choices() -> list[tuple[str, Any]]:
    return [("", _("All")), *SiteEventKind.choices]


class SiteLogFilterForm(forms.Form):
    """Event kind, account and time zone; ``before`` / ``after`` say which page."""

    kind = forms.ChoiceField(label=_("Event"), choices=_kind_choices, required=False)
    account = forms.CharField(
        label=_("Account"),
        required=False,
        max_length=NAME_MAX,
        # Matches the account concerned and the one who acted, by exact user name.
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("User name")}),
    )
    tz = forms.ChoiceField(label=_("Time zone"), choices=_zone_choices, required=False)
    before = forms.IntegerField(
        min_value=1, max_value=SEQUENCE_MAX, required=False, widget=forms.HiddenInput
    )
    after = forms.IntegerField(
        min_value=1, max_value=SEQUENCE_MAX, required=False, widget=forms.HiddenInput
    )

    def __init__(self, data: QueryDict) -> None:
        # A bound form shows what it was given: without a choice, the viewer's own zone.
        given = data.copy()
        if not given.get("tz"):
            given["tz"] = timezone.get_current_timezone_name()
        super().__init__(given)

    def value(self, name: str) -> Any:
        """Return the field's valid value, or None when it is absent or invalid."""
        self.is_valid()
        if name in self.errors:
            return None
        return getattr(self, "cleaned_data", {}).get(name) or None

    def zone(self) -> str:
        """Return the time zone to show times in: the chosen one, else the viewer's."""
        chosen = self.value("tz")
        return str(chosen) if chosen else timezone.get_current_timezone_name()

    def chosen(self) -> SiteLogFilters:
        """Return the valid filters (an invalid one shows its error and does not filter)."""
        return SiteLogFilters(kind=self.value("kind"), account=self.value("account"))
