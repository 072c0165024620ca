"""Tampering behind hikeshi's back, with raw SQL, is detected: by the chain, the seals, the
coverage of events, members and checklist, and the signed checkpoints.

Each variant is what an insider with database access could do (some also with the seal key,
stolen from the data folder: then only the checkpoints, signed with a key the database never
sees, stand in the way). Run on SQLite, and on PostgreSQL with DATABASE_URL set.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Model
from django.utils import timezone
from typer.testing import CliRunner, Result

from hikeshi.cli import app
from hikeshi.incidents.audit import checkpoint_files, seal, signing
from hikeshi.incidents.audit.canonical import GENESIS
from hikeshi.incidents.audit.chain import compute_hash
from hikeshi.incidents.audit.checkpoints import compare_database, private_key, take_checkpoint
from hikeshi.incidents.audit.verify import site_log_findings, verify_all
from hikeshi.incidents.models import (
    ActionRecord,
    ChecklistItem,
    Incident,
    IncidentTypeTag,
    Membership,
    TimelineEvent,
)
from hikeshi.incidents.services.actions import ActionInput, append_action
from hikeshi.incidents.services.checklist import mark_done, mark_not_applicable
from hikeshi.incidents.services.incidents import IncidentInput, open_incident
from hikeshi.incidents.services.timeline import add_event
from hikeshi.incidents.services.timeline_import import import_csv
from hikeshi.sitelog.models import SiteLogEntry, SiteLogHead
from hikeshi.sitelog.services import SiteEventKind, record_site_event

TOKYO = timezone.get_fixed_timezone(9 * 60)
RECORDS = ActionRecord._meta.db_table
INCIDENTS = Incident._meta.db_table
EVENTS = TimelineEvent._meta.db_table
MEMBERS = Membership._meta.db_table
CHECKLIST = ChecklistItem._meta.db_table
CSV = (
    b"datetime,message,device\n"
    b"2026-11-20T01:00,VPN login maint01,UTM\n"
    b"2026-11-20T01:30,FS01 file renamed,FS01\n"
    b"2026-11-20T02:00,README_RESTORE.txt created,FS01\n"
)


def sql(statement: str, params: list[Any] | tuple[Any, ...] = ()) -> None:
    """Run SQL behind the application's back, as someone with database access would."""
    with connection.cursor() as cursor:
        cursor.execute(statement, list(params))


def _prepared(model: type[Model], values: dict[str, Any]) -> tuple[list[str], list[Any]]:
    """Return column names and values adapted for the database, as the ORM would send them."""
    columns, params = [], []
    for name, value in values.items():
        field = model._meta.get_field(name)
        columns.append(field.column)  # type: ignore[union-attr]  # concrete fields only
        params.append(field.get_db_prep_save(value, connection))  # type: ignore[union-attr]
    return columns, params


def insert(model: type[Model], **values: Any) -> int:
    """Insert a row with raw SQL; return its id."""
    columns, params = _prepared(model, values)
    table = model._meta.db_table
    marks = ", ".join(["%s"] * len(columns))
    sql(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", params)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {table}")
        row = cursor.fetchone()
    assert row is not None
    return int(row[0])


def update(model: type[Model], pk: int, **values: Any) -> None:
    """Update one row with raw SQL."""
    columns, params = _prepared(model, values)
    assignments = ", ".join(f"{column} = %s" for column in columns)
    sql(f"UPDATE {model._meta.db_table} SET {assignments} WHERE id = %s", [*params, pk])


def rechain(incident_id: int, *, with_seal_key: bool) -> None:
    """Recompute every hash, link and the anchor after an edit, as a careful forger would;
    with the (stolen) seal key, also every seal."""
    head, length = GENESIS, 0
    for record in ActionRecord.objects.filter(incident_id=incident_id).order_by("sequence"):
        record.prev_hash = head
        new_hash = compute_hash(record)
        values: dict[str, Any] = {"prev_hash": head, "record_hash": new_hash}
        if with_seal_key:
            values["seal"] = seal.record_seal(new_hash)
        update(ActionRecord, record.pk, **values)
        head, length = new_hash, record.sequence
    anchor: dict[str, Any] = {"audit_length": length, "audit_head": "" if not length else head}
    if with_seal_key:
        anchor["audit_seal"] = seal.anchor_seal(incident_id, length, anchor["audit_head"])
    update(Incident, incident_id, **anchor)


def forge_record(incident_id: int, *, with_seal_key: bool, **changes: Any) -> int:
    """Append a well-chained record with raw SQL; return its id."""
    incident = Incident.objects.get(pk=incident_id)
    now = timezone.now()
    record = ActionRecord(
        incident_id=incident_id,
        sequence=incident.audit_length + 1,
        actor_id=None,
        actor_name="system",
        performed_at=now,
        recorded_at=now,
        kind="manual",
        what="ログを確認（異常なし）",
        prev_hash=incident.audit_head or GENESIS,
        coverage={},
    )
    for name, value in changes.items():
        setattr(record, name, value)
    record.record_hash = compute_hash(record)
    record.seal = seal.record_seal(record.record_hash) if with_seal_key else "f" * 64
    fields = [f.name for f in ActionRecord._meta.concrete_fields if f.name != "id"]
    values = {name: getattr(record, name) for name in fields}
    values.update(
        incident=incident_id, actor=None, corrects=None
    )  # foreign keys by id, as the row holds them
    record_id = insert(ActionRecord, **values)
    anchor: dict[str, Any] = {"audit_length": record.sequence, "audit_head": record.record_hash}
    if with_seal_key:
        anchor["audit_seal"] = seal.anchor_seal(incident_id, record.sequence, record.record_hash)
    update(Incident, incident_id, **anchor)
    return record_id


@dataclass
class Scene:
    """An incident worked on, a checkpoint taken, then more work recorded after it."""

    incident: Incident
    other: Incident
    lead: User
    responder: User
    viewer: User
    outsider: User
    checkpoint: Path
    fixed: int  # the incident's records the checkpoint fixed
    import_record: ActionRecord
    imported: list[int]
    manual_event: TimelineEvent
    done_item: ChecklistItem
    na_item: ChecklistItem

    def record(self, sequence: int, incident: Incident | None = None) -> ActionRecord:
        """Return the record at ``sequence`` (of the main incident by default)."""
        return ActionRecord.objects.get(incident=incident or self.incident, sequence=sequence)

    def findings(self, *checkpoints: Path) -> list[str]:
        """Return every finding of the database checks and of the given checkpoints."""
        found = [f.describe() for _, fs in verify_all() for f in fs]
        found += [f.describe() for f in site_log_findings()]
        files = checkpoint_files.files_in(list(checkpoints or [self.checkpoint]))
        good, bad = checkpoint_files.load(files, private_key().public_key())
        found += [f.describe() for f in [*bad, *compare_database(good)]]
        return found


@pytest.fixture
def scene(incident: Incident, lead: User, responder: User, viewer: User, outsider: User) -> Scene:
    site_admin = User.objects.create_superuser("admin", "admin@example.org", "x" * 20)
    record_site_event(SiteEventKind.USER_CREATED, actor=site_admin, subject="responder")
    record_site_event(SiteEventKind.USER_CREATED, actor=site_admin, subject="viewer")
    manual = add_event(
        lead,
        incident.pk,
        occurred_at=datetime(2026, 11, 20, 9, 0, tzinfo=TOKYO),
        description="脅迫文 README_RESTORE.txt を発見",
        device="FS01",
    )
    report = import_csv(lead, incident, "fw.csv", [CSV])
    assert report.imported == 3, report.error
    import_record = ActionRecord.objects.get(incident=incident, kind="timeline.imported")
    done = incident.checklist.get(key="matrix:28")
    mark_done(
        lead,
        incident.pk,
        done.pk,
        performed_at=datetime(2026, 11, 20, 10, 15, tzinfo=TOKYO),
        scope="PC-01",
        settings="検体を隔離フォルダへ退避",
    )
    na = incident.checklist.get(key="matrix:1")
    mark_not_applicable(lead, incident.pk, na.pk, "プロキシは導入していない")
    append_action(incident.pk, responder, ActionInput(what="PC-01 を隔離", scope="PC-01"))
    other = open_incident(
        lead,
        IncidentInput(
            title="別件: 不審メール",
            detected_at=datetime(2026, 11, 21, 9, 0, tzinfo=TOKYO),
            types=["spoofed_email"],
        ),
    )
    checkpoint = take_checkpoint()
    incident.refresh_from_db()
    fixed = incident.audit_length
    for what in ("DHCP ログを確保", "バックアップ NAS を切り離し"):
        append_action(incident.pk, responder, ActionInput(what=what, scope="NAS01"))
    scene = Scene(
        incident=incident,
        other=other,
        lead=lead,
        responder=responder,
        viewer=viewer,
        outsider=outsider,
        checkpoint=checkpoint,
        fixed=fixed,
        import_record=import_record,
        imported=list(
            TimelineEvent.objects.filter(action=import_record).values_list("pk", flat=True)
        ),
        manual_event=manual,
        done_item=ChecklistItem.objects.get(pk=done.pk),
        na_item=ChecklistItem.objects.get(pk=na.pk),
    )
    assert scene.findings() == []
    return scene


def _edit_a_field(s: Scene) -> None:
    update(ActionRecord, s.record(3).pk, scope="PC-99")


def _edit_and_rechain_everything(s: Scene) -> None:
    update(ActionRecord, s.record(3).pk, scope="PC-99")
    rechain(s.incident.pk, with_seal_key=False)


def _edit_and_rechain_with_the_seal_key(s: Scene) -> None:
    update(ActionRecord, s.record(3).pk, scope="PC-99")
    rechain(s.incident.pk, with_seal_key=True)


def _back_date_a_record(s: Scene) -> None:
    update(ActionRecord, s.record(s.fixed + 1).pk, recorded_at=timezone.now() - timedelta(days=2))


def _append_a_back_dated_record_with_the_seal_key(s: Scene) -> None:
    taken = checkpoint_files.time_in_name(s.checkpoint.name)
    assert taken is not None
    forge_record(s.incident.pk, with_seal_key=True, recorded_at=taken - timedelta(minutes=5))


def _insert_a_record_in_the_middle(s: Scene) -> None:
    # Make room at #4 (highest first: the pair incident/sequence is unique), then re-chain.
    for record in ActionRecord.objects.filter(incident=s.incident, sequence__gte=4).order_by(
        "-sequence"
    ):
        update(ActionRecord, record.pk, sequence=record.sequence + 1)
    first = s.record(1)
    insert(
        ActionRecord,
        incident=s.incident.pk,
        sequence=4,
        actor=None,
        actor_name="system",
        performed_at=first.performed_at,
        recorded_at=first.recorded_at,
        kind="manual",
        what="初動で全 PC を隔離済み",
        scope="",
        settings_text="",
        note="",
        corrects=None,
        checklist_item_ref="",
        evidence_ref="",
        finding_ref="",
        prev_hash="",
        record_hash="pending",
        coverage={},
        seal="",
    )
    rechain(s.incident.pk, with_seal_key=True)


def _append_a_forged_record(s: Scene) -> None:
    forge_record(s.incident.pk, with_seal_key=False)


def _truncate_the_newest_records(s: Scene) -> None:
    keep = s.fixed - 1
    for record in ActionRecord.objects.filter(incident=s.incident, sequence__gt=keep):
        sql(f"UPDATE {EVENTS} SET action_id = NULL WHERE action_id = %s", [record.pk])
        sql(f"DELETE FROM {RECORDS} WHERE id = %s", [record.pk])
    head = s.record(keep).record_hash
    update(
        Incident,
        s.incident.pk,
        audit_length=keep,
        audit_head=head,
        audit_seal=seal.anchor_seal(s.incident.pk, keep, head),
    )


def _wipe_all_records(s: Scene) -> None:
    sql(f"UPDATE {EVENTS} SET action_id = NULL WHERE incident_id = %s", [s.incident.pk])
    sql(f"DELETE FROM {RECORDS} WHERE incident_id = %s", [s.incident.pk])
    update(Incident, s.incident.pk, audit_length=0, audit_head="", audit_seal="")


def _delete_the_incident(s: Scene) -> None:
    pk = s.incident.pk
    sql(
        "DELETE FROM incidents_checklistcomment WHERE item_id IN "
        f"(SELECT id FROM {CHECKLIST} WHERE incident_id = %s)",
        [pk],
    )
    for model in (TimelineEvent, ChecklistItem, Membership, IncidentTypeTag, ActionRecord):
        sql(f"DELETE FROM {model._meta.db_table} WHERE incident_id = %s", [pk])
    sql("DELETE FROM incidents_incidentcontact WHERE incident_id = %s", [pk])
    sql(f"DELETE FROM {INCIDENTS} WHERE id = %s", [pk])


def _swap_two_records(s: Scene) -> None:
    first, second = s.record(3), s.record(4)
    update(ActionRecord, first.pk, sequence=1_000_000)
    update(ActionRecord, second.pk, sequence=3)
    update(ActionRecord, first.pk, sequence=4)


def _move_a_record_to_another_incident(s: Scene) -> None:
    # Record #3 goes to the end of the other incident; the rest close the gap; both chains
    # are recomputed and resealed: each is consistent on its own.
    record = s.record(3)
    s.other.refresh_from_db()
    update(ActionRecord, record.pk, incident=s.other.pk, sequence=s.other.audit_length + 1)
    for later in ActionRecord.objects.filter(incident=s.incident, sequence__gt=3).order_by(
        "sequence"
    ):
        update(ActionRecord, later.pk, sequence=later.sequence - 1)
    rechain(s.incident.pk, with_seal_key=True)
    rechain(s.other.pk, with_seal_key=True)


def _make_an_outsider_lead(s: Scene) -> None:
    insert(Membership, incident=s.incident.pk, user=s.outsider.pk, role="lead", affiliation="")


def _change_a_role(s: Scene) -> None:
    sql(
        f"UPDATE {MEMBERS} SET role = 'lead' WHERE incident_id = %s AND user_id = %s",
        [s.incident.pk, s.viewer.pk],
    )


def _delete_a_membership(s: Scene) -> None:
    sql(
        f"DELETE FROM {MEMBERS} WHERE incident_id = %s AND user_id = %s",
        [s.incident.pk, s.responder.pk],
    )


def _edit_an_event(s: Scene) -> None:
    update(TimelineEvent, s.manual_event.pk, description="異常なし")


def _edit_an_imported_event_time(s: Scene) -> None:
    update(TimelineEvent, s.imported[1], occurred_at=datetime(2026, 11, 19, 1, 0, tzinfo=TOKYO))


def _insert_an_event(s: Scene) -> None:
    insert(
        TimelineEvent,
        incident=s.incident.pk,
        occurred_at=datetime(2026, 11, 19, 23, 0, tzinfo=TOKYO),
        precision="exact",
        source="manual",
        device="PC-02",
        description="外部業者が作業",
        created_by=s.lead.pk,
        created_at=timezone.now(),
        action=None,
    )


def _insert_an_event_into_an_import(s: Scene) -> None:
    insert(
        TimelineEvent,
        incident=s.incident.pk,
        occurred_at=datetime(2026, 11, 20, 1, 45, tzinfo=TOKYO),
        precision="exact",
        source="import:fw.csv",
        device="FS01",
        description="バックアップ完了",
        created_by=s.lead.pk,
        created_at=s.import_record.recorded_at,
        action=s.import_record.pk,
    )


def _delete_an_imported_event(s: Scene) -> None:
    sql(f"DELETE FROM {EVENTS} WHERE id = %s", [s.imported[0]])


def _move_an_event_to_another_incident(s: Scene) -> None:
    update(TimelineEvent, s.manual_event.pk, incident=s.other.pk)


def _forge_a_checklist_completion(s: Scene) -> None:
    item = s.incident.checklist.get(key="matrix:2")
    update(
        ChecklistItem,
        item.pk,
        status="done",
        performed_at=datetime(2026, 11, 20, 9, 40, tzinfo=TOKYO),
        scope="DHCP サーバ",
        settings_text="ログを退避",
    )


def _edit_a_completion_scope(s: Scene) -> None:
    update(ChecklistItem, s.done_item.pk, scope="全 PC")


def _edit_a_not_applicable_reason(s: Scene) -> None:
    update(ChecklistItem, s.na_item.pk, not_applicable_reason="後で確認する")


def _delete_a_checklist_item(s: Scene) -> None:
    sql(f"DELETE FROM {CHECKLIST} WHERE id = %s", [s.done_item.pk])


def _reset_the_incident_anchor(s: Scene) -> None:
    update(Incident, s.incident.pk, audit_length=3, audit_head=s.record(3).record_hash)


def _change_the_status(s: Scene) -> None:
    update(Incident, s.incident.pk, status="closed")


def _change_an_incident_type(s: Scene) -> None:
    sql(
        f"UPDATE {IncidentTypeTag._meta.db_table} SET code = 'virus_infection' "
        "WHERE incident_id = %s",
        [s.incident.pk],
    )


def _replace_a_seal(s: Scene) -> None:
    update(ActionRecord, s.record(2).pk, seal="0" * 64)


def _insert_an_incident_with_a_back_dated_history(s: Scene) -> None:
    created = s.record(1).recorded_at
    pk = insert(
        Incident,
        title="偽の案件",
        organisation="",
        commissioning_organisation="",
        detected_at=created,
        estimated_start=None,
        estimated_start_precision="about",
        reporter="",
        reporter_contact="",
        location="",
        what_happened="",
        assumed_cause="",
        affected_systems="",
        system_configuration="",
        time_zone="Asia/Tokyo",
        status="closed",
        is_incident=False,
        not_incident_reason="誤検知",
        urgency=None,
        impact=None,
        priority=9,
        triaged_at=None,
        is_demo=False,
        created_at=created,
        updated_at=created,
        version=1,
        audit_length=0,
        audit_head="",
        audit_seal="",
    )
    forge_record(pk, with_seal_key=True, recorded_at=created, performed_at=created)


def _truncate_the_site_log(s: Scene) -> None:
    newest = SiteLogEntry.objects.order_by("-sequence")[0]
    sql(f"DELETE FROM {SiteLogEntry._meta.db_table} WHERE id = %s", [newest.pk])
    sql(
        f"UPDATE {SiteLogHead._meta.db_table} SET length = %s, head = %s",
        [newest.sequence - 1, newest.prev_hash],
    )


VARIANTS: dict[str, tuple[Callable[[Scene], None], str]] = {
    "edit a field": (_edit_a_field, "content does not match its hash"),
    "edit and re-chain everything, anchor included": (
        _edit_and_rechain_everything,
        "its seal does not match",
    ),
    "edit and re-chain with the stolen seal key": (
        _edit_and_rechain_with_the_seal_key,
        "the history up to here was rewritten",
    ),
    "back-date a record": (_back_date_a_record, "content does not match its hash"),
    "append a back-dated record with the stolen seal key": (
        _append_a_back_dated_record_with_the_seal_key,
        "back-dated",
    ),
    "insert a record in the middle (seal key stolen)": (
        _insert_a_record_in_the_middle,
        "inserted",
    ),
    "append a forged record": (_append_a_forged_record, "its seal does not match"),
    "truncate the newest records (seal key stolen)": (
        _truncate_the_newest_records,
        "was deleted",
    ),
    "wipe all records": (_wipe_all_records, "no action records"),
    "delete the incident": (_delete_the_incident, "it was deleted"),
    "swap two records": (_swap_two_records, "expected sequence 3, found 4"),
    "move a record between incidents (seal key stolen)": (
        _move_a_record_to_another_incident,
        "rewritten",
    ),
    "make an outsider lead": (_make_an_outsider_lead, "members and roles"),
    "change a role": (_change_a_role, "members and roles"),
    "delete a membership": (_delete_a_membership, "members and roles"),
    "edit an event": (_edit_an_event, "timeline events it created differ"),
    "edit an imported event's time": (
        _edit_an_imported_event_time,
        "timeline events it created differ",
    ),
    "insert an event": (_insert_an_event, "covered by no action record"),
    "insert an event into an import": (
        _insert_an_event_into_an_import,
        "timeline events it created differ",
    ),
    "delete an imported event": (_delete_an_imported_event, "timeline events it created differ"),
    "move an event to another incident": (
        _move_an_event_to_another_incident,
        "did not create events in this incident",
    ),
    "forge a checklist completion": (_forge_a_checklist_completion, "the checklist"),
    "edit a completion's scope": (_edit_a_completion_scope, "the checklist"),
    "edit a not-applicable reason": (_edit_a_not_applicable_reason, "the checklist"),
    "delete a checklist item": (_delete_a_checklist_item, "the checklist"),
    "reset the incident's anchor": (_reset_the_incident_anchor, "anchor's seal"),
    "change the status": (_change_the_status, "record items"),
    "change an incident type": (_change_an_incident_type, "record items"),
    "replace a seal": (_replace_a_seal, "its seal does not match"),
    "insert an incident with a back-dated history (seal key stolen)": (
        _insert_an_incident_with_a_back_dated_history,
        "inserted with a back-dated history",
    ),
    "truncate the site log after the checkpoint": (_truncate_the_site_log, "site log"),
}


@pytest.mark.parametrize("name", list(VARIANTS))
def test_tampering_is_detected(scene: Scene, name: str) -> None:
    tamper, expected = VARIANTS[name]
    tamper(scene)
    found = scene.findings()
    assert any(expected in line for line in found), f"{name}: {found}"


def test_a_rewrite_with_the_seal_key_is_caught_by_the_checkpoint_alone(scene: Scene) -> None:
    _edit_and_rechain_with_the_seal_key(scene)
    database_only = [f.describe() for _, fs in verify_all() for f in fs]
    assert database_only == []
    (finding,) = [line for line in scene.findings() if "rewritten" in line]
    assert finding.startswith(f"incident {scene.incident.pk}, action record #{scene.fixed} ")


def test_an_edited_checkpoint_fails_its_signature(scene: Scene) -> None:
    document = json.loads(scene.checkpoint.read_text(encoding="utf-8"))
    document["statement"]["incidents"][0]["length"] = 2
    scene.checkpoint.write_text(json.dumps(document), encoding="utf-8")
    found = scene.findings()
    assert found == [
        f"{scene.checkpoint.name}: the signature does not verify: the file was "
        "changed after signing"
    ]


def test_a_checkpoint_signed_with_another_key_is_refused(scene: Scene, tmp_path: Path) -> None:
    other = signing.load_private_key(signing.new_private_key_pem(), "test key")
    forged = checkpoint_files.statement(
        timezone.now(), other.public_key(), {}, checkpoint_files.ChainHead(0, ""), "forged"
    )
    path = tmp_path / checkpoint_files.file_name(timezone.now())
    path.write_bytes(checkpoint_files.render(forged, other))
    (found,) = scene.findings(path)
    assert "signed by another key" in found


def test_a_checkpoint_deleted_between_two_others_changes_nothing(scene: Scene) -> None:
    middle = take_checkpoint()
    append_action(scene.incident.pk, scene.lead, ActionInput(what="EDR を導入"))
    newest = take_checkpoint()
    middle.unlink()
    assert scene.findings(scene.checkpoint, newest) == []


def test_an_older_checkpoint_contradicting_the_chain_is_detected(scene: Scene) -> None:
    # Rewritten with the stolen seal key, then a new checkpoint taken of the forgery: the
    # newest checkpoint agrees with the database, the older one does not.
    _edit_and_rechain_with_the_seal_key(scene)
    newest = take_checkpoint()
    assert scene.findings(newest) == []
    found = scene.findings(scene.checkpoint, newest)
    assert any(scene.checkpoint.name in line and "rewritten" in line for line in found), found


def hikeshi(*args: str) -> Result:
    """Return the result of running `hikeshi ARGS...` in-process."""
    return CliRunner().invoke(app, list(args))


def test_the_command_names_incident_sequence_and_problem_and_exits_1(scene: Scene) -> None:
    _append_a_back_dated_record_with_the_seal_key(scene)
    result = hikeshi("audit", "verify", "--checkpoint", str(scene.checkpoint.parent))
    assert result.exit_code == 1
    forged = scene.fixed + 3
    line = next(line for line in result.stderr.splitlines() if "back-dated" in line)
    assert line.startswith(f"Error: incident {scene.incident.pk}, action record #{forged} (id ")
    assert "Traceback" not in result.output


def test_an_intact_database_verifies_against_its_checkpoints(scene: Scene) -> None:
    result = hikeshi("audit", "verify", "--checkpoint", str(scene.checkpoint))
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith(
        "Checked against 1 checkpoints: nothing was changed after them.\n"
    )


def test_a_site_log_rewritten_then_appended_to_is_caught_by_the_checkpoint(scene: Scene) -> None:
    from hikeshi.sitelog.audit import GENESIS as SITE_GENESIS
    from hikeshi.sitelog.audit import compute_hash as site_hash

    table = SiteLogEntry._meta.db_table
    first = SiteLogEntry.objects.order_by("sequence")[0]
    sql(f"UPDATE {table} SET subject = %s WHERE id = %s", ["someone-else", first.pk])
    previous = SITE_GENESIS
    for entry in SiteLogEntry.objects.order_by("sequence"):
        entry.prev_hash = previous
        previous = site_hash(entry)
        sql(
            f"UPDATE {table} SET prev_hash = %s, record_hash = %s WHERE id = %s",
            [entry.prev_hash, previous, entry.pk],
        )
    length = SiteLogEntry.objects.count()
    sql(f"UPDATE {SiteLogHead._meta.db_table} SET length = %s, head = %s", [length, previous])
    # Legitimate work after the rewrite: the log is longer than the checkpoint now.
    record_site_event(SiteEventKind.USER_CREATED, actor=None, subject="newcomer")

    found = scene.findings()
    assert any(line.startswith("site log:") and "rewritten" in line for line in found), found
