"""What each record vouches for: the events it created, and the state it left behind."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.contrib.auth.models import User
from tests.conftest import TOKYO

from hikeshi.incidents.audit.canonical import rows_digest
from hikeshi.incidents.audit.coverage import link_events, state_digest, unlinked_event_rows
from hikeshi.incidents.audit.rows import CHECKLIST, EVENTS, INCIDENT, MEMBERS
from hikeshi.incidents.audit.verify import verify_incident
from hikeshi.incidents.models import ActionRecord, ChecklistItem, Incident, TimelineEvent
from hikeshi.incidents.services.actions import ActionInput, append_action
from hikeshi.incidents.services.checklist import regenerate
from hikeshi.incidents.services.incidents import set_membership
from hikeshi.incidents.vocabulary import Role


def _events(incident: Incident, actor: User, count: int) -> list[int]:
    """Create uncovered events directly (as an import does before its record); return ids."""
    made = TimelineEvent.objects.bulk_create(
        TimelineEvent(
            incident=incident,
            occurred_at=datetime(2026, 11, 20, 1, n % 60, tzinfo=TOKYO),
            description=f"event {n}",
            created_by=actor,
        )
        for n in range(count)
    )
    return [event.pk for event in made]


def test_each_kind_of_change_carries_the_digest_of_what_it_changed(
    incident: Incident, lead: User, outsider: User
) -> None:
    kinds = dict(ActionRecord.objects.filter(incident=incident).values_list("kind", "coverage"))
    assert set(kinds["incident.opened"]) == {INCIDENT, MEMBERS}
    assert set(kinds["checklist.generated"]) == {CHECKLIST}
    set_membership(lead, incident.pk, outsider, Role.VIEWER)
    newest = ActionRecord.objects.filter(incident=incident).latest("sequence")
    assert newest.coverage == {MEMBERS: state_digest(MEMBERS, incident.pk)}
    plain = append_action(incident.pk, lead, ActionInput(what="電話で報告"))
    assert plain.coverage == {}


def test_an_unknown_scope_is_a_programming_error(incident: Incident, lead: User) -> None:
    with pytest.raises(ValueError, match="unknown coverage scope"):
        append_action(incident.pk, lead, ActionInput(what="x"), covers=["contacts"])


def test_an_import_record_covers_exactly_its_events(incident: Incident, lead: User) -> None:
    ids = _events(incident, lead, 120)
    expected = rows_digest(unlinked_event_rows(incident.pk, ids))
    record = append_action(incident.pk, lead, ActionInput(what="取り込み"), events=ids)
    assert record.coverage == {EVENTS: expected}
    assert set(TimelineEvent.objects.filter(action=record).values_list("pk", flat=True)) == set(ids)
    incident.refresh_from_db()
    assert verify_incident(incident) == []


def test_scattered_ids_fall_back_to_lists_and_cover_only_their_own(
    incident: Incident, lead: User
) -> None:
    ids = _events(incident, lead, 130)
    ours, theirs = ids[::2], ids[1::2]  # 65 runs of one id: more than the ranges allowed
    record = append_action(incident.pk, lead, ActionInput(what="取り込み"), events=ours)
    linked = set(TimelineEvent.objects.filter(action=record).values_list("pk", flat=True))
    assert linked == set(ours)
    assert not TimelineEvent.objects.filter(pk__in=theirs, action__isnull=False).exists()


def test_an_uncovered_row_inside_the_range_is_not_adopted(incident: Incident, lead: User) -> None:
    first, middle, last = _events(incident, lead, 3)
    rows = unlinked_event_rows(incident.pk, [first, last])
    assert [row["description"] for row in rows] == ["event 0", "event 2"]
    record = append_action(incident.pk, lead, ActionInput(what="x"), events=[first, last])
    assert TimelineEvent.objects.get(pk=middle).action_id is None
    link_events(incident.pk, [], record.pk)  # nothing to link: nothing changes
    incident.refresh_from_db()
    problems = [p.describe() for p in verify_incident(incident)]
    assert problems == [
        f"incident {incident.pk}, timeline event {middle}: is covered by no action record "
        "(inserted outside hikeshi)"
    ]


def test_events_of_another_incident_cannot_be_covered(incident: Incident, lead: User) -> None:
    stray = _events(incident, lead, 1)
    TimelineEvent.objects.filter(pk__in=stray).update(action=ActionRecord.objects.first())
    with pytest.raises(ValueError, match="not yet covered"):
        append_action(incident.pk, lead, ActionInput(what="x"), events=stray)


def test_a_regeneration_that_only_moves_items_is_recorded(incident: Incident, lead: User) -> None:
    item = ChecklistItem.objects.filter(incident=incident).order_by("position").first()
    assert item is not None
    before = incident.actions.count()
    ChecklistItem.objects.filter(pk=item.pk).update(position=9999)
    regenerate(lead, incident.pk)
    newest = ActionRecord.objects.filter(incident=incident).latest("sequence")
    assert incident.actions.count() == before + 1
    assert newest.kind == "checklist.generated"
    incident.refresh_from_db()
    assert verify_incident(incident) == []
    regenerate(lead, incident.pk)
    assert incident.actions.count() == before + 1  # nothing changed: nothing recorded
