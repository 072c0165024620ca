"""What a request must be before an incident view acts on it: signed in, a permitted method.

Incident views check access (incident_for) before the method, so that an outsider gets
404 on every incident route whatever the method, never a 405 that hints at a route.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseNotAllowed


def acting_user(request: HttpRequest) -> User:
    """Return the request's user; refuse anonymous requests (views also require login)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def refuse_method(request: HttpRequest, *allowed: str) -> HttpResponseNotAllowed | None:
    """Return a 405 response unless the request uses one of the allowed methods."""
    if request.method in allowed:
        return None
    return HttpResponseNotAllowed(allowed)
