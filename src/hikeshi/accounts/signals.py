"""Site-log entries for what django-axes decides on its own: a sign-in lock begins."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from hikeshi.sitelog.services import SiteEventKind, record_site_event


def record_lockout(
    sender: Any, request: HttpRequest | None = None, username: str | None = None, **kwargs: Any
) -> None:
    """Record that ``username`` was locked out from the request's address (axes' signal).

    django-axes sends the signal for the failure that reaches the limit and again for
    every attempt refused while the lock holds; only the first one starts a lock, and
    only that one carries the failure count (``axes_failures_since_start``).
    """
    if request is None:
        return
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is None:
        return  # an attempt during the lock: refused, not counted, not a new lock
    match = request.resolver_match
    record_site_event(
        SiteEventKind.LOGIN_LOCKED_OUT,
        actor=None,
        subject=username or "",
        detail={
            "via": "web",
            "failures": int(failures),
            "page": match.url_name if match and match.url_name else request.path[:100],
        },
        client_address=getattr(request, "axes_ip_address", None),
    )
