"""Appends from concurrent transactions queue on the head row and form one unbroken chain."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from hikeshi.sitelog.audit import site_log_head, verify_site_log
from hikeshi.sitelog.models import SiteLogEntry
from hikeshi.sitelog.services import SiteEventKind, record_site_event

WRITERS = 4
EACH = 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_on_postgresql_make_one_chain() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL): SQLite serialises writers whole")
    start = threading.Barrier(WRITERS)
    failures: list[BaseException] = []

    def write(number: int) -> None:
        try:
            # All writers start together, the first event included: the head row does not
            # exist yet, so get_or_create races too.
            start.wait(timeout=20)
            for index in range(EACH):
                record_site_event(
                    SiteEventKind.USER_CREATED, actor=None, subject=f"w{number}-{index}"
                )
        except BaseException as error:  # the assertion below reports it
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    total = WRITERS * EACH
    assert SiteLogEntry.objects.count() == total
    assert site_log_head()[0] == total
    assert verify_site_log() is None
