"""The action-record chain: append-only in code, tamper-evident in the database."""

from __future__ import annotations

from itertools import pairwise

import pytest
from django.contrib.auth.models import User
from django.db import connection

from hikeshi.incidents.audit.canonical import GENESIS
from hikeshi.incidents.audit.chain import compute_hash
from hikeshi.incidents.audit.findings import Finding
from hikeshi.incidents.audit.verify import verify_all, verify_incident
from hikeshi.incidents.models import ActionRecord, Incident
from hikeshi.incidents.models.action import AppendOnlyError
from hikeshi.incidents.services.actions import ActionInput, append_action


def _record_three(incident: Incident, lead: User) -> list[ActionRecord]:
    for what in ("PC-01 をネットワークから隔離", "プロキシログを退避", "DHCP ログを確保"):
        append_action(incident.pk, lead, ActionInput(what=what, scope="PC-01", settings="LAN 抜線"))
    return list(ActionRecord.objects.filter(incident=incident).order_by("sequence"))


def _raw(sql: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _first_problem(incident: Incident) -> Finding:
    incident.refresh_from_db()
    problems = verify_incident(incident)
    assert problems, "the change went unnoticed"
    return problems[0]


def test_each_record_links_to_the_previous_hash(incident: Incident, lead: User) -> None:
    records = _record_three(incident, lead)
    assert records[0].prev_hash == GENESIS
    for earlier, later in pairwise(records):
        assert later.prev_hash == earlier.record_hash
        assert later.sequence == earlier.sequence + 1
    assert all(compute_hash(r) == r.record_hash for r in records)
    incident.refresh_from_db()
    assert incident.audit_head == records[-1].record_hash


def test_intact_chain_verifies(incident: Incident, lead: User) -> None:
    _record_three(incident, lead)
    incident.refresh_from_db()
    assert verify_incident(incident) == []
    assert all(problems == [] for _, problems in verify_all())


def test_saving_an_existing_record_is_refused(incident: Incident, lead: User) -> None:
    record = _record_three(incident, lead)[1]
    record.what = "changed"
    with pytest.raises(AppendOnlyError):
        record.save()
    with pytest.raises(AppendOnlyError):
        record.delete()


def test_bulk_update_and_delete_are_refused(incident: Incident, lead: User) -> None:
    _record_three(incident, lead)
    with pytest.raises(AppendOnlyError):
        ActionRecord.objects.filter(incident=incident).update(what="x")
    with pytest.raises(AppendOnlyError):
        ActionRecord.objects.filter(incident=incident).delete()


def test_raw_sql_edit_is_detected_naming_the_record(incident: Incident, lead: User) -> None:
    records = _record_three(incident, lead)
    target = records[2]
    _raw("UPDATE incidents_actionrecord SET scope = %s WHERE id = %s", ["PC-02", target.pk])
    problem = _first_problem(incident)
    assert problem.record_id == target.pk
    assert problem.sequence == target.sequence
    assert "changed" in problem.describe()


def test_raw_sql_delete_of_a_middle_record_is_detected(incident: Incident, lead: User) -> None:
    records = _record_three(incident, lead)
    _raw("DELETE FROM incidents_actionrecord WHERE id = %s", [records[1].pk])
    problem = _first_problem(incident)
    assert problem.record_id == records[2].pk
    assert "deleted or reordered" in problem.reason


def test_raw_sql_delete_of_the_newest_record_is_detected(incident: Incident, lead: User) -> None:
    records = _record_three(incident, lead)
    _raw("DELETE FROM incidents_actionrecord WHERE id = %s", [records[-1].pk])
    problem = _first_problem(incident)
    assert "at the end" in problem.reason


def test_reordering_records_is_detected(incident: Incident, lead: User) -> None:
    records = _record_three(incident, lead)
    first, second = records[1], records[2]
    # Swap the sequence numbers through a free value (the pair is unique).
    _raw("UPDATE incidents_actionrecord SET sequence = 9999 WHERE id = %s", [first.pk])
    swap = "UPDATE incidents_actionrecord SET sequence = %s WHERE id = %s"
    _raw(swap, [first.sequence, second.pk])
    _raw(swap, [second.sequence, first.pk])
    problem = _first_problem(incident)
    assert problem.record_id == first.pk


def test_a_correction_is_a_new_record_pointing_at_the_original(
    incident: Incident, lead: User
) -> None:
    original = _record_three(incident, lead)[-3]
    correction = append_action(
        incident.pk,
        lead,
        ActionInput(what="範囲の訂正", scope="PC-01, PC-03", corrects_id=original.pk),
    )
    assert correction.corrects_id == original.pk
    original.refresh_from_db()
    assert original.scope == "PC-01"
    incident.refresh_from_db()
    assert verify_incident(incident) == []
