"""The checklist: generated per type, done only with when/scope/settings, regenerated safely."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User

from hikeshi.guidance.checklist import checklist_steps
from hikeshi.guidance.knowledge import knowledge_base
from hikeshi.incidents.models import ActionRecord, ChecklistItem, Incident
from hikeshi.incidents.models.checklist import ItemStatus
from hikeshi.incidents.selectors import checklist as selectors
from hikeshi.incidents.selectors.timeline import latest
from hikeshi.incidents.services import checklist
from hikeshi.incidents.services.errors import InvalidInput
from hikeshi.incidents.services.incidents import IncidentInput, open_incident, update_incident

TOKYO = ZoneInfo("Asia/Tokyo")
AT = datetime(2026, 11, 20, 10, 15, tzinfo=TOKYO)


def _keys(incident: Incident) -> set[str]:
    return set(incident.checklist.values_list("key", flat=True))


def _item(incident: Incident, key: str) -> ChecklistItem:
    return incident.checklist.get(key=key)


def test_a_ransomware_incident_gets_the_ransomware_matrix_items(incident: Incident) -> None:
    keys = _keys(incident)
    assert {"matrix:28", "matrix:50", "matrix:51"} <= keys
    assert "matrix:49" not in keys  # online banking belongs to banking fraud
    assert "flow:flow.reporting.ransomware.never_pay" in keys
    assert "procedure:sme.ransomware.recovery.decryptor" in keys


@pytest.mark.parametrize(
    ("incident_type", "present", "absent"),
    [
        ("apt", {"matrix:41", "matrix:57"}, {"matrix:50"}),
        ("banking_fraud", {"matrix:49"}, {"matrix:41"}),
        ("insider", {"matrix:68", "matrix:69"}, {"matrix:28"}),
        ("system_outage", {"procedure:sme.system_outage.detection.keep_running"}, {"matrix:1"}),
    ],
)
def test_each_type_draws_its_own_items(
    lead: User, incident_type: str, present: set[str], absent: set[str]
) -> None:
    opened = open_incident(lead, IncidentInput(title="t", detected_at=AT, types=[incident_type]))
    keys = _keys(opened)
    missing = {k for k in present if not any(key.startswith(k) for key in keys)}
    assert not missing, f"{incident_type}: expected {missing}"
    assert not (absent & keys)


def test_an_item_asked_by_two_types_appears_once_and_required_wins(lead: User) -> None:
    opened = open_incident(
        lead, IncidentInput(title="t", detected_at=AT, types=["apt", "ransomware"])
    )
    keys = list(opened.checklist.values_list("key", flat=True))
    assert len(keys) == len(set(keys))
    # Item 4 (block C2) is ○ for APT and △ for ransomware.
    assert _item(opened, "matrix:4").requirement == "required"


def test_conditional_items_carry_their_condition() -> None:
    steps = checklist_steps(knowledge_base(), ["ransomware"])
    conditional = [s for s in steps if s.requirement == "conditional" and s.source == "matrix"]
    assert conditional
    assert all(s.condition is not None for s in conditional)


def test_items_come_in_phase_order(incident: Incident) -> None:
    order = ["initial", "scope", "prevention", "reporting", "recovery"]
    phases = list(incident.checklist.order_by("position").values_list("phase", flat=True))
    assert phases == sorted(phases, key=order.index)


def test_done_requires_when_scope_and_settings(incident: Incident, responder: User) -> None:
    item = _item(incident, "matrix:28")
    for missing in ("performed_at", "scope", "settings"):
        values = {"performed_at": AT, "scope": "PC-01", "settings": "隔離フォルダへ移動"}
        values[missing] = None if missing == "performed_at" else "  "
        with pytest.raises(InvalidInput) as caught:
            checklist.mark_done(responder, incident.pk, item.pk, **values)  # type: ignore[arg-type]
        assert caught.value.field == missing
    item.refresh_from_db()
    assert item.status == ItemStatus.TODO


def test_done_creates_the_action_record_and_timeline_entry(
    incident: Incident, responder: User
) -> None:
    item = _item(incident, "matrix:28")
    checklist.mark_done(
        responder,
        incident.pk,
        item.pk,
        performed_at=AT,
        scope="PC-01",
        settings="検体を ZIP (パスワード付き) で退避",
    )
    item.refresh_from_db()
    assert item.status == ItemStatus.DONE
    record = ActionRecord.objects.get(incident=incident, checklist_item_ref="matrix:28")
    assert record.performed_at == AT
    assert record.scope == "PC-01"
    assert "マルウェアは削除せず隔離" in record.what
    assert any(e.action_id == record.pk for e in latest(incident.pk, 50))


def test_not_applicable_needs_a_reason(incident: Incident, responder: User) -> None:
    item = _item(incident, "matrix:74")
    with pytest.raises(InvalidInput):
        checklist.mark_not_applicable(responder, incident.pk, item.pk, " ")
    checklist.mark_not_applicable(responder, incident.pk, item.pk, "被害届は別途検討済み")
    item.refresh_from_db()
    assert item.status == ItemStatus.NOT_APPLICABLE


def test_regeneration_keeps_work_when_types_change(
    incident: Incident, lead: User, responder: User
) -> None:
    worked = _item(incident, "matrix:50")
    checklist.mark_done(
        responder, incident.pk, worked.pk, performed_at=AT, scope="FS-01", settings="脅迫文を退避"
    )
    untouched_ransomware_only = "matrix:51"
    assert untouched_ransomware_only in _keys(incident)
    incident.refresh_from_db()
    data = IncidentInput(title=incident.title, detected_at=incident.detected_at, types=["apt"])
    update_incident(lead, incident.pk, incident.version, data)
    incident.refresh_from_db()
    keys = _keys(incident)
    assert "matrix:41" in keys  # APT items arrived
    assert untouched_ransomware_only not in keys  # untouched item that no longer applies left
    kept = _item(incident, "matrix:50")
    assert kept.status == ItemStatus.DONE and not kept.applies
    assert kept.scope == "FS-01"


def test_assignee_must_be_a_writer_of_the_incident(
    incident: Incident, viewer: User, responder: User, outsider: User
) -> None:
    item = _item(incident, "matrix:28")
    for person in (viewer, outsider):
        with pytest.raises(InvalidInput):
            checklist.assign(responder, incident.pk, item.pk, person)
    checklist.assign(responder, incident.pk, item.pk, responder)
    item.refresh_from_db()
    assert item.assignee == responder


def test_progress_counts_closed_items_per_phase(incident: Incident, responder: User) -> None:
    before = {p.phase: p for p in selectors.progress(incident)}
    item = _item(incident, "matrix:28")
    checklist.mark_done(
        responder, incident.pk, item.pk, performed_at=AT, scope="PC-01", settings="退避"
    )
    after = {p.phase: p for p in selectors.progress(incident)}
    assert after["initial"].closed == before["initial"].closed + 1
    assert after["initial"].required_open == before["initial"].required_open - 1


def test_an_incident_without_a_type_still_gets_the_first_steps(lead: User) -> None:
    opened = open_incident(lead, IncidentInput(title="不明な事象", detected_at=AT, types=[]))
    keys = _keys(opened)
    assert "procedure:sme.basic.detection.report_to_security_lead" in keys
    assert "flow:flow.detection.intake.confirm_report" in keys
    assert not any(key.startswith("matrix:") for key in keys)
