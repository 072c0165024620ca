"""Form fields shared by the incident forms: wall-clock times and labels taken from models."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar
from zoneinfo import ZoneInfo, available_timezones

from django import forms
from django.db.models import Field, Model
from django.utils import timezone
from django.utils.text import capfirst

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

DEFAULT_TIME_ZONE = "Asia/Tokyo"


class DateTimeLocalInput(forms.DateTimeInput):
    """The browser's date-and-time picker (``<input type="datetime-local">``)."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class WallClockField(forms.DateTimeField):
    """A date and time as typed, without a zone; the form says which zone it is meant in."""

    widget = DateTimeLocalInput

    def to_python(self, value: Any) -> datetime | None:
        parsed = super().to_python(value)
        # DateTimeField attached the server's zone; take it off again to get the typed time.
        return None if parsed is None else timezone.make_naive(parsed)


def in_zone(wall_clock: datetime | None, zone_name: str) -> datetime | None:
    """Return the typed time as an aware datetime in the named zone (None stays None)."""
    if wall_clock is None:
        return None
    return wall_clock.replace(tzinfo=ZoneInfo(zone_name))


class ZonedForm(forms.Form):
    """A form whose wall-clock time fields are read in the incident's time zone.

    Subclasses list those fields in ``zoned_fields``; each shows the zone as its help text.
    """

    zoned_fields: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *args: Any, time_zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.time_zone = time_zone
        for name in self.zoned_fields:
            self.fields[name].help_text = time_zone

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in self.zoned_fields:
            if name in cleaned:
                cleaned[name] = in_zone(cleaned[name], self.time_zone)
        return cleaned


def wall_clock(value: datetime | None, zone_name: str) -> datetime | None:
    """Return an aware datetime as the naive time a person in the zone would type."""
    if value is None:
        return None
    return value.astimezone(ZoneInfo(zone_name)).replace(tzinfo=None, second=0, microsecond=0)


def model_label(model: type[Model], field_name: str) -> StrOrPromise:
    """Return the model field's (translatable) verbose name, first letter capitalised."""
    field = model._meta.get_field(field_name)
    if not isinstance(field, Field):
        raise TypeError(f"{model.__name__}.{field_name} is not a concrete field")
    label: StrOrPromise = capfirst(field.verbose_name)
    return label


def time_zone_choices() -> list[tuple[str, str]]:
    """Return every IANA time zone name, sorted, as form choices."""
    names = sorted(available_timezones() - {"localtime", "Factory"})
    return [(name, name) for name in names]
