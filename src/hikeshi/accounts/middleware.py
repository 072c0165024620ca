"""Activates the language a signed-in person chose, over the browser's."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

from hikeshi.accounts.models import Preference


def user_language(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Return middleware that switches to the signed-in user's saved language."""

    def middleware(request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = (
                Preference.objects.filter(user=user).values_list("language", flat=True).first()
            )
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return get_response(request)

    return middleware
