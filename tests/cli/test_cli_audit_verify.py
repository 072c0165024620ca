"""`hikeshi audit verify`: exit 0 on intact chains, name the first bad record otherwise."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.db import connection
from typer.testing import Result

from hikeshi.incidents.models import ActionRecord, Incident
from hikeshi.incidents.services.actions import ActionInput, append_action

Run = Callable[..., Result]
TABLE = ActionRecord._meta.db_table


def _raw(sql: str, params: list[str | int]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def records(incident: Incident, lead: User) -> list[ActionRecord]:
    """The incident's chain with three more actions: six records in all."""
    for what in ("PC-01 をネットワークから隔離", "プロキシログを退避", "DHCP ログを確保"):
        append_action(incident.pk, lead, ActionInput(what=what, scope="PC-01", settings="抜線"))
    return list(ActionRecord.objects.filter(incident=incident).order_by("sequence"))


def _names(result: Result, incident: Incident, record: ActionRecord, sequence: int) -> None:
    assert result.exit_code == 1
    assert f"incident {incident.pk}, action record #{sequence} (id {record.pk})" in result.stderr
    assert "Traceback" not in result.output


def test_intact_chains_verify(
    hikeshi: Run, incident: Incident, records: list[ActionRecord]
) -> None:
    result = hikeshi("audit", "verify")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"Verified 1 incidents and {len(records)} action records: all intact.\n"
        "Verified the site log: 0 entries, intact.\n"
    )


def test_an_edited_record_is_named(
    hikeshi: Run, incident: Incident, records: list[ActionRecord]
) -> None:
    changed = records[3]
    _raw(f"UPDATE {TABLE} SET what = %s WHERE id = %s", ["何もしていない", changed.pk])
    result = hikeshi("audit", "verify")
    _names(result, incident, changed, changed.sequence)
    assert "content does not match its hash" in result.stderr


def test_a_deleted_middle_record_is_named_by_its_successor(
    hikeshi: Run, incident: Incident, records: list[ActionRecord]
) -> None:
    _raw(f"DELETE FROM {TABLE} WHERE id = %s", [records[2].pk])
    result = hikeshi("audit", "verify")
    successor = records[3]
    _names(result, incident, successor, successor.sequence)
    assert "a record was deleted or reordered" in result.stderr


def test_swapped_sequence_numbers_are_named(
    hikeshi: Run, incident: Incident, records: list[ActionRecord]
) -> None:
    first, second = records[2], records[3]
    # Three steps: the (incident, sequence) pair is unique at every moment.
    _raw(f"UPDATE {TABLE} SET sequence = %s WHERE id = %s", [1_000_000, first.pk])
    _raw(f"UPDATE {TABLE} SET sequence = %s WHERE id = %s", [first.sequence, second.pk])
    _raw(f"UPDATE {TABLE} SET sequence = %s WHERE id = %s", [second.sequence, first.pk])
    result = hikeshi("audit", "verify")
    _names(result, incident, first, second.sequence)


def test_only_the_broken_incident_is_reported(
    hikeshi: Run, site_admin: User, incident: Incident, records: list[ActionRecord]
) -> None:
    hikeshi("incident", "create", "--title", "別件", "--type", "virus_infection")
    _raw(f"UPDATE {TABLE} SET note = %s WHERE id = %s", ["改ざん", records[0].pk])
    result = hikeshi("audit", "verify")
    assert result.exit_code == 1
    assert result.stderr.count("broken chain at") == 1
    assert "1 of 2 incidents have a broken action-record chain" in result.stderr
