"""The command line refuses what the bounds refuse, in one line naming the option."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User
from tests.cli.conftest import Run

from hikeshi.incidents.models import ActionRecord, Incident


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("9999-12-31T23:59:59+00:00", "between 1970-01-01 and 2099-12-31"),
        ("0001-01-01T00:00", "between 1970-01-01 and 2099-12-31"),
        ("2026-11-20T24:00", "no such date or time"),
        ("2026-11-20T09:30+23:59", "between -14:00 and +14:00"),
        ("２０２６-11-20T09:30", "not a date and time"),
    ],
)
def test_a_time_out_of_bounds_is_one_line_naming_the_option(
    hikeshi: Run, site_admin: User, value: str, reason: str
) -> None:
    result = hikeshi(
        "incident", "create", "--title", "x", "--type", "virus_infection", "--detected-at", value
    )

    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("Error: --detected-at ")
    assert reason in result.stderr
    assert not Incident.objects.exists()


def test_a_text_too_long_for_its_column_names_the_option(
    hikeshi: Run, site_admin: User, incident: Incident
) -> None:
    result = hikeshi("incident", "create", "--title", "t" * 201, "--type", "insider")

    assert result.exit_code == 1
    assert result.stderr == "Error: --title: at most 200 characters (this has 201)\n"


def test_a_control_character_in_an_action_names_the_option(
    hikeshi: Run, site_admin: User, incident: Incident
) -> None:
    result = hikeshi("action", "add", str(incident.pk), "--what", "x", "--scope", "PC\x0101")

    assert result.exit_code == 1
    assert (
        result.stderr == "Error: --scope: remove control characters (only tabs and line breaks)\n"
    )


def test_times_show_in_utc_when_no_zone_can_show_them(
    hikeshi: Run, site_admin: User, incident: Incident
) -> None:
    Incident.objects.filter(pk=incident.pk).update(
        detected_at=datetime(9999, 12, 31, tzinfo=UTC), time_zone="Mars/Olympus_Mons"
    )

    result = hikeshi("incident", "show", str(incident.pk), "--json")

    assert result.exit_code == 0, result.output
    assert '"detected_at": "9999-12-31T00:00:00+00:00"' in result.stdout
    assert ActionRecord.objects.filter(incident=incident).exists()


def test_a_user_name_past_the_limit_is_refused_before_the_database(hikeshi: Run) -> None:
    result = hikeshi("user", "create", "u" * 151, "--password-stdin", input="x" * 20 + "\n")

    assert result.exit_code == 2
    assert result.stderr == "Error: USERNAME: at most 150 characters (this has 151)\n"
    assert not User.objects.exists()
