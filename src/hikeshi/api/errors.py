"""How the API answers errors: one JSON shape per kind, whichever layer raised them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from hikeshi.incidents.refusals import NotPermitted, NotVisible
from hikeshi.incidents.services.errors import ConflictError, InvalidInput

# Every route names its request body ``payload``; ninja puts that name into error locations.
BODY_PARAMETER = "payload"


def field_location(loc: list[str | int]) -> list[str | int]:
    """Return ninja's error location without the body parameter's name.

    ``["body", "payload", "title"]`` becomes ``["body", "title"]``, the shape of the
    services' InvalidInput errors, so that clients read one shape for every 422.
    """
    if loc[:2] == ["body", BODY_PARAMETER]:
        return ["body", *loc[2:]]
    return loc


@contextmanager
def fields_named(**names: str) -> Iterator[None]:
    """Re-raise the services' InvalidInput with its field named as the request names it.

    ``fields_named(assignee="username")``: a service that refuses its ``assignee`` answers
    a 422 located at the request's ``username``, the field the client actually sent.
    """
    try:
        yield
    except InvalidInput as exc:
        if exc.field not in names:
            raise
        raise InvalidInput(names[exc.field], exc.message, **exc.params) from exc


def install_error_handlers(api: NinjaAPI) -> None:
    """Register the API's exception handlers on ``api``."""

    @api.exception_handler(ValidationError)
    def invalid_request(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        detail = [{**error, "loc": field_location(list(error["loc"]))} for error in exc.errors]
        return api.create_response(request, {"detail": detail}, status=422)

    @api.exception_handler(InvalidInput)
    def invalid_input(request: HttpRequest, exc: InvalidInput) -> HttpResponse:
        detail = [{"loc": ["body", exc.field], "msg": exc.english, "type": "value_error"}]
        return api.create_response(request, {"detail": detail}, status=422)

    @api.exception_handler(ConflictError)
    def conflict(request: HttpRequest, exc: ConflictError) -> HttpResponse:
        body = {"detail": str(exc), "current_version": exc.current}
        return api.create_response(request, body, status=409)

    @api.exception_handler(NotPermitted)
    def not_permitted(request: HttpRequest, exc: NotPermitted) -> HttpResponse:
        return api.create_response(request, {"detail": exc.english}, status=403)

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return api.create_response(request, {"detail": str(exc) or "Forbidden"}, status=403)

    @api.exception_handler(NotVisible)
    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        # Always the same words: the reason must not tell an outsider what exists.
        return api.create_response(request, {"detail": "Not Found"}, status=404)

    @api.exception_handler(AuthenticationError)
    def unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = api.create_response(request, {"detail": "Unauthorized"}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="hikeshi"'  # RFC 6750, section 3
        return response
