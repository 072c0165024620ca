"""The bounds every value crosses on its way into hikeshi: instants, time zones, texts, pages.

Each kind of value is validated here once, whichever interface it comes through (web form,
API, CLI, import, job), so that nothing stored can later fail to display: an instant is
representable in UTC and in every time zone hikeshi shows, a text fits its database column
on SQLite and PostgreSQL alike and carries no control character, a page number stays within
what the database can take. Plain Python (no Django), so the analytics library and the CLI
use the same rules; messages are English message ids, translated where they are shown.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

# Instants hikeshi accepts: from 1970 (the epoch; no log or record is older) up to, not
# including, 2100. Far enough from datetime's limits that any zone's offset stays
# representable, so a stored instant can always be shown in any time zone.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
# Real UTC offsets lie between -12:00 and +14:00; ISO 8601 allows no more than ±14:00 here.
MAX_OFFSET = timedelta(hours=14)
# The longest time text worth parsing ("2026-12-02T10:45:00.123456+09:00" is 32).
MAX_INSTANT_TEXT = 40

# Lengths, in characters (PostgreSQL's varchar(n) counts characters, as Python does).
LINE_MAX = 200  # one-line texts: titles, names, sources, devices (CharField(max_length=200))
TEXT_MAX = 20_000  # texts with lines: descriptions, scopes, settings, notes, comments
NAME_MAX = 150  # account names (Django's username and names of people recorded as actors)
# The deepest page number any list accepts: far beyond any real list (100 rows a page),
# small enough that page * size stays a small integer in every database.
PAGE_MAX = 1_000_000

# An ISO 8601 date and time with ASCII digits only: Python's own parser also takes other
# Unicode digits ("²", "٣") and years the rest of hikeshi cannot show.
_ISO_INSTANT = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[T ](?P<time>\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,6})?)?))?"
    r"(?P<offset>Z|[+-]\d{2}:?\d{2})?",
    re.ASCII,
)
_TIME_ZONE_AREAS = (
    "Africa/",
    "America/",
    "Antarctica/",
    "Arctic/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
)


def gettext_noop(message: str) -> str:
    """Return ``message`` unchanged: marks an English message id for the catalogue.

    The same name as Django's marker, so that makemessages collects these messages without
    this module importing Django; they are translated where they are shown.
    """
    return message


_OUT_OF_RANGE = gettext_noop("the time must lie between 1970-01-01 and 2099-12-31 (UTC)")


class OutOfBounds(ValueError):
    """A value hikeshi does not take; ``field`` names it, ``message`` is an English msgid.

    ``params`` fills the message's ``%(name)s`` placeholders after translation.
    """

    def __init__(self, field: str, message: str, **params: str | int) -> None:
        self.field = field
        self.message = message
        self.params = params
        super().__init__(f"{field}: {self.english}")

    @property
    def english(self) -> str:
        """Return the message in English with its placeholders filled."""
        return self.message % self.params if self.params else self.message


def check_instant(field: str, value: datetime) -> datetime:
    """Return ``value`` (aware, within the documented range) in UTC, or raise OutOfBounds."""
    offset = value.utcoffset()
    if offset is None:
        raise OutOfBounds(field, gettext_noop("the time must carry a time zone"))
    if abs(offset) > MAX_OFFSET:
        raise OutOfBounds(field, gettext_noop("a time zone offset lies between -14:00 and +14:00"))
    # Compare the wall-clock time first: subtracting the offset from a time near datetime's
    # limits (0001-01-01T00:00+09:00, 9999-12-31T23:00-05:00) would itself overflow.
    naive = value.replace(tzinfo=None)
    earliest, latest = EARLIEST.replace(tzinfo=None), LATEST.replace(tzinfo=None)
    if not (earliest - MAX_OFFSET <= naive < latest + MAX_OFFSET):
        raise OutOfBounds(field, _OUT_OF_RANGE)
    naive_utc = naive - offset
    if not (earliest <= naive_utc < latest):
        raise OutOfBounds(field, _OUT_OF_RANGE)
    return naive_utc.replace(tzinfo=UTC)


def parse_instant(field: str, text: str, zone: tzinfo | None = None) -> datetime:
    """Return the ISO 8601 time in ``text`` as a UTC instant, or raise OutOfBounds.

    A time without an offset is read in ``zone``; without a zone it is refused. 24:00,
    leap seconds (:60), impossible days and offsets beyond ±14:00 are refused.
    """
    value = text.strip()
    if len(value) > MAX_INSTANT_TEXT:
        raise OutOfBounds(
            field, gettext_noop("not a date and time (expected e.g. 2026-12-02T10:45+09:00)")
        )
    match = _ISO_INSTANT.fullmatch(value)
    if match is None:
        raise OutOfBounds(
            field, gettext_noop("not a date and time (expected e.g. 2026-12-02T10:45+09:00)")
        )
    try:
        parsed = datetime.fromisoformat(value.replace(",", ".").replace("Z", "+00:00"))
    except ValueError:
        # fromisoformat refuses 24:00, :60, 2024-02-30 and offsets of a day or more.
        raise OutOfBounds(
            field, gettext_noop("no such date or time (check the day, hour and offset)")
        ) from None
    if parsed.tzinfo is None:
        if zone is None:
            raise OutOfBounds(field, gettext_noop("the time must carry a time zone"))
        parsed = parsed.replace(tzinfo=zone)
    return check_instant(field, parsed)


def is_representable(value: datetime) -> bool:
    """Return whether ``value`` lies within the instants hikeshi accepts."""
    try:
        check_instant("value", value)
    except OutOfBounds:
        return False
    return True


@cache
def time_zone_names() -> frozenset[str]:
    """Return the IANA time zones hikeshi accepts: the geographic zones, and UTC.

    Not everything the system's database holds: ``localtime``, ``posixrules`` and
    ``Factory`` are files of the installation, ``posix/…`` and ``right/…`` copies, and
    ``Etc/GMT+9`` means UTC-9, a trap for anyone who reads it.
    """
    names = {name for name in available_timezones() if name.startswith(_TIME_ZONE_AREAS)}
    return frozenset(names | {"UTC"})


def check_time_zone(field: str, name: str) -> str:
    """Return ``name`` when it is an accepted IANA time zone, or raise OutOfBounds."""
    if name not in time_zone_names():
        raise OutOfBounds(
            field, gettext_noop("not a time zone name (expected e.g. Asia/Tokyo or UTC)")
        )
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise OutOfBounds(
            field, gettext_noop("not a time zone name (expected e.g. Asia/Tokyo or UTC)")
        ) from None
    return name


def display_zone(name: str) -> tzinfo:
    """Return the zone to show times in: the named zone, or UTC when it cannot be loaded.

    For values already stored (an old row, a raw edit): a page must still render. UTC comes
    back as ``datetime.UTC`` itself, not ZoneInfo("UTC"), so a caller can tell the fallback
    from an incident that really keeps UTC and say so beside the times.
    """
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return UTC


# Cc, the control characters (NUL among them), and Cs, lone surrogates, which no database
# can store as UTF-8: every code point of both categories (a test keeps these in step with
# unicodedata). One search instead of a per-character loop: imports check every cell.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_BUT_LINES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def _refused_character(value: str, multiline: bool) -> str | None:
    found = (_CONTROL_BUT_LINES if multiline else _CONTROL).search(value)
    return None if found is None else found.group()


def check_text(field: str, value: str, *, max_length: int, multiline: bool = False) -> str:
    """Return ``value`` when it fits ``max_length`` characters and has no control character.

    ``multiline`` texts may hold tabs and line breaks; one-line texts hold neither.
    """
    if _refused_character(value, multiline) is not None:
        if multiline:
            raise OutOfBounds(
                field, gettext_noop("remove control characters (only tabs and line breaks)")
            )
        raise OutOfBounds(field, gettext_noop("remove control characters and line breaks"))
    if len(value) > max_length:
        raise OutOfBounds(
            field,
            gettext_noop("at most %(limit)s characters (this has %(length)s)"),
            limit=max_length,
            length=len(value),
        )
    return value


def clip(value: str, max_length: int, *, multiline: bool = False) -> str:
    """Return ``value`` cut to ``max_length`` characters, marking a cut with "…".

    For values hikeshi derives itself (``import:<file name>``, actor names, the settings
    line of an action record) that must never overflow a column; control characters become
    spaces first (``multiline`` keeps tabs and line breaks, as check_text allows them).
    """
    cleaned = (_CONTROL_BUT_LINES if multiline else _CONTROL).sub(" ", value)
    if len(cleaned) <= max_length:
        return cleaned
    return cleaned[: max_length - 1] + "…"
