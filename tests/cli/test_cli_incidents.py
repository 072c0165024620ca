"""`hikeshi incident create|list|show`: JSON out, clear errors, the acting user's view."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from typer.testing import Result

from hikeshi.incidents.models import ActionRecord, Incident

Run = Callable[..., Result]
TOKYO = ZoneInfo("Asia/Tokyo")


def _create(hikeshi: Run, *extra: str) -> Result:
    return hikeshi(
        "incident", "create", "--title", "VPN 不正ログイン", "--type", "account_takeover", *extra
    )


def test_create_prints_the_new_incident_as_json(hikeshi: Run, site_admin: User) -> None:
    result = _create(
        hikeshi, "--type", "information_leak", "--detected-at", "2026-11-20T09:30", "--json"
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    incident = Incident.objects.get(pk=data["id"])
    assert data["title"] == "VPN 不正ログイン"
    assert data["types"] == ["information_leak", "account_takeover"]
    # A time without an offset is read in Tokyo.
    assert incident.detected_at == datetime(2026, 11, 20, 9, 30, tzinfo=TOKYO)
    assert data["detected_at"] == "2026-11-20T09:30:00+09:00"
    # The service recorded the opening, with the first administrator as actor and lead.
    opening = ActionRecord.objects.get(incident=incident, sequence=1)
    assert opening.kind == "incident.opened"
    assert opening.actor == site_admin


def test_create_without_detected_at_means_now(hikeshi: Run, site_admin: User) -> None:
    before = datetime.now(TOKYO)
    data = json.loads(_create(hikeshi, "--json").stdout)
    assert datetime.fromisoformat(data["detected_at"]) >= before.replace(microsecond=0)


def test_create_as_another_user_makes_them_lead(hikeshi: Run, lead: User) -> None:
    data = json.loads(_create(hikeshi, "--as", "lead", "--json").stdout)
    assert Incident.objects.get(pk=data["id"]).memberships.get().user == lead


def test_bad_detected_at_is_a_one_line_usage_error(hikeshi: Run, site_admin: User) -> None:
    result = _create(hikeshi, "--detected-at", "2026-13-45 25:00")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "--detected-at '2026-13-45 25:00': no such date or time" in result.stderr
    assert "Traceback" not in result.output
    assert not Incident.objects.exists()


def test_unknown_type_is_refused_by_the_service(hikeshi: Run, site_admin: User) -> None:
    result = hikeshi("incident", "create", "--title", "x", "--type", "alien")
    assert result.exit_code == 1
    assert "--type: unknown incident type(s): 'alien'" in result.stderr


def test_without_any_administrator_the_error_says_run_init(hikeshi: Run) -> None:
    result = _create(hikeshi)
    assert result.exit_code == 1
    assert "run `hikeshi init`" in result.stderr


def test_unknown_acting_user_is_named(hikeshi: Run, site_admin: User) -> None:
    result = _create(hikeshi, "--as", "nobody")
    assert result.exit_code == 1
    assert "no user named 'nobody'" in result.stderr


def test_list_json_shows_every_incident_to_the_administrator(
    hikeshi: Run, site_admin: User, incident: Incident
) -> None:
    created = json.loads(_create(hikeshi, "--json").stdout)
    result = hikeshi("incident", "list", "--json")
    assert result.exit_code == 0, result.output
    assert {item["id"] for item in json.loads(result.stdout)} == {incident.pk, created["id"]}


def test_list_as_an_outsider_is_empty(hikeshi: Run, incident: Incident, outsider: User) -> None:
    assert json.loads(hikeshi("incident", "list", "--as", "outsider", "--json").stdout) == []


def test_list_without_json_is_a_readable_table(
    hikeshi: Run, site_admin: User, incident: Incident
) -> None:
    result = hikeshi("incident", "list")
    assert result.exit_code == 0, result.output
    header, row = result.stdout.splitlines()
    assert header.split() == ["ID", "Priority", "Status", "Detected", "Types", "Title"]
    assert row.startswith(str(incident.pk))
    assert row.endswith(incident.title)


def test_show_json_includes_the_action_records(
    hikeshi: Run, site_admin: User, incident: Incident
) -> None:
    result = hikeshi("incident", "show", str(incident.pk), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["id"] == incident.pk
    assert [a["sequence"] for a in data["actions"]] == list(range(1, incident.audit_length + 1))


def test_unknown_incident_is_a_clear_error(hikeshi: Run, site_admin: User) -> None:
    result = hikeshi("incident", "show", "9999")
    assert result.exit_code == 1
    assert result.stderr == "Error: no incident #9999; `hikeshi incident list` shows them\n"


def test_an_outsider_cannot_tell_the_incident_exists(
    hikeshi: Run, incident: Incident, outsider: User
) -> None:
    result = hikeshi("incident", "show", str(incident.pk), "--as", "outsider")
    assert result.exit_code == 1
    assert f"no incident #{incident.pk} that outsider takes part in" in result.stderr
