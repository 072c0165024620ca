"""An incident's action records as pages and programs read them, a page at a time.

Pages are cut by sequence (the chain's own order, unique per incident), never by offset:
each page is one read of the (incident, sequence) index, however long the chain.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from hikeshi.incidents.models import ActionRecord
from hikeshi.incidents.selectors.keyset import Key, Ordering, Page, keyset_page

PAGE_SIZE = 50
# The chain's order, for programs that read it from the first record on.
CHAIN_ORDER = Ordering((Key("sequence", int),))


def _records(incident_id: int) -> QuerySet[ActionRecord]:
    return ActionRecord.objects.filter(incident_id=incident_id).order_by()


def _shown(records: QuerySet[ActionRecord]) -> QuerySet[ActionRecord]:
    """Return the records with what a page shows of them: the record corrected, corrections."""
    return records.select_related("corrects").prefetch_related("corrections")


@dataclass(frozen=True)
class ActionPage:
    """Records newest first; the sequences to page from (None: no records that way)."""

    records: list[ActionRecord]
    older: int | None  # ask for before=older
    newer: int | None  # ask for after=newer


def action_page(
    incident_id: int,
    *,
    before: int | None = None,
    after: int | None = None,
    size: int = PAGE_SIZE,
) -> ActionPage:
    """Return ``size`` records, newest first: those just below sequence ``before``, those
    just above ``after``, or the newest of all."""
    records = _records(incident_id)
    if after is not None:
        chunk = list(_shown(records.filter(sequence__gt=after).order_by("sequence"))[: size + 1])
        shown = list(reversed(chunk[:size]))
        newer = shown[0].sequence if len(chunk) > size else None
        older = shown[-1].sequence if shown and _any_below(records, shown[-1].sequence) else None
        return ActionPage(shown, older, newer)
    if before is not None:
        records = records.filter(sequence__lt=before)
    chunk = list(_shown(records.order_by("-sequence"))[: size + 1])
    shown = chunk[:size]
    older = shown[-1].sequence if len(chunk) > size else None
    newer = None
    if before is not None and shown and _any_above(_records(incident_id), shown[0].sequence):
        newer = shown[0].sequence
    return ActionPage(shown, older, newer)


def _any_below(records: QuerySet[ActionRecord], sequence: int) -> bool:
    return records.filter(sequence__lt=sequence).exists()


def _any_above(records: QuerySet[ActionRecord], sequence: int) -> bool:
    return records.filter(sequence__gt=sequence).exists()


def latest_actions(incident_id: int, count: int) -> list[ActionRecord]:
    """Return the newest ``count`` records, newest first."""
    return list(_shown(_records(incident_id).order_by("-sequence"))[:count])


def action_in(incident_id: int, action_id: int) -> ActionRecord | None:
    """Return the incident's record with this id, or None (another incident's too)."""
    return _records(incident_id).filter(pk=action_id).first()


def chain_page(incident_id: int, *, size: int, cursor: str | None = None) -> Page[ActionRecord]:
    """Return ``size`` records in chain order after the cursor's (from the first without).

    A cursor that no earlier page gave is InvalidInput on ``cursor``.
    """
    return keyset_page(_records(incident_id), CHAIN_ORDER, size=size, token=cursor)
