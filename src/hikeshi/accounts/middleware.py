"""Per-request account rules: the language a person chose; site admins' required 2FA."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from hikeshi.accounts import two_factor
from hikeshi.accounts.selectors import preferred_language
from hikeshi.incidents.access import is_site_admin

# What a site admin who must enrol may still reach: enrolment itself, its recovery codes,
# signing out and the language switch. Everything else sends them to enrolment.
ENROLMENT_OPEN_URLS = frozenset(
    {"two_factor_enrol", "logout", "language", "set_language", "login", "login_code"}
)
# Paths outside Django's pages: the API authenticates by token (2FA does not apply), and
# static files carry no data.
ENROLMENT_OPEN_PREFIXES = ("/api/", "/static/")


def user_language(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Return middleware that switches to the signed-in user's saved language."""

    def middleware(request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if isinstance(user, User) and user.is_authenticated:
            language = preferred_language(user)
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return get_response(request)

    return middleware


def two_factor_enrolment_required(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Return middleware sending site admins without 2FA to enrolment, when it is required.

    With HIKESHI_REQUIRE_2FA_FOR_ADMINS on, a site administrator who has not set up
    two-factor sign-in can reach nothing but the enrolment page (and sign out).
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            settings.HIKESHI_REQUIRE_2FA_FOR_ADMINS
            and isinstance(user, User)
            and is_site_admin(user)
            and not request.path_info.startswith(ENROLMENT_OPEN_PREFIXES)
            and not _is_open(request.path_info)
            and not two_factor.is_enabled(user)
        ):
            messages.warning(
                request,
                _(
                    "Site administrators must use two-factor sign-in on this site. "
                    "Set it up now to continue."
                ),
            )
            return HttpResponseRedirect(reverse("two_factor_enrol"))
        return get_response(request)

    return middleware


def _is_open(path: str) -> bool:
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return match.url_name in ENROLMENT_OPEN_URLS
