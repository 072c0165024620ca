"""`hikeshi sitelog show`: the newest entries as a table or JSON, filtered by kind or account."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User
from tests.sitelog.conftest import Run

from hikeshi.sitelog.services import SiteEventKind, record_site_event


@pytest.fixture
def entries(site_admin: User) -> None:
    for number in range(1, 4):
        record_site_event(
            SiteEventKind.API_TOKEN_ISSUED,
            actor=None,
            subject="sato",
            detail={"via": "cli", "token_name": f"token {number}"},
        )
    record_site_event(
        SiteEventKind.SITE_ADMIN_GRANTED,
        actor=site_admin,
        subject="kato",
        detail={"via": "admin"},
        client_address="192.0.2.44",
    )


def test_show_prints_a_table_newest_first(hikeshi: Run, entries: None) -> None:
    result = hikeshi("sitelog", "show")
    assert result.exit_code == 0, result.output
    out = result.stdout
    for heading in ("#", "Time (Asia/Tokyo)", "Event", "Account", "By", "Address", "Detail"):
        assert heading in out
    assert "Site administrator rights granted" in out
    assert "API token issued" in out
    assert "192.0.2.44" in out
    assert out.index("Site administrator rights granted") < out.index("API token issued")
    assert "4 shown, newest first; 4 entries in all" in out


def test_limit_and_kind_narrow_the_table(hikeshi: Run, entries: None) -> None:
    result = hikeshi("sitelog", "show", "--limit", "2", "--kind", "api_token_issued")
    assert result.exit_code == 0, result.output
    assert "token 3" in result.stdout and "token 2" in result.stdout
    assert "token 1" not in result.stdout
    assert "Site administrator" not in result.stdout
    assert "2 shown, newest first; 4 entries in all" in result.stdout


def test_account_matches_subject_or_actor(hikeshi: Run, entries: None) -> None:
    result = hikeshi("sitelog", "show", "--account", "admin", "--json")
    assert result.exit_code == 0, result.output
    (entry,) = json.loads(result.stdout)
    assert entry["kind"] == "site_admin_granted"
    assert entry["kind_label"] == "Site administrator rights granted"
    assert entry["subject"] == "kato" and entry["actor"] == "admin"
    assert entry["client_address"] == "192.0.2.44"
    assert entry["occurred_at"].endswith("+09:00")
    assert len(entry["record_hash"]) == 64


def test_json_in_another_zone(hikeshi: Run, entries: None) -> None:
    result = hikeshi("sitelog", "show", "--json", "--zone", "UTC", "--limit", "1")
    assert result.exit_code == 0, result.output
    (entry,) = json.loads(result.stdout)
    assert entry["occurred_at"].endswith("+00:00")


def test_an_unknown_kind_lists_the_kinds(hikeshi: Run, entries: None) -> None:
    result = hikeshi("sitelog", "show", "--kind", "made_up")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --kind 'made_up' is not an event kind; use one of:")
    assert "user_created" in result.stderr and "Traceback" not in result.output


def test_an_unknown_zone_is_a_clear_error(hikeshi: Run) -> None:
    result = hikeshi("sitelog", "show", "--zone", "Mars/Olympus")
    assert result.exit_code == 2
    assert "--zone 'Mars/Olympus' is not a time zone name" in result.stderr


def test_a_limit_out_of_range_is_refused(hikeshi: Run) -> None:
    assert hikeshi("sitelog", "show", "--limit", "0").exit_code == 2
    assert hikeshi("sitelog", "show", "--limit", "1001").exit_code == 2


def test_markup_in_names_is_printed_as_typed(hikeshi: Run) -> None:
    record_site_event(SiteEventKind.LOGIN_LOCKED_OUT, actor=None, subject="[red]x[/red]")
    result = hikeshi("sitelog", "show")
    assert result.exit_code == 0, result.output
    assert "[red]x[/red]" in result.stdout


def test_an_empty_log_says_so(hikeshi: Run) -> None:
    result = hikeshi("sitelog", "show")
    assert result.exit_code == 0
    assert result.stdout == "The site log is empty.\n"
    filtered = hikeshi("sitelog", "show", "--kind", "user_created")
    assert filtered.stdout == "The site log is empty.\n"
