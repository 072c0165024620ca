"""The site log's chain: append-only in code, tamper-evident in the database, anchored."""

from __future__ import annotations

from itertools import pairwise

import pytest
from django.contrib.auth.models import User
from tests.sitelog.conftest import TABLE, raw

from hikeshi.sitelog.audit import (
    GENESIS,
    compute_hash,
    find_site_log_break,
    site_log_head,
    verify_site_log,
)
from hikeshi.sitelog.models import AppendOnlyError, SiteLogEntry, SiteLogHead
from hikeshi.sitelog.services import SiteEventKind, record_site_event

HEAD_TABLE = SiteLogHead._meta.db_table


def _record_four(actor: User | None) -> list[SiteLogEntry]:
    record_site_event(SiteEventKind.USER_CREATED, actor=actor, subject="sato")
    record_site_event(
        SiteEventKind.API_TOKEN_ISSUED,
        actor=actor,
        subject="sato",
        detail={"token_name": "SIEM 連携", "token_prefix": "hks_abcd"},
        client_address="192.0.2.10",
    )
    record_site_event(SiteEventKind.SITE_ADMIN_GRANTED, actor=actor, subject="sato")
    record_site_event(
        SiteEventKind.USER_DEACTIVATED, actor=None, subject="kato", detail={"via": "cli"}
    )
    return list(SiteLogEntry.objects.order_by("sequence"))


@pytest.mark.django_db
def test_an_empty_log_verifies_and_has_no_head() -> None:
    assert site_log_head() == (0, "")
    assert verify_site_log() is None


@pytest.mark.django_db
def test_each_entry_links_to_the_previous_and_the_head_follows(site_admin: User) -> None:
    entries = _record_four(site_admin)
    assert entries[0].prev_hash == GENESIS
    for earlier, later in pairwise(entries):
        assert later.prev_hash == earlier.record_hash
        assert later.sequence == earlier.sequence + 1
    # Read back from the database: what was hashed is exactly what was stored.
    assert all(compute_hash(entry) == entry.record_hash for entry in entries)
    assert site_log_head() == (4, entries[-1].record_hash)
    assert verify_site_log() is None
    assert entries[1].actor_name == "admin"
    assert entries[3].actor_name == "system"


@pytest.mark.django_db
def test_saving_or_deleting_an_entry_is_refused(site_admin: User) -> None:
    entry = _record_four(site_admin)[1]
    entry.subject = "someone else"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        SiteLogHead.objects.get().delete()


@pytest.mark.django_db
def test_bulk_update_and_delete_are_refused(site_admin: User) -> None:
    _record_four(site_admin)
    with pytest.raises(AppendOnlyError):
        SiteLogEntry.objects.filter(subject="sato").update(subject="x")
    with pytest.raises(AppendOnlyError):
        SiteLogEntry.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        SiteLogHead.objects.all().delete()


@pytest.mark.django_db
def test_an_edited_entry_is_named(site_admin: User) -> None:
    target = _record_four(site_admin)[1]
    raw(f"UPDATE {TABLE} SET client_address = %s WHERE id = %s", ["198.51.100.7", target.pk])
    found = find_site_log_break()
    assert found is not None
    assert (found.sequence, found.entry_id) == (2, target.pk)
    assert verify_site_log() == (
        f"site log entry #2 (id {target.pk}): "
        "content does not match its hash (the entry was edited)"
    )


@pytest.mark.django_db
def test_an_edited_detail_is_detected(site_admin: User) -> None:
    target = _record_four(site_admin)[1]
    raw(f"UPDATE {TABLE} SET detail = %s WHERE id = %s", ['{"token_name": "x"}', target.pk])
    problem = verify_site_log()
    assert problem is not None
    assert "#2" in problem and "edited" in problem


@pytest.mark.django_db
def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(site_admin: User) -> None:
    entries = _record_four(site_admin)
    target = entries[1]
    target.subject = "tanaka"
    forged = compute_hash(target)
    raw(
        f"UPDATE {TABLE} SET subject = %s, record_hash = %s WHERE id = %s",
        ["tanaka", forged, target.pk],
    )
    problem = verify_site_log()
    assert problem is not None
    assert problem.startswith(f"site log entry #3 (id {entries[2].pk}): previous-hash link")


@pytest.mark.django_db
def test_a_deleted_middle_entry_is_named_by_its_successor(site_admin: User) -> None:
    entries = _record_four(site_admin)
    raw(f"DELETE FROM {TABLE} WHERE id = %s", [entries[1].pk])
    found = find_site_log_break()
    assert found is not None
    assert found.entry_id == entries[2].pk
    assert "expected sequence 2, found 3 (an entry was deleted or reordered)" in found.reason


@pytest.mark.django_db
def test_swapped_sequence_numbers_are_detected(site_admin: User) -> None:
    entries = _record_four(site_admin)
    first, second = entries[1], entries[2]
    # Three steps: the sequence is unique at every moment.
    raw(f"UPDATE {TABLE} SET sequence = %s WHERE id = %s", [1_000_000, first.pk])
    raw(f"UPDATE {TABLE} SET sequence = %s WHERE id = %s", [first.sequence, second.pk])
    raw(f"UPDATE {TABLE} SET sequence = %s WHERE id = %s", [second.sequence, first.pk])
    found = find_site_log_break()
    assert found is not None
    assert found.entry_id == first.pk
    assert "reordered" in found.reason


@pytest.mark.django_db
def test_truncating_the_newest_entries_is_detected_by_the_head(site_admin: User) -> None:
    entries = _record_four(site_admin)
    raw(f"DELETE FROM {TABLE} WHERE id IN (%s, %s)", [entries[2].pk, entries[3].pk])
    assert verify_site_log() == (
        "site log: the log has 2 entries but its head records 4"
        " (entries at the end were deleted, or the head was changed)"
    )


@pytest.mark.django_db
def test_replacing_the_newest_entry_is_detected_by_the_head(site_admin: User) -> None:
    entries = _record_four(site_admin)
    newest = entries[-1]
    newest.subject = "someone else"
    raw(
        f"UPDATE {TABLE} SET subject = %s, record_hash = %s WHERE id = %s",
        [newest.subject, compute_hash(newest), newest.pk],
    )
    problem = verify_site_log()
    assert problem is not None
    assert "head hash does not match the newest entry" in problem


@pytest.mark.django_db
def test_a_deleted_head_row_is_detected(site_admin: User) -> None:
    _record_four(site_admin)
    raw(f"DELETE FROM {HEAD_TABLE}", [])
    assert (
        verify_site_log() == "site log: the log has 4 entries but its head row is missing (deleted)"
    )


@pytest.mark.django_db
def test_a_head_moved_back_is_detected(site_admin: User) -> None:
    entries = _record_four(site_admin)
    raw(f"UPDATE {HEAD_TABLE} SET length = %s, head = %s", [3, entries[2].record_hash])
    problem = verify_site_log()
    assert problem is not None
    assert "its head records 3" in problem


@pytest.mark.django_db
def test_texts_are_cleaned_and_cut_to_fit_their_columns() -> None:
    entry = record_site_event(
        SiteEventKind.LOGIN_LOCKED_OUT,
        actor=None,
        subject="evil\x00name\n" + "x" * 400,
        detail={"attempted": "a\x1b[31mred\r\n" + "y" * 2000, "count": 5, "known": False},
    )
    entry.refresh_from_db()
    assert "\x00" not in entry.subject and "\n" not in entry.subject
    assert len(entry.subject) == 150
    attempted = entry.detail["attempted"]
    assert "\x1b" not in attempted and "\r" not in attempted
    assert len(attempted) == 500 and attempted.endswith("…")
    assert entry.detail["count"] == 5 and entry.detail["known"] is False
    assert verify_site_log() is None


@pytest.mark.django_db
def test_a_long_actor_name_is_cut_to_fit(outsider: User) -> None:
    outsider.first_name = "名" * 150
    outsider.last_name = "姓" * 150
    outsider.save()
    entry = record_site_event(SiteEventKind.PASSWORD_CHANGED, actor=outsider, subject="outsider")
    assert len(entry.actor_name) == 300
    assert entry.actor_name.startswith("outsider (名")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("203.0.113.5", "203.0.113.5"),
        ("2001:DB8:0:0::1", "2001:db8::1"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("", None),
        (None, None),
    ],
)
def test_client_addresses_are_stored_as_the_database_writes_them(
    given: str | None, stored: str | None
) -> None:
    entry = record_site_event(
        SiteEventKind.USER_CREATED, actor=None, subject="sato", client_address=given
    )
    entry.refresh_from_db()
    assert entry.client_address == stored
    assert verify_site_log() is None


@pytest.mark.django_db
def test_an_unreadable_address_is_kept_in_the_detail_not_the_column() -> None:
    entry = record_site_event(
        SiteEventKind.USER_CREATED, actor=None, subject="sato", client_address="unknown\x00"
    )
    entry.refresh_from_db()
    assert entry.client_address is None
    assert entry.detail == {"unparsed_client_address": "unknown "}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("detail", "error"),
    [
        ({"Bad Key": "x"}, ValueError),
        ({"nested": {"a": 1}}, TypeError),
        ({"ratio": 0.5}, TypeError),
        ({"huge": 2**60}, ValueError),
        ({f"k{i}": i for i in range(21)}, ValueError),
    ],
)
def test_a_detail_that_is_not_a_few_plain_values_is_refused(
    detail: dict[str, object], error: type[Exception]
) -> None:
    with pytest.raises(error):
        record_site_event(SiteEventKind.USER_CREATED, actor=None, subject="sato", detail=detail)  # type: ignore[arg-type]
    assert site_log_head() == (0, "")


@pytest.mark.django_db
def test_an_unknown_kind_or_an_empty_subject_is_refused() -> None:
    with pytest.raises(ValueError):
        record_site_event("made_up", actor=None, subject="sato")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        record_site_event(SiteEventKind.USER_CREATED, actor=None, subject="  ")
    assert SiteLogEntry.objects.count() == 0


def test_every_kind_has_a_japanese_and_an_english_label() -> None:
    from django.utils import translation

    for kind in SiteEventKind:
        with translation.override("en"):
            english = str(kind.label)
        with translation.override("ja"):
            japanese = str(kind.label)
        assert english and english != kind.value
        assert japanese != english, f"{kind.value} has no Japanese label"
