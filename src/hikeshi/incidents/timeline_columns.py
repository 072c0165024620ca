"""What the columns and times of a timeline CSV mean, and the template offered for it.

Which header names hikeshi reads (English, Timesketch and Japanese), the precision words,
the time formats (ISO 8601, what Japanese Excel writes, Timesketch microseconds), all
within :mod:`hikeshi.bounds`. Messages are English message ids, translated where shown.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_noop

from hikeshi.bounds import OutOfBounds, check_instant, clip, parse_instant
from hikeshi.incidents.csv_records import FileProblem
from hikeshi.incidents.vocabulary import TimePrecision
from hikeshi.spreadsheet import csv_text, restore_text

# Columns, by what they mean: the names hikeshi reads in a header (compared without case,
# spaces around them and full-width forms). English / Timesketch names first, then
# Japanese. A header may hold several columns of one meaning; per row the first non-empty
# one counts.
COLUMN_NAMES: Mapping[str, tuple[str, ...]] = {
    "datetime": ("datetime", "date_time", "日時", "発生日時"),
    "date": ("date", "日付"),
    "time": ("time", "時刻"),
    "timestamp": ("timestamp",),
    "message": ("message", "description", "内容", "説明", "メッセージ"),
    "timestamp_desc": ("timestamp_desc", "種別"),
    "precision": ("precision", "精度"),
    "source": ("source", "発生源", "ソース"),
    "device": ("device", "host", "hostname", "機器", "端末", "ホスト"),
}
_MEANING = {name: meaning for meaning, names in COLUMN_NAMES.items() for name in names}
TIME_MEANINGS = ("datetime", "date", "time", "timestamp")

# Precision values: hikeshi's codes and the words shown for them in both languages.
PRECISION_WORDS: Mapping[str, str] = {
    "exact": TimePrecision.EXACT,
    "about": TimePrecision.ABOUT,
    "day": TimePrecision.DAY,
    "day only": TimePrecision.DAY,
    "正確": TimePrecision.EXACT,
    "頃": TimePrecision.ABOUT,
    "おおよそ": TimePrecision.ABOUT,
    "日付のみ": TimePrecision.DAY,
}

# Full-width digits and separators, as Japanese input methods type them, read as ASCII.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９／：－．　Ｔ", "0123456789/:-. T")
# What Japanese Excel writes: 2026/12/02 10:45, 2026/12/2 9:05, 2026/12/02 10:45:30.
_SLASHED = re.compile(
    r"(?P<year>[0-9]{4})/(?P<month>[0-9]{1,2})/(?P<day>[0-9]{1,2})"
    r"(?:[ T](?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2})"
    r"(?::(?P<second>[0-9]{2})(?:\.(?P<fraction>[0-9]{1,6}))?)?)?",
    re.ASCII,
)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
# Timesketch's timestamp: microseconds since 1970. 13 to 16 digits cover 1970-01-12 to
# 2286; anything longer is refused before it is converted to a number.
_MICROSECONDS = re.compile(r"[0-9]{13,16}", re.ASCII)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
NOT_A_TIME = gettext_noop(
    "not a date and time; write e.g. 2026/12/02 10:45, 2026-12-02T10:45:00+09:00 "
    "or Timesketch microseconds"
)
NO_SUCH_TIME = "no such date or time (check the day, hour and offset)"


def normalised_name(name: str) -> str:
    """Return a header cell as compared with COLUMN_NAMES (case, width and spaces ignored)."""
    return unicodedata.normalize("NFKC", name).strip().strip("\ufeff").strip().casefold()


@dataclass(frozen=True)
class Columns:
    """Which cells of a row mean what, from the header."""

    names: tuple[str, ...]
    # meaning -> indexes of the columns with that meaning, in header order
    indexes: Mapping[str, tuple[int, ...]]

    @classmethod
    def from_header(cls, cells: Sequence[str]) -> Columns:
        """Return the columns of a header; raise FileProblem without a time or text column."""
        indexes: dict[str, list[int]] = {}
        for index, cell in enumerate(cells):
            meaning = _MEANING.get(normalised_name(cell))
            if meaning is not None:
                indexes.setdefault(meaning, []).append(index)
        if not any(m in indexes for m in TIME_MEANINGS) or "message" not in indexes:
            shown = ", ".join(clip(cell.strip(), 40) for cell in cells[:12] if cell.strip())
            raise FileProblem(
                gettext_noop(
                    "the header must name a time column (datetime, timestamp or 日時) and a "
                    "text column (message or 内容); found: %(columns)s"
                ),
                columns=shown or "-",
            )
        return cls(tuple(cells), {m: tuple(found) for m, found in indexes.items()})

    def ignored(self) -> list[str]:
        """Return the header names hikeshi does not read."""
        used = {index for found in self.indexes.values() for index in found}
        return [name for index, name in enumerate(self.names) if index not in used]

    def first(self, meaning: str, cells: Sequence[str]) -> tuple[str, str]:
        """Return (value, column name) of the first non-empty cell with that meaning."""
        found = self.indexes.get(meaning, ())
        for index in found:
            value = restore_text(cells[index].strip())
            if value:
                return value, self.names[index]
        return "", self.names[found[0]] if found else meaning

    def time_text(self, cells: Sequence[str]) -> tuple[str, str]:
        """Return (time text, column name): datetime, else date + time, else timestamp."""
        value, name = self.first("datetime", cells)
        if value:
            return value, name
        day, day_name = self.first("date", cells)
        clock, clock_name = self.first("time", cells)
        if day:
            return (f"{day} {clock}" if clock else day), day_name
        if clock:
            return clock, clock_name
        stamp, stamp_name = self.first("timestamp", cells)
        if stamp:
            return stamp, stamp_name
        return "", next(
            (self.names[self.indexes[m][0]] for m in TIME_MEANINGS if m in self.indexes),
            "datetime",
        )


def parse_event_time(field_name: str, text: str, zone: ZoneInfo) -> tuple[datetime, str]:
    """Return the UTC instant and its precision; raise OutOfBounds saying what is wrong.

    Reads ISO 8601 (an offset or Z optional: without one the incident's ``zone`` applies),
    what Japanese Excel writes (2026/12/02 10:45[:30], 2026/12/2 9:05) and Timesketch's
    microseconds since 1970. A date alone is day precision.
    """
    value = text.strip().translate(_FULL_WIDTH)
    if not value:
        raise OutOfBounds(field_name, gettext_noop("no time given"))
    if _MICROSECONDS.fullmatch(value):
        instant = _EPOCH + timedelta(microseconds=int(value))
        return check_instant(field_name, instant), TimePrecision.EXACT
    slashed = _SLASHED.fullmatch(value)
    if slashed is not None:
        return _slashed_time(field_name, slashed, zone)
    if _ISO_DATE.fullmatch(value):
        return parse_instant(field_name, value, zone), TimePrecision.DAY
    try:
        return parse_instant(field_name, value, zone), TimePrecision.EXACT
    except OutOfBounds as refused:
        if refused.message.startswith("not a date and time"):
            raise OutOfBounds(field_name, NOT_A_TIME) from None
        raise


def _slashed_time(field_name: str, found: re.Match[str], zone: ZoneInfo) -> tuple[datetime, str]:
    parts = {key: int(value) for key, value in found.groupdict().items() if value and key}
    fraction = found.group("fraction") or ""
    try:
        local = datetime(
            parts["year"],
            parts["month"],
            parts["day"],
            parts.get("hour", 0),
            parts.get("minute", 0),
            parts.get("second", 0),
            int(fraction.ljust(6, "0")) if fraction else 0,
            tzinfo=zone,
        )
    except ValueError:
        # datetime refuses 24:00, :60, month 13 and 2024-02-30.
        raise OutOfBounds(field_name, NO_SUCH_TIME) from None
    precision = TimePrecision.EXACT if found.group("hour") else TimePrecision.DAY
    return check_instant(field_name, local), precision


# The template offered for download: the columns hikeshi reads and one row per time format,
# so that a person who fills it in Excel and saves it as CSV gets every row imported.
TEMPLATES: Mapping[str, tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]] = {
    "ja": (
        ("日時", "内容", "精度", "発生源", "機器"),
        (
            (
                "2026/12/02 9:05",
                "不審なメールの添付ファイルを開いた",
                "頃",
                "本人への聞き取り",
                "PC-01",
            ),
            (
                "2026/12/02 10:45:30",
                "C2 サーバ (203.0.113.10) への通信を検知",
                "正確",
                "プロキシログ",
                "PC-01",
            ),
            ("2026/12/3", "共有フォルダのファイルが暗号化され始めた", "日付のみ", "", "FS01"),
        ),
    ),
    "en": (
        ("datetime", "message", "precision", "source", "device"),
        (
            (
                "2026-12-02T09:05:00+09:00",
                "Opened the attachment of a suspicious e-mail",
                "about",
                "interview with the user",
                "PC-01",
            ),
            (
                "2026-12-02 10:45:30",
                "Connection to the C2 server (203.0.113.10) detected",
                "exact",
                "proxy log",
                "PC-01",
            ),
            ("2026-12-03", "Files on the shared folder began to be encrypted", "day", "", "FS01"),
        ),
    ),
}


def template_csv(language: str) -> str:
    """Return the import template in ``language`` (ja or en), with a BOM for Excel."""
    header, rows = TEMPLATES[language if language in TEMPLATES else "en"]
    return csv_text(header, rows, bom=True)
