"""Sign-in lock-outs as a site administrator sees them: who, from where, until when; unlocking.

django-axes keeps one row per (user name, address, browser) with its failure count and the
time of the latest failure; a (user name, address) pair is locked while the failures of its
rows still inside the cool-off add up to the limit. This module reads those rows with the
same rule, so that the lists here agree with what the sign-in page does.
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from hikeshi.sitelog.services import DetailValue, SiteEventKind, record_site_event


@dataclass(frozen=True)
class FailedSignIns:
    """Recent failed sign-ins of one user name from one address."""

    username: str
    address: str | None
    failures: int
    last_failure: datetime
    # When the lock ends; None while the failures are still below the limit.
    locked_until: datetime | None

    @property
    def locked(self) -> bool:
        """Return whether sign-in with this name from this address is refused now."""
        return self.locked_until is not None


def cool_off() -> timedelta:
    """Return how long a lock lasts after the failure that set it (HIKESHI_LOCKOUT_MINUTES)."""
    value: timedelta = settings.AXES_COOLOFF_TIME
    return value


def failure_limit() -> int:
    """Return how many failures lock a user name at an address (HIKESHI_LOGIN_FAILURE_LIMIT)."""
    value: int = settings.AXES_FAILURE_LIMIT
    return value


def _summarise(
    username: str, address: str | None, rows: list[tuple[int, datetime]]
) -> FailedSignIns:
    # Newest first: the lock holds while the newest rows still add up to the limit, and ends
    # when the row that completes that sum falls out of the cool-off window.
    rows.sort(key=lambda row: row[1], reverse=True)
    total = 0
    locked_until = None
    for failures, at in rows:
        total += failures
        if locked_until is None and total >= failure_limit():
            locked_until = at + cool_off()
    return FailedSignIns(username, address, total, rows[0][1], locked_until)


def failed_sign_ins(now: datetime | None = None) -> list[FailedSignIns]:
    """Return every (user name, address) with failures inside the cool-off, locked first.

    Within each group the newest failure comes first.
    """
    threshold = (now or timezone.now()) - cool_off()
    groups: dict[tuple[str, str | None], list[tuple[int, datetime]]] = defaultdict(list)
    attempts = AccessAttempt.objects.filter(attempt_time__gte=threshold).values_list(
        "username", "ip_address", "failures_since_start", "attempt_time"
    )
    for username, address, failures, at in attempts:
        groups[(username or "", address)].append((failures, at))
    summaries = [_summarise(name, address, rows) for (name, address), rows in groups.items()]
    summaries.sort(key=lambda s: (not s.locked, -s.last_failure.timestamp(), s.username))
    return summaries


def current_lockouts(now: datetime | None = None) -> list[FailedSignIns]:
    """Return the (user name, address) pairs that are locked now, newest failure first."""
    return [entry for entry in failed_sign_ins(now) if entry.locked]


def lock_for(username: str, address: str | None) -> FailedSignIns | None:
    """Return the recent failures of ``username`` from ``address``, or None if there are none."""
    threshold = timezone.now() - cool_off()
    rows = [
        (failures, at)
        for failures, at in AccessAttempt.objects.filter(
            username=username, ip_address=address, attempt_time__gte=threshold
        ).values_list("failures_since_start", "attempt_time")
    ]
    return _summarise(username, address, rows) if rows else None


def normalise_address(text: str) -> str:
    """Return the address as django-axes stores it; raise ValueError naming what is wrong."""
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not an IPv4 or IPv6 address") from None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


def clear_lockout(
    actor: User | None,
    username: str,
    address: str | None = None,
    *,
    via: str,
    detail: dict[str, DetailValue] | None = None,
    client_address: str | None = None,
) -> int:
    """Forget the failed sign-ins of ``username`` (from ``address`` only, if given).

    Returns how many failures were forgotten; 0 means there was nothing to clear and
    nothing is recorded. The person can sign in again at once.
    """
    with transaction.atomic():
        attempts = AccessAttempt.objects.filter(username=username)
        if address is not None:
            attempts = attempts.filter(ip_address=address)
        rows = list(attempts.values_list("ip_address", "failures_since_start"))
        if not rows:
            return 0
        failures = sum(int(count) for _address, count in rows)
        attempts.delete()
        record_site_event(
            SiteEventKind.LOCKOUT_CLEARED,
            actor=actor,
            subject=username,
            detail={
                "via": via,
                "locked_address": address if address is not None else "all",
                "failures": failures,
                **(detail or {}),
            },
            client_address=client_address,
        )
    return failures
