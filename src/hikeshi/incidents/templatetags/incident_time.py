"""Template filters showing times as a responder reads them: in the zone, with precision."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import template
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from hikeshi.incidents.vocabulary import TimePrecision

register = template.Library()


@register.filter
def moment(value: datetime | None, precision: str = TimePrecision.EXACT) -> str:
    """Return the time in the active zone (set it with {% timezone %}), marked by precision."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    if precision == TimePrecision.DAY:
        return _("%(date)s (day only)") % {"date": dateformat.format(local, "Y-m-d")}
    if precision == TimePrecision.ABOUT:
        return _("about %(time)s") % {"time": dateformat.format(local, "Y-m-d H:i")}
    return dateformat.format(local, "Y-m-d H:i:s")


@register.filter
def minutes(value: timedelta | None) -> int:
    """Return a duration in whole minutes (rounded up), for lock-out messages."""
    if value is None:
        return 0
    return -(-int(value.total_seconds()) // 60)
