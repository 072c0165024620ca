"""Form fields shared by the incident forms: wall-clock times and labels taken from models."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Field, Model
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import capfirst

from hikeshi import bounds
from hikeshi.incidents.services.errors import InvalidInput
from hikeshi.incidents.services.inputs import column_limit

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
        # Parsed without the server's zone: DateTimeField would attach it (refusing times
        # that fall into the server's daylight-saving gap, however valid in the incident's
        # zone) only for it to be taken off again.
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        try:
            parsed = parse_datetime(text)
        except ValueError:
            parsed = None
        if parsed is None:
            for input_format in self.input_formats or ():
                try:
                    return self.strptime(text, input_format)
                except (ValueError, TypeError):
                    continue
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed


def in_zone(wall_clock: datetime | None, zone_name: str) -> datetime | None:
    """Return the typed time as an aware datetime in the named zone (None stays None).

    A time typed with its own offset keeps it.
    """
    if wall_clock is None or timezone.is_aware(wall_clock):
        return wall_clock
    return wall_clock.replace(tzinfo=bounds.display_zone(zone_name))


def check_instants(form: forms.Form, cleaned: dict[str, Any], names: tuple[str, ...]) -> None:
    """Refuse, on its field, each of the cleaned times outside hikeshi's range (UTC kept)."""
    for name in names:
        value = cleaned.get(name)
        if value is None:
            continue
        try:
            cleaned[name] = bounds.check_instant(name, value)
        except bounds.OutOfBounds as error:
            del cleaned[name]
            form.add_error(name, InvalidInput.out_of_bounds(error).translated())


def text_bounds(model: type[Model], column: str) -> Callable[[str], None]:
    """Return a validator holding a typed text to what ``model.column`` stores."""
    max_length, multiline = column_limit(model, column)

    def validate(value: str) -> None:
        try:
            bounds.check_text(column, value, max_length=max_length, multiline=multiline)
        except bounds.OutOfBounds as error:
            message = InvalidInput.out_of_bounds(error).translated()
            raise ValidationError(message, code="out_of_bounds") from None

    return validate


def column_text(
    model: type[Model],
    column: str,
    *,
    label: StrOrPromise | None = None,
    help_text: StrOrPromise = "",
    required: bool = False,
    rows: int | None = None,
) -> forms.CharField:
    """Return a text field for ``model.column``: its label, its limits (hikeshi.bounds), a
    text area of ``rows`` lines for multi-line columns or a one-line input."""
    max_length, multiline = column_limit(model, column)
    widget: forms.Widget = (
        forms.Textarea(attrs={"rows": rows or 2}) if multiline else forms.TextInput()
    )
    # The browser stops at the limit; the validator says so when a request ignores it.
    widget.attrs["maxlength"] = str(max_length)
    return forms.CharField(
        label=label if label is not None else model_label(model, column),
        help_text=help_text,
        required=required,
        widget=widget,
        validators=[text_bounds(model, column)],
    )


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
        check_instants(self, cleaned, self.zoned_fields)
        return cleaned


def wall_clock(value: datetime | None, zone_name: str) -> datetime | None:
    """Return an aware datetime as the naive time a person in the zone would type.

    None for a stored time outside hikeshi's range: no zone can show every such time, and
    a form that would send it back unchanged would be refused anyway.
    """
    if value is None or not bounds.is_representable(value):
        return None
    local = value.astimezone(bounds.display_zone(zone_name))
    return local.replace(tzinfo=None, second=0, microsecond=0)


def model_label(model: type[Model], field_name: str) -> StrOrPromise:
    """Return the model field's (translatable) verbose name, first letter capitalised."""
    field = model._meta.get_field(field_name)
    if not isinstance(field, Field):
        raise TypeError(f"{model.__name__}.{field_name} is not a concrete field")
    label: StrOrPromise = capfirst(field.verbose_name)
    return label


def time_zone_choices() -> list[tuple[str, str]]:
    """Return the time zones hikeshi accepts (hikeshi.bounds), sorted, as form choices."""
    return [(name, name) for name in sorted(bounds.time_zone_names())]
