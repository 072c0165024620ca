"""A checkpoint waits for appends in flight: a record recorded before it is always in it."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction

from hikeshi.incidents.audit import checkpoint_files
from hikeshi.incidents.audit.checkpoints import compare_database, private_key, take_checkpoint
from hikeshi.incidents.models import Incident
from hikeshi.incidents.services.actions import ActionInput, append_action


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
def test_a_checkpoint_taken_during_an_append_includes_it(incident: Incident, lead: User) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL): SQLite serialises writers whole")
    appended = threading.Event()
    let_commit = threading.Event()
    outcome: dict[str, object] = {}

    def append() -> None:
        try:
            with transaction.atomic():
                append_action(incident.pk, lead, ActionInput(what="PC-01 を隔離"))
                appended.set()
                let_commit.wait(timeout=20)
        except Exception as exc:  # the assertion below reports it
            outcome["append"] = exc
        finally:
            connection.close()

    def checkpoint() -> None:
        try:
            outcome["checkpoint"] = take_checkpoint()
        except Exception as exc:  # the assertion below reports it
            outcome["checkpoint"] = exc
        finally:
            connection.close()

    private_key()  # generated here, not by the thread
    appender = threading.Thread(target=append)
    appender.start()
    assert appended.wait(timeout=20)
    taker = threading.Thread(target=checkpoint)
    taker.start()
    deadline = time.monotonic() + 20
    while not _blocked_on_lock() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _blocked_on_lock(), "the checkpoint did not wait for the append in flight"
    let_commit.set()
    appender.join(timeout=20)
    taker.join(timeout=20)

    path = outcome["checkpoint"]
    assert isinstance(path, Path), outcome
    incident.refresh_from_db()
    files = checkpoint_files.files_in([path])
    (taken,), bad = checkpoint_files.load(files, private_key().public_key())
    assert bad == []
    assert taken.incidents[incident.pk].length == incident.audit_length
    assert compare_database([taken]) == []
