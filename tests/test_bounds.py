"""hikeshi.bounds: the one set of rules every instant, zone, text and page crosses."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hikeshi import bounds
from hikeshi.bounds import OutOfBounds

PROPERTY = settings(max_examples=200, deadline=None, derandomize=True, database=None)


@pytest.mark.parametrize(
    "value",
    [
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))),
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=-14))),
        datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-14))),
        datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC),
        datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC),
        datetime(2100, 1, 1, tzinfo=UTC),
        datetime(1970, 1, 1, 8, 59, tzinfo=ZoneInfo("Asia/Tokyo")),
    ],
)
def test_an_instant_outside_the_range_is_refused_without_overflowing(value: datetime) -> None:
    with pytest.raises(OutOfBounds) as refused:
        bounds.check_instant("detected_at", value)

    assert refused.value.field == "detected_at"
    assert "1970-01-01" in refused.value.english


def test_an_instant_comes_back_in_utc() -> None:
    tokyo = datetime(2026, 11, 20, 9, 30, tzinfo=ZoneInfo("Asia/Tokyo"))

    assert bounds.check_instant("at", tokyo) == datetime(2026, 11, 20, 0, 30, tzinfo=UTC)
    assert bounds.check_instant("at", tokyo).tzinfo is UTC


def test_a_naive_time_and_a_day_long_offset_are_refused() -> None:
    with pytest.raises(OutOfBounds, match="time zone"):
        bounds.check_instant("at", datetime(2026, 11, 20, 9, 30))  # noqa: DTZ001
    with pytest.raises(OutOfBounds, match="-14:00 and \\+14:00"):
        bounds.check_instant("at", datetime(2026, 11, 20, tzinfo=timezone(timedelta(hours=20))))


@PROPERTY
@given(st.datetimes(timezones=st.timezones()))
def test_any_aware_instant_is_either_refused_or_shown_in_every_zone(value: datetime) -> None:
    try:
        checked = bounds.check_instant("at", value)
    except OutOfBounds:
        return
    # Compared in UTC: Python never finds times in a fold equal across zones (PEP 495).
    assert checked == value.astimezone(UTC)
    for name in ("Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Tokyo", "America/Adak"):
        checked.astimezone(ZoneInfo(name))  # never OverflowError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-02T10:45+09:00", datetime(2026, 12, 2, 1, 45, tzinfo=UTC)),
        ("2026-12-02T10:45:00Z", datetime(2026, 12, 2, 10, 45, tzinfo=UTC)),
        ("2026-12-02 10:45", datetime(2026, 12, 2, 1, 45, tzinfo=UTC)),  # read in Tokyo
    ],
)
def test_iso_times_are_read(text: str, expected: datetime) -> None:
    assert bounds.parse_instant("at", text, ZoneInfo("Asia/Tokyo")) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2026-12-02T24:00",
        "2026-12-31T23:59:60",
        "2026-02-30T10:00",
        "2026-12-02T10:45+25:00",
        "２０２６-12-02T10:45",
        "9999-12-31T23:59:59+00:00",
        "0001-01-01T00:00",
        "yesterday",
        "1" * 5000,
    ],
)
def test_times_that_are_not_are_refused(text: str) -> None:
    with pytest.raises(OutOfBounds):
        bounds.parse_instant("--at", text, ZoneInfo("Asia/Tokyo"))


def test_a_time_without_an_offset_needs_a_zone() -> None:
    with pytest.raises(OutOfBounds, match="time zone"):
        bounds.parse_instant("at", "2026-12-02T10:45")


@pytest.mark.parametrize("name", ["Asia/Tokyo", "UTC", "America/Argentina/Buenos_Aires"])
def test_geographic_zones_and_utc_are_accepted(name: str) -> None:
    assert bounds.check_time_zone("time_zone", name) == name


@pytest.mark.parametrize(
    "name",
    ["localtime", "posixrules", "Factory", "Etc/GMT+9", "posix/Asia/Tokyo", "right/UTC", "", "x"],
)
def test_files_that_are_not_zones_a_person_means_are_refused(name: str) -> None:
    with pytest.raises(OutOfBounds, match="time zone name"):
        bounds.check_time_zone("time_zone", name)


def test_an_unloadable_zone_is_shown_as_utc_itself() -> None:
    assert bounds.display_zone("Mars/Olympus_Mons") is UTC
    assert bounds.display_zone("a" * 10_000) is UTC
    assert bounds.display_zone("Asia/Tokyo") == ZoneInfo("Asia/Tokyo")


@pytest.mark.parametrize("value", ["a\x00b", "\x1b[31m", "\ud800", "tab\there", "two\nlines"])
def test_a_one_line_text_refuses_control_characters(value: str) -> None:
    with pytest.raises(OutOfBounds, match="control characters"):
        bounds.check_text("title", value, max_length=bounds.LINE_MAX)


def test_a_text_with_lines_keeps_tabs_and_line_breaks_only() -> None:
    assert bounds.check_text("note", "a\tb\r\nc", max_length=10, multiline=True) == "a\tb\r\nc"
    with pytest.raises(OutOfBounds):
        bounds.check_text("note", "a\x00b", max_length=10, multiline=True)


def test_a_long_text_is_refused_with_both_lengths() -> None:
    with pytest.raises(OutOfBounds) as refused:
        bounds.check_text("title", "長" * 201, max_length=bounds.LINE_MAX)

    assert refused.value.params == {"limit": 200, "length": 201}
    assert refused.value.english == "at most 200 characters (this has 201)"


def test_clip_marks_the_cut_and_never_overflows() -> None:
    assert bounds.clip("x" * 300, 150) == "x" * 149 + "…"
    assert len(bounds.clip("x" * 300, 150)) == 150
    assert bounds.clip("a\x00b\nc", 10) == "a b c"
    assert bounds.clip("a\x00b\nc", 10, multiline=True) == "a b\nc"


def test_refused_characters_are_exactly_the_control_and_surrogate_categories() -> None:
    for code in range(0x110000):
        char = chr(code)
        refused = unicodedata.category(char) in {"Cc", "Cs"}
        assert bounds._refused_character(char, multiline=False) == (char if refused else None)
        line_break = char in "\t\n\r"
        expected = char if refused and not line_break else None
        assert bounds._refused_character(char, multiline=True) == expected
