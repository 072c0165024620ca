"""`hikeshi action add`: an action record with scope, settings and the time it was done."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from typer.testing import Result

from hikeshi.incidents.audit.verify import verify_incident
from hikeshi.incidents.models import ActionRecord, Incident

Run = Callable[..., Result]
TOKYO = ZoneInfo("Asia/Tokyo")


def test_action_add_records_when_where_and_how(
    hikeshi: Run, site_admin: User, incident: Incident
) -> None:
    result = hikeshi(
        "action", "add", str(incident.pk),
        "--what", "PC-01 をネットワークから隔離",
        "--scope", "PC-01（192.168.10.21）",
        "--settings", "LAN ケーブル抜線、Wi-Fi 無効",
        "--note", "電源は入れたまま",
        "--at", "2026-11-20T10:05",
        "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    record = ActionRecord.objects.get(pk=data["id"])
    assert record.performed_at == datetime(2026, 11, 20, 10, 5, tzinfo=TOKYO)
    assert data["performed_at"] == "2026-11-20T10:05:00+09:00"
    assert (record.what, record.scope, record.settings_text, record.note) == (
        "PC-01 をネットワークから隔離",
        "PC-01（192.168.10.21）",
        "LAN ケーブル抜線、Wi-Fi 無効",
        "電源は入れたまま",
    )
    assert record.actor == site_admin
    assert data["sequence"] == incident.audit_length + 1
    incident.refresh_from_db()
    assert verify_incident(incident) == []


def test_action_at_with_an_offset_keeps_it(
    hikeshi: Run, site_admin: User, incident: Incident
) -> None:
    result = hikeshi(
        "action", "add", str(incident.pk), "--what", "ログ保全", "--at", "2026-11-20T01:00Z"
    )
    assert result.exit_code == 0, result.output
    record = ActionRecord.objects.filter(incident=incident).order_by("-sequence").first()
    assert record is not None
    assert record.performed_at == datetime(2026, 11, 20, 10, 0, tzinfo=TOKYO)


def test_action_in_the_future_is_refused(
    hikeshi: Run, site_admin: User, incident: Incident
) -> None:
    result = hikeshi("action", "add", str(incident.pk), "--what", "x", "--at", "2098-01-01")
    assert result.exit_code == 1
    assert "--at: an action cannot have been performed in the future" in result.stderr


def test_a_viewer_may_not_record_actions(hikeshi: Run, incident: Incident, viewer: User) -> None:
    result = hikeshi("action", "add", str(incident.pk), "--what", "x", "--as", "viewer")
    assert result.exit_code == 1
    assert f"viewer may only view incident #{incident.pk}" in result.stderr


def test_bad_at_is_a_usage_error(hikeshi: Run, site_admin: User, incident: Incident) -> None:
    result = hikeshi("action", "add", str(incident.pk), "--what", "x", "--at", "yesterday")
    assert result.exit_code == 2
    assert "--at 'yesterday': not a date and time" in result.stderr
