"""Migration 0005 brings an existing database under coverage and seals; it still verifies."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from tests.conftest import TOKYO

from hikeshi.incidents.audit.canonical import GENESIS, instant, sha256_hex
from hikeshi.incidents.audit.verify import verify_incident
from hikeshi.incidents.models import ActionRecord, Incident, Membership, TimelineEvent
from hikeshi.incidents.services.actions import ActionInput, append_action

BEFORE = ("incidents", "0004_type_names")
AFTER = ("incidents", "0005_audit_coverage")
OPENED = datetime(2026, 11, 20, 9, 30, tzinfo=TOKYO)


def _migrate(target: tuple[str, str]) -> Apps:
    """Migrate the incidents app to ``target``; return the historical apps there."""
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    executor.loader.build_graph()
    return executor.loader.project_state([target]).apps


@pytest.fixture
def old_schema(transactional_db: None) -> Iterator[Apps]:
    """The database as it was before 0005; afterwards, migrated to the newest state again."""
    try:
        yield _migrate(BEFORE)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def _old_record(apps: Apps, incident: Any, actor: Any, what: str) -> Any:
    """Append a record as the code before 0005 did: sixteen hashed fields, no seal."""
    model = apps.get_model("incidents", "ActionRecord")
    sequence = incident.audit_length + 1
    at = OPENED + timedelta(minutes=sequence)
    content = {
        "incident": incident.pk,
        "sequence": sequence,
        "actor": actor.pk,
        "actor_name": actor.username,
        "performed_at": instant(at),
        "recorded_at": instant(at),
        "kind": "manual",
        "what": what,
        "scope": "",
        "settings": "",
        "note": "",
        "corrects": None,
        "checklist_item": "",
        "evidence": "",
        "finding": "",
        "prev_hash": incident.audit_head or GENESIS,
    }
    record = model.objects.create(
        incident_id=incident.pk,
        sequence=sequence,
        actor_id=actor.pk,
        actor_name=actor.username,
        performed_at=at,
        recorded_at=at,
        what=content["what"],
        prev_hash=content["prev_hash"],
        record_hash=sha256_hex(content),
    )
    incident.audit_length, incident.audit_head = sequence, record.record_hash
    incident.save(update_fields=["audit_length", "audit_head"])
    return record


def _old_incident(apps: Apps, actor: Any, title: str) -> Any:
    incident = apps.get_model("incidents", "Incident").objects.create(
        title=title, detected_at=OPENED
    )
    apps.get_model("incidents", "IncidentTypeTag").objects.create(
        incident=incident, code="ransomware"
    )
    apps.get_model("incidents", "Membership").objects.create(
        incident=incident, user=actor, role="lead"
    )
    apps.get_model("incidents", "ChecklistItem").objects.create(
        incident=incident,
        key="matrix:28",
        phase="initial",
        group="PC",
        requirement="required",
        position=1,
        status="done",
        performed_at=OPENED,
        scope="PC-01",
        settings_text="隔離",
    )
    apps.get_model("incidents", "TimelineEvent").objects.create(
        incident=incident, occurred_at=OPENED, description="脅迫文を発見", created_by=actor
    )
    for what in ("インシデントを起票", "PC-01 を隔離", "ログを保全"):
        _old_record(apps, incident, actor, what)
    return incident


def test_an_existing_database_verifies_after_migrating(old_schema: Apps) -> None:
    actor = old_schema.get_model("auth", "User").objects.create(username="sato")
    intact = _old_incident(old_schema, actor, "既存の案件")
    tampered = _old_incident(old_schema, actor, "改ざん済みの案件")
    old_schema.get_model("incidents", "ActionRecord").objects.filter(
        incident_id=tampered.pk, sequence=2
    ).update(what="何もしていない")

    _migrate(AFTER)

    incident = Incident.objects.get(pk=intact.pk)
    baseline = ActionRecord.objects.get(incident=incident, sequence=4)
    assert baseline.kind == "audit.coverage_started"
    assert baseline.settings_text == ("events=1; members=1; checklist_items=1; chain_before=intact")
    assert set(baseline.coverage) == {"incident", "members", "checklist", "events"}
    assert list(
        TimelineEvent.objects.filter(incident=incident).values_list("action", flat=True)
    ) == [baseline.pk]
    assert verify_incident(incident) == []
    # The migration vouches for what exists from then on: later changes show.
    Membership.objects.filter(incident=incident).update(role="viewer")
    assert "members and roles" in verify_incident(incident)[0].reason
    # A chain broken before the upgrade stays broken, and its baseline record says so.
    broken = Incident.objects.get(pk=tampered.pk)
    note = ActionRecord.objects.get(incident=broken, sequence=4).settings_text
    assert "chain_before=BROKEN: " in note
    assert "content does not match its hash" in verify_incident(broken)[0].reason


def test_migrating_back_removes_the_baselines_until_something_was_recorded(
    old_schema: Apps,
) -> None:
    actor = old_schema.get_model("auth", "User").objects.create(username="sato")
    created = _old_incident(old_schema, actor, "既存の案件")
    head_before = created.audit_head

    _migrate(AFTER)
    old = _migrate(BEFORE)

    incident = old.get_model("incidents", "Incident").objects.get(pk=created.pk)
    assert (incident.audit_length, incident.audit_head) == (3, head_before)

    _migrate(AFTER)
    append_action(created.pk, None, ActionInput(what="新しい記録"))
    with pytest.raises(RuntimeError, match="written after the upgrade"):
        _migrate(BEFORE)
