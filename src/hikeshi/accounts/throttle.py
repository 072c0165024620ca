"""Throttling every place a secret is guessed, with the sign-in's own lock (django-axes).

Sign-in, its second step (TOTP or recovery code), the password-change form and the
two-factor settings all count a wrong secret as a failed sign-in of that user name from
that address, so they share one counter and one lock per (user name, address).
"""

from __future__ import annotations

import logging
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_failure_limit
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from hikeshi.accounts.lockouts import lock_for
from hikeshi.web.proxies import client_address

logger = logging.getLogger(__name__)

# The field django-axes reads the user name from (AXES_USERNAME_FORM_FIELD, by default the
# user model's USERNAME_FIELD).
USERNAME_FIELD = "username"
# 429 Too Many Requests, as django-axes answers by default.
LOCKED_STATUS = 429

# Which step a lock-out page speaks of, by the URL name of the page that was refused.
STEP_OF_URL = {
    "login": "sign_in",
    "login_code": "code",
    "password_change": "password_change",
    "two_factor_disable": "two_factor",
    "recovery_codes": "two_factor",
}


def credentials_for(username: str) -> dict[str, str]:
    """Return the credentials django-axes keys its counters on (the user name only)."""
    return {USERNAME_FIELD: username}


def is_locked(request: HttpRequest, username: str) -> bool:
    """Return whether this user name is locked for the request's client address."""
    return bool(AxesProxyHandler.is_locked(request, credentials_for(username)))


def count_failure(request: HttpRequest, username: str, what: str) -> None:
    """Count a wrong secret (``what``: password, code…) as a failed sign-in of ``username``.

    django-axes records it and, at the limit, marks the request locked; its middleware then
    answers with :func:`lockout_response` instead of the page.
    """
    logger.warning(
        "wrong %s for %r from %s at %s", what, username, client_address(request), request.path
    )
    user_login_failed.send(sender=__name__, credentials=credentials_for(username), request=request)


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """Return the page saying that this step is locked, until when, and what to do.

    django-axes calls it (AXES_LOCKOUT_CALLABLE) for a locked sign-in; the views call it
    for the other steps. It is never given the lock's internal keys, only name and address.
    """
    username = str((credentials or {}).get(USERNAME_FIELD) or "")
    address = client_address(request)
    lock = lock_for(username, address) if username else None
    now = timezone.now()
    remaining = lock.locked_until - now if lock and lock.locked_until else None
    match = request.resolver_match
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "step": STEP_OF_URL.get(match.url_name or "", "sign_in") if match else "sign_in",
        "locked_until": lock.locked_until if lock else None,
        "remaining": remaining if remaining is None or remaining.total_seconds() > 0 else None,
        "cooloff": settings.AXES_COOLOFF_TIME,
    }
    return render(request, "registration/locked_out.html", context, status=LOCKED_STATUS)
