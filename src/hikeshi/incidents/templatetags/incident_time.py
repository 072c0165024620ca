"""Template filters showing times as a responder reads them: in the zone, with precision."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

from django import template
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from hikeshi import bounds
from hikeshi.incidents.vocabulary import TimePrecision

register = template.Library()


@register.filter
def shown_zone(name: str) -> tzinfo:
    """Return the zone to open with {% timezone %}: the named one, or UTC if it cannot load.

    A stored name that no longer loads (an old row, a raw edit) must not break the page;
    the times are then shown in UTC and say so (see moment).
    """
    return bounds.display_zone(name)


def _out_of_range(value: datetime, pattern: str) -> str:
    """Return a stored time no zone can show as it is: in UTC, marked."""
    utc = value.astimezone(UTC) if timezone.is_aware(value) else value
    return _("%(time)s UTC (outside the time range hikeshi takes)") % {
        "time": dateformat.format(utc, pattern)
    }


def _fallback_mark(text: str) -> str:
    # display_zone's fallback is datetime.UTC itself; an incident kept in UTC has ZoneInfo.
    active: tzinfo = timezone.get_current_timezone()
    return f"{text} UTC" if active is UTC else text


@register.filter
def moment(value: datetime | None, precision: str = TimePrecision.EXACT) -> str:
    """Return the time in the active zone (set it with {% timezone %}), marked by precision.

    A stored time outside hikeshi's range is shown in UTC with a note, never an error.
    """
    if value is None:
        return ""
    if not bounds.is_representable(value):
        return _out_of_range(value, "Y-m-d H:i:s")
    local = timezone.localtime(value)
    if precision == TimePrecision.DAY:
        text = _("%(date)s (day only)") % {"date": dateformat.format(local, "Y-m-d")}
    elif precision == TimePrecision.ABOUT:
        text = _("about %(time)s") % {"time": dateformat.format(local, "Y-m-d H:i")}
    else:
        text = dateformat.format(local, "Y-m-d H:i:s")
    return _fallback_mark(text)


@register.filter
def minute(value: datetime | None) -> str:
    """Return the time to the minute in the active zone, for lists (robust as moment)."""
    if value is None:
        return ""
    if not bounds.is_representable(value):
        return _out_of_range(value, "Y-m-d H:i")
    return _fallback_mark(dateformat.format(timezone.localtime(value), "Y-m-d H:i"))


@register.filter
def minutes(value: timedelta | None) -> int:
    """Return a duration in whole minutes (rounded up), for lock-out messages."""
    if value is None:
        return 0
    return -(-int(value.total_seconds()) // 60)
