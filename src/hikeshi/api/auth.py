"""Bearer-token authentication for the REST API (``Authorization: Bearer hks_…``)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils.translation import gettext_noop
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from hikeshi.accounts.models import TOKEN_PREFIX
from hikeshi.accounts.selectors import token_for_secret
from hikeshi.accounts.tokens import record_use
from hikeshi.incidents import access
from hikeshi.incidents.refusals import NotPermitted

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
        row = token_for_secret(token)
        if row is None or not row.user.is_active:
            return None
        record_use(row)
        # Known before the access checks (django-ninja sets it only on success), so that a
        # refusal below is logged with who asked (hikeshi.web.request_log).
        request.auth = row.user  # type: ignore[attr-defined]
        _check_incident_access(request, row.user)
        if (
            self.site_admin_writes
            and request.method not in SAFE_METHODS
            and not access.is_site_admin(row.user)
        ):
            raise NotPermitted(gettext_noop("only site administrators can do this"), subject="site")
        return row.user


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
