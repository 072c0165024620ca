"""`hikeshi audit verify` checks the site log along with every incident's chain."""

from __future__ import annotations

from django.contrib.auth.models import User
from tests.sitelog.conftest import TABLE, Run, raw

from hikeshi.sitelog.models import SiteLogEntry
from hikeshi.sitelog.services import SiteEventKind, record_site_event


def _three(actor: User) -> list[SiteLogEntry]:
    for kind in (
        SiteEventKind.USER_CREATED,
        SiteEventKind.API_TOKEN_ISSUED,
        SiteEventKind.USER_DEACTIVATED,
    ):
        record_site_event(kind, actor=actor, subject="sato")
    return list(SiteLogEntry.objects.order_by("sequence"))


def test_an_intact_site_log_is_counted(hikeshi: Run, site_admin: User) -> None:
    _three(site_admin)
    result = hikeshi("audit", "verify")
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("Verified the site log: 3 entries, intact.\n")


def test_an_edited_entry_fails_the_check_naming_it(hikeshi: Run, site_admin: User) -> None:
    entries = _three(site_admin)
    raw(f"UPDATE {TABLE} SET subject = %s WHERE id = %s", ["tanaka", entries[1].pk])
    result = hikeshi("audit", "verify")
    assert result.exit_code == 1
    assert (
        f"Error: broken chain at site log entry #2 (id {entries[1].pk}): content does not "
        "match its hash (the entry was edited)"
    ) in result.stderr
    assert "The site log of account events is broken" in result.stderr
    assert "Verified the site log" not in result.stdout
    assert "Traceback" not in result.output


def test_cut_off_newest_entries_fail_the_check(hikeshi: Run, site_admin: User) -> None:
    entries = _three(site_admin)
    raw(f"DELETE FROM {TABLE} WHERE id = %s", [entries[-1].pk])
    result = hikeshi("audit", "verify")
    assert result.exit_code == 1
    assert "the log has 2 entries but its head records 3" in result.stderr
