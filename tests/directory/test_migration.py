"""The contacts moved from the incidents app without touching their tables: an existing
database migrates forward (and back) with its contacts intact and readable."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from django.apps.registry import Apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from tests.conftest import TOKYO

from hikeshi.directory.models import DeploymentContact, IncidentContact
from hikeshi.directory.selectors import chosen_contacts

# Before the move: the contacts still in the incidents app, no directory app yet.
Targets = list[tuple[str, str | None]]
BEFORE: Targets = [("incidents", "0006_action_kind_choices"), ("directory", None)]
MOVED: Targets = [("incidents", "0007_contacts_to_directory")]


def _state(loader: MigrationLoader, targets: Targets) -> Apps:
    """Return the historical apps at ``targets`` (an app migrated to None has no models)."""
    return loader.project_state([(app, name) for app, name in targets if name]).apps


def _migrate(targets: Targets) -> Apps:
    """Migrate to ``targets``; return the historical apps there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return _state(executor.loader, targets)


@pytest.fixture
def before_the_move(transactional_db: None) -> Iterator[Apps]:
    """The database as it was before the move; afterwards, the newest state again."""
    try:
        yield _migrate(BEFORE)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def _old_contacts(apps: Apps) -> tuple[int, int, int]:
    """Create an incident with a guidance and a deployment contact as the old code did."""
    actor = apps.get_model("auth", "User").objects.create(username="sato")
    incident = apps.get_model("incidents", "Incident").objects.create(
        title="既存の案件", detected_at=datetime(2026, 11, 20, 9, 30, tzinfo=TOKYO)
    )
    vendor = apps.get_model("incidents", "DeploymentContact").objects.create(
        kind="system_vendor", name="サンプル保守センター", phone="0120-000-000", created_by=actor
    )
    chosen = apps.get_model("incidents", "IncidentContact")
    chosen.objects.create(
        incident=incident, guidance_contact="jpcert_incident_response", added_by=actor
    )
    chosen.objects.create(
        incident=incident, deployment_contact=vendor, reason="FS01 の復旧依頼", added_by=actor
    )
    return incident.pk, vendor.pk, actor.pk


def test_the_state_moves_and_the_tables_stay() -> None:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    before, after = _state(loader, BEFORE), _state(loader, MOVED)

    with pytest.raises(LookupError):
        before.get_model("directory", "IncidentContact")
    with pytest.raises(LookupError):
        after.get_model("incidents", "IncidentContact")
    for name in ("DeploymentContact", "IncidentContact"):
        old = before.get_model("incidents", name)._meta
        new = after.get_model("directory", name)._meta
        assert new.db_table == old.db_table
        assert [f.column for f in new.concrete_fields] == [f.column for f in old.concrete_fields]


def test_an_existing_database_keeps_its_contacts(before_the_move: Apps) -> None:
    incident_id, vendor_id, actor_id = _old_contacts(before_the_move)

    _migrate(MOVED)

    vendor = DeploymentContact.objects.get(pk=vendor_id)
    assert (vendor.name, vendor.created_by_id) == ("サンプル保守センター", actor_id)
    stored = IncidentContact.objects.filter(incident_id=incident_id).order_by("pk")
    assert [(c.guidance_contact, c.deployment_contact_id) for c in stored] == [
        ("jpcert_incident_response", None),
        ("", vendor_id),
    ]
    cards = chosen_contacts(incident_id, "ja")
    assert [c.card.key for c in cards] == [
        "guidance:jpcert_incident_response",
        f"deployment:{vendor_id}",
    ]
    assert cards[1].reason == "FS01 の復旧依頼"
    # Contacts added after the move go to the same tables.
    IncidentContact.objects.create(
        incident_id=incident_id,
        guidance_contact="ipa_virus_intrusion_notification",
        added_by_id=actor_id,
    )
    assert IncidentContact.objects.filter(incident_id=incident_id).count() == 3


def test_the_content_types_move_both_ways(before_the_move: Apps) -> None:
    # Admin permissions and log entries point at the content type: it moves, keeping its id.
    moved = ContentType.objects.filter(model="deploymentcontact")
    before = moved.get(app_label="incidents").pk
    assert not moved.filter(app_label="directory").exists()

    _migrate(MOVED)
    ContentType.objects.clear_cache()
    assert ContentType.objects.get_for_model(DeploymentContact).pk == before

    _migrate(BEFORE)
    assert moved.get(app_label="incidents").pk == before
    ContentType.objects.clear_cache()
