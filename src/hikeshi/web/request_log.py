"""Refused requests (4xx) logged as one line each, without the traceback Django attaches.

Django logs a 403 from PermissionDenied with the exception's traceback, and a refused CSRF
check or a bad Host header under ``django.security.*``. A refusal is the access rules
working, not a fault: a traceback per refusal buries real errors, and an operator reading
the log needs who was refused what, from where, not where in Django it happened.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest

from hikeshi.web.proxies import client_address


def _escaped(text: str) -> str:
    # A request path can carry %0A: escaped, a client cannot forge a second log line.
    return text.encode("unicode_escape").decode("ascii")


def _user_id(request: HttpRequest) -> str:
    """Return the id of the person making the request, or "-" when anonymous or unknown."""
    # The API's token user (django-ninja's request.auth) before the session's user.
    token_user_pk = getattr(getattr(request, "auth", None), "pk", None)
    if token_user_pk is not None:
        return str(token_user_pk)
    # Set by AuthenticationMiddleware; absent when the request was refused before it ran.
    user = request.__dict__.get("user")
    try:
        # The session's user is loaded on first use (a query); a log line must never fail.
        pk = getattr(user, "pk", None)
    except Exception:
        return "-"
    return str(pk) if pk is not None else "-"


class OneLineRefusals(logging.Filter):
    """Rewrites Django's record of a 4xx answer as ``METHOD path status user=… client=…``."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Return True (the record is kept), rewritten in place when it is a refusal."""
        status = getattr(record, "status_code", None)
        request = getattr(record, "request", None)
        if not isinstance(status, int) or not 400 <= status < 500:
            return True
        if not isinstance(request, HttpRequest):
            return True
        path = _escaped(request.path)
        # Django's own text ("Forbidden (CSRF token missing.): /login/") says why; the
        # path is already in the line.
        reason = record.getMessage().removesuffix(f": {path}")
        record.msg = "%s %s %s user=%s client=%s: %s"
        record.args = (
            _escaped(request.method or "-"),
            path,
            status,
            _user_id(request),
            client_address(request) or "-",
            reason,
        )
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        return True
