"""Choosing the interface language: kept in the person's preferences and in the cookie."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from hikeshi.accounts.preferences import choose_language
from hikeshi.incidents.views.guards import acting_user


class LanguageForm(forms.Form):
    """The chosen language and the page to return to."""

    language = forms.ChoiceField(choices=settings.LANGUAGES)
    next = forms.CharField(required=False)


def _return_to(request: HttpRequest, target: str) -> str:
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and safe else reverse("home")


@require_POST
def set_language_preference(request: HttpRequest) -> HttpResponse:
    """Save the language (for a signed-in person, in their preferences) and go back."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("unknown language")
    language: str = form.cleaned_data["language"]
    if request.user.is_authenticated:
        choose_language(acting_user(request), language)
    response = HttpResponseRedirect(_return_to(request, form.cleaned_data["next"]))
    # The cookie carries the choice to the sign-in page and past the end of the session.
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
