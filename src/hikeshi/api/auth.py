"""Bearer-token authentication for the REST API (``Authorization: Bearer hks_…``)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from hikeshi.accounts.models import TOKEN_PREFIX, ApiToken, hash_token
from hikeshi.incidents import access

# How stale ``last_used_at`` may get: "used in the last minute" is precise enough to spot
# a forgotten or leaked token, and spares every API request a database write.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# Methods that only read; any other one is a write, which viewers may not make.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ApiTokenAuth(HttpBearer):
    """Authenticates a request by its API token; the token's user becomes ``request.auth``.

    When the URL names an incident, membership is checked here too (404 for non-members,
    403 for viewers writing): authentication runs before ninja reads the request body, so
    an outsider gets the same 404 whatever they send, never a validation error that would
    tell them the route and its incident exist.

    With ``site_admin_writes``, only site administrators may write through the route (403
    for anyone else, likewise before the body is read). It is the same class either way,
    so the OpenAPI document keeps one security scheme.
    """

    openapi_description = (
        "An API token issued to a person (it starts with `hks_`), sent as "
        "`Authorization: Bearer hks_…`. Revoked tokens and deactivated accounts are refused."
    )

    def __init__(self, *, site_admin_writes: bool = False) -> None:
        self.site_admin_writes = site_admin_writes
        super().__init__()

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        """Return the user of a live token, or None (which answers 401)."""
        if not token.startswith(TOKEN_PREFIX):
            return None
        row = (
            ApiToken.objects.select_related("user")
            .filter(token_hash=hash_token(token), revoked_at__isnull=True)
            .first()
        )
        if row is None or not row.user.is_active:
            return None
        _record_use(row)
        # Known before the access checks (django-ninja sets it only on success), so that a
        # refusal below is logged with who asked (hikeshi.web.request_log).
        request.auth = row.user  # type: ignore[attr-defined]
        _check_incident_access(request, row.user)
        if (
            self.site_admin_writes
            and request.method not in SAFE_METHODS
            and not access.is_site_admin(row.user)
        ):
            raise PermissionDenied("only site administrators can do this")
        return row.user


def _record_use(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    # Conditional, so that concurrent requests in the same minute write only once; an
    # UPDATE of one column, so that it cannot undo a revocation made meanwhile.
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)


def _check_incident_access(request: HttpRequest, user: User) -> None:
    match = request.resolver_match
    raw = match.kwargs.get("incident_id") if match is not None else None
    if raw is None:
        return
    try:
        incident_id = int(raw)
    except ValueError:
        return  # not an id at all: the route's own validation answers 422
    access.incident_for(user, incident_id, write=request.method not in SAFE_METHODS)


def caller(request: HttpRequest) -> User:
    """Return the user whose token authenticated the request."""
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        # Only reachable if a route were mounted without authentication.
        raise AuthenticationError()
    return user
