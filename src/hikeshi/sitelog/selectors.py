"""Reads of the site log that its page and the CLI share: filtered entries, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from hikeshi.sitelog.models import SiteLogEntry

ENTRIES_PER_PAGE = 50


@dataclass(frozen=True)
class SiteLogFilters:
    """What narrows the site log; empty values do not filter."""

    kind: str | None = None
    # The account concerned or the one who acted, by exact user name (any case).
    account: str | None = None


@dataclass(frozen=True)
class SiteLogPage:
    """Entries newest first, and whether newer and older ones exist beyond them."""

    entries: list[SiteLogEntry]
    newer: bool
    older: bool


def matching_entries(filters: SiteLogFilters) -> QuerySet[SiteLogEntry]:
    """Return the entries that pass the filters, newest first."""
    entries = SiteLogEntry.objects.all()
    if filters.kind:
        entries = entries.filter(kind=filters.kind)
    account = (filters.account or "").strip()
    if account:
        entries = entries.filter(Q(subject__iexact=account) | Q(actor__username__iexact=account))
    return entries.order_by("-sequence")


def newest_entries(filters: SiteLogFilters, limit: int) -> list[SiteLogEntry]:
    """Return up to ``limit`` of the newest entries that pass the filters."""
    return list(matching_entries(filters)[:limit])


def entries_page(
    filters: SiteLogFilters,
    *,
    before: int | None = None,
    after: int | None = None,
    size: int = ENTRIES_PER_PAGE,
) -> SiteLogPage:
    """Return one page of entries (newest first): those just older than ``before``, or just
    newer than ``after``, or the newest.

    Keyset paging on the sequence number: each page costs the same however deep it is,
    and an entry recorded meanwhile never shifts a page by one.
    """
    entries = matching_entries(filters)
    if after is not None and before is None:
        # The page just newer than ``after``: read upwards, then show newest first.
        upwards = entries.filter(sequence__gt=after).order_by("sequence")
        chunk = list(upwards[: size + 1])
        shown = chunk[:size][::-1]
        newer = len(chunk) > size
        older = bool(shown) and entries.filter(sequence__lt=shown[-1].sequence).exists()
        return SiteLogPage(shown, newer, older)
    downwards = entries.filter(sequence__lt=before) if before is not None else entries
    chunk = list(downwards[: size + 1])
    shown = chunk[:size]
    older = len(chunk) > size
    newer = (
        before is not None
        and bool(shown)
        and entries.filter(sequence__gt=shown[0].sequence).exists()
    )
    return SiteLogPage(shown, newer, older)
