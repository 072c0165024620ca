"""Recording account events in the site log: the only writer of its chain."""

from __future__ import annotations

import getpass
import ipaddress
import re
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from hikeshi.bounds import NAME_MAX, clip
from hikeshi.sitelog.audit import GENESIS, compute_hash
from hikeshi.sitelog.models import HEAD_ID, SiteLogEntry, SiteLogHead
from hikeshi.sitelog.vocabulary import SiteEventKind

if TYPE_CHECKING:
    from django.contrib.auth.models import User

__all__ = [
    "DetailValue",
    "SiteEventKind",
    "record_site_event",
    "system_user",
]

DetailValue = str | int | bool | None

# Column sizes (SiteLogEntry): SQLite would not enforce them, PostgreSQL would fail the write.
ACTOR_NAME_MAX = 300
SUBJECT_MAX = NAME_MAX
# A detail is a handful of plain facts, not a document: bounded so that one event can
# never bloat the log or the page that shows it.
DETAIL_KEYS_MAX = 20
DETAIL_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}", re.ASCII)
DETAIL_TEXT_MAX = 500
# JSON readers that use doubles (JavaScript, jq) read integers beyond this inexactly.
DETAIL_INT_MAX = 2**53 - 1
ADDRESS_TEXT_MAX = 64


def recorded_name(actor: User | None) -> str:
    """Return the name recorded for an actor (``system`` for a command or an automatic step)."""
    if actor is None:
        return "system"
    full = actor.get_full_name()
    name = f"{actor.get_username()} ({full})" if full else actor.get_username()
    return clip(name, ACTOR_NAME_MAX)


def _clean_detail(detail: dict[str, DetailValue] | None) -> dict[str, DetailValue]:
    """Return the detail with texts made safe to store and show; refuse what is not plain.

    The keys and value types are chosen by hikeshi's own code, so a wrong one is a
    programming error (TypeError / ValueError); the texts may come from people, so they
    are cleaned and cut instead of refused: an account change must never fail for its log.
    """
    if not detail:
        return {}
    if len(detail) > DETAIL_KEYS_MAX:
        raise ValueError(f"a site log detail has at most {DETAIL_KEYS_MAX} keys")
    cleaned: dict[str, DetailValue] = {}
    for key, value in detail.items():
        if not isinstance(key, str) or DETAIL_KEY.fullmatch(key) is None:
            raise ValueError(f"site log detail key {key!r}: lower-case letters, digits and _")
        if value is None or isinstance(value, bool):
            cleaned[key] = value
        elif isinstance(value, int):
            if abs(value) > DETAIL_INT_MAX:
                raise ValueError(f"site log detail {key!r}: integer out of range")
            cleaned[key] = value
        elif isinstance(value, str):
            cleaned[key] = clip(value, DETAIL_TEXT_MAX)
        else:
            raise TypeError(
                f"site log detail {key!r}: {type(value).__name__} is not str, int, bool or None"
            )
    return cleaned


def _address(value: str | None) -> tuple[str | None, str | None]:
    """Return (the address as the database stores it, or None; the unreadable text, or None)."""
    if value is None or not value.strip():
        return None, None
    try:
        parsed = ipaddress.ip_address(value.strip())
    except ValueError:
        return None, clip(value, ADDRESS_TEXT_MAX)
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.scope_id is not None:
            return None, clip(value, ADDRESS_TEXT_MAX)
        if parsed.ipv4_mapped is not None:
            # The IPv4 client behind a dual-stack socket: the address lock-outs record too.
            return str(parsed.ipv4_mapped), None
        # Compressed and lower-case, as Django and PostgreSQL store it: the stored text
        # must be the hashed text.
        return parsed.compressed, None
    return str(parsed), None


def record_site_event(
    kind: SiteEventKind,
    *,
    actor: User | None,
    subject: str,
    detail: dict[str, DetailValue] | None = None,
    client_address: str | None = None,
) -> SiteLogEntry:
    """Return the new site log entry, chained after the newest one.

    Call it inside the transaction that makes the change it records, so that the change
    and its entry are committed together or not at all.
    """
    kind = SiteEventKind(kind)  # ValueError on a key that is not a kind
    name = clip(subject.strip(), SUBJECT_MAX)
    if not name:
        raise ValueError("a site log entry names the account it concerns")
    values = _clean_detail(detail)
    address, unreadable = _address(client_address)
    if unreadable is not None:
        values["unparsed_client_address"] = unreadable
    with transaction.atomic():
        # The row lock serialises appends to the one chain (SQLite serialises all writers);
        # get_or_create copes with the very first event, racing or not.
        head, _created = SiteLogHead.objects.select_for_update().get_or_create(pk=HEAD_ID)
        entry = SiteLogEntry(
            sequence=head.length + 1,
            occurred_at=timezone.now(),
            actor=actor,
            actor_name=recorded_name(actor),
            kind=kind.value,
            subject=name,
            detail=values,
            client_address=address,
            prev_hash=head.head or GENESIS,
        )
        entry.record_hash = compute_hash(entry)
        entry.save()
        SiteLogHead.objects.filter(pk=HEAD_ID).update(length=entry.sequence, head=entry.record_hash)
    return entry


def system_user() -> str:
    """Return the operating-system account running a command, for the log of what it did."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
