"""How the API answers errors: one JSON shape per kind, whichever layer raised them."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from hikeshi.incidents.services.errors import ConflictError, InvalidInput


def install_error_handlers(api: NinjaAPI) -> None:
    """Register the API's exception handlers on ``api``."""

    def invalid_input(request: HttpRequest, exc: InvalidInput) -> HttpResponse:
        # The shape of ninja's own validation errors, so clients read one format for 422.
        detail = [{"loc": ["body", exc.field], "msg": exc.message, "type": "value_error"}]
        return api.create_response(request, {"detail": detail}, status=422)

    def conflict(request: HttpRequest, exc: ConflictError) -> HttpResponse:
        body = {"detail": str(exc), "current_version": exc.current}
        return api.create_response(request, body, status=409)

    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return api.create_response(request, {"detail": str(exc) or "Forbidden"}, status=403)

    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        # Always the same words: the reason must not tell an outsider what exists.
        return api.create_response(request, {"detail": "Not Found"}, status=404)

    def unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = api.create_response(request, {"detail": "Unauthorized"}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="hikeshi"'  # RFC 6750, section 3
        return response

    api.add_exception_handler(InvalidInput, invalid_input)
    api.add_exception_handler(ConflictError, conflict)
    api.add_exception_handler(PermissionDenied, forbidden)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(AuthenticationError, unauthorized)
