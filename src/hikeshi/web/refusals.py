"""The web's answer to a refusal of the access rules: 404 for what a person may not see,
403 for what they may not do, through Django's own error pages."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.core.handlers.exception import response_for_exception
from django.http import Http404, HttpRequest, HttpResponse

from hikeshi.incidents.refusals import AccessRefused, NotVisible


class AccessRefusals:
    """Middleware turning AccessRefused raised by a view into the matching error page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """Return the 404 or 403 page for a refusal; None lets any other error through."""
        if not isinstance(exception, AccessRefused):
            return None
        if isinstance(exception, NotVisible):
            # Always the same words: the reason must not tell an outsider what exists.
            return response_for_exception(request, Http404("Not Found"))
        return response_for_exception(request, PermissionDenied(exception.english))
