"""Two people editing one incident at once: the second gets a conflict, never a lost update."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction

from hikeshi.incidents.models import Incident
from hikeshi.incidents.services.errors import ConflictError
from hikeshi.incidents.services.incidents import IncidentInput, update_incident

TOKYO = ZoneInfo("Asia/Tokyo")


def _intake(incident: Incident, title: str) -> IncidentInput:
    return IncidentInput(
        title=title,
        detected_at=incident.detected_at,
        types=incident.types,
        what_happened=incident.what_happened,
    )


def test_sequential_stale_edit_is_refused(incident: Incident, lead: User, responder: User) -> None:
    version = incident.version
    update_incident(lead, incident.pk, version, _intake(incident, "A の編集"))
    with pytest.raises(ConflictError) as caught:
        update_incident(responder, incident.pk, version, _intake(incident, "B の編集"))
    assert caught.value.current == version + 1
    incident.refresh_from_db()
    assert incident.title == "A の編集"


def _blocked_on_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        row = cursor.fetchone()
    return bool(row and row[0])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_transactions_on_postgresql_conflict(
    incident: Incident, lead: User, responder: User
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL): SQLite serialises writers whole")
    version = incident.version
    first_holds_lock = threading.Event()
    let_first_commit = threading.Event()
    outcome: dict[str, object] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                update_incident(lead, incident.pk, version, _intake(incident, "A の編集"))
                first_holds_lock.set()
                let_first_commit.wait(timeout=20)
            outcome["first"] = "committed"
        except Exception as exc:  # the assertion below reports it
            outcome["first"] = exc
        finally:
            connection.close()

    def second() -> None:
        try:
            update_incident(responder, incident.pk, version, _intake(incident, "B の編集"))
            outcome["second"] = "committed"
        except Exception as exc:  # the assertion below reports it
            outcome["second"] = exc
        finally:
            connection.close()

    first_thread = threading.Thread(target=first)
    first_thread.start()
    assert first_holds_lock.wait(timeout=20)
    second_thread = threading.Thread(target=second)
    second_thread.start()
    # Wait until the second transaction really waits on the first one's row lock.
    deadline = time.monotonic() + 20
    while not _blocked_on_lock() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _blocked_on_lock(), "the second transaction never waited for the first"
    let_first_commit.set()
    first_thread.join(timeout=20)
    second_thread.join(timeout=20)

    assert outcome["first"] == "committed"
    assert isinstance(outcome["second"], ConflictError)
    incident.refresh_from_db()
    assert incident.title == "A の編集"
    assert incident.version == version + 1


def test_update_keeps_detected_time_zone_aware(incident: Incident, lead: User) -> None:
    data = replace(_intake(incident, "t"), detected_at=datetime(2026, 11, 21, 8, 0, tzinfo=TOKYO))
    updated = update_incident(lead, incident.pk, incident.version, data)
    assert updated.detected_at == datetime(2026, 11, 21, 8, 0, tzinfo=TOKYO)
