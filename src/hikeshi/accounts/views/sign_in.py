"""Signing in: the password, then, for people with two-factor sign-in, a code.

After a right password the person is not signed in yet when they use 2FA: the session
only remembers who passed the first step, for a few minutes. The code step counts wrong
codes like wrong passwords (per user name and address) and shares their lock.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from hikeshi.accounts import throttle, two_factor
from hikeshi.accounts.forms import CodeForm
from hikeshi.accounts.selectors import user_with_id
from hikeshi.accounts.two_factor import CodeKind, CodeRefused

PENDING_KEY = "hikeshi_pending_sign_in"
# How long the code step waits after the password: enough to unlock a phone and type six
# digits, short enough that a forgotten half-signed-in browser does not stay so.
PENDING_SECONDS = 5 * 60
# The backend that checked the password, should the session not name it.
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
# Below this many unused recovery codes, a sign-in with one suggests making new ones.
FEW_RECOVERY_CODES = 3


class SignInView(auth_views.LoginView):
    """The password step; signs in at once unless the person uses two-factor sign-in."""

    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        """Sign in, or remember the first step and ask for the code."""
        user = form.get_user()
        if not two_factor.is_enabled(user):
            return super().form_valid(form)
        # A fresh session key: whoever knew the old one must not inherit the first step.
        self.request.session.cycle_key()
        self.request.session[PENDING_KEY] = {
            "user_id": user.pk,
            "backend": getattr(user, "backend", ""),
            "since": timezone.now().timestamp(),
            "next": self.get_redirect_url(),
        }
        return HttpResponseRedirect(reverse("login_code"))


def _pending_user(request: HttpRequest) -> tuple[User, str, str] | None:
    """Return (user, backend, where to go next) of a live first step, or None."""
    pending: Any = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    age = timezone.now().timestamp() - float(pending.get("since", 0))
    if not 0 <= age <= PENDING_SECONDS:
        del request.session[PENDING_KEY]
        return None
    user_id = pending.get("user_id")
    if not isinstance(user_id, int):
        del request.session[PENDING_KEY]
        return None
    user = user_with_id(user_id, active=True)
    if user is None or not two_factor.is_enabled(user):
        del request.session[PENDING_KEY]
        return None
    return user, str(pending.get("backend") or ""), str(pending.get("next") or "")


def _safe_next(request: HttpRequest, target: str) -> str:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url("incidents:list")


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def sign_in_code(request: HttpRequest) -> HttpResponse:
    """Ask for the second factor after a right password; sign in when it is valid."""
    if request.user.is_authenticated:
        return HttpResponseRedirect(resolve_url("incidents:list"))
    pending = _pending_user(request)
    if pending is None:
        messages.info(
            request,
            _("Enter your user name and password first (the code step waits five minutes)."),
        )
        return HttpResponseRedirect(reverse("login"))
    user, backend, next_url = pending
    username = user.get_username()
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if throttle.is_locked(request, username):
            return throttle.lockout_response(request, None, throttle.credentials_for(username))
        if form.is_valid():
            try:
                kind = two_factor.check_code(user, form.cleaned_data["code"])
            except CodeRefused:
                form.add_error(
                    "code",
                    _(
                        "This code is not valid: it is wrong, too old, or was used already. "
                        "Enter the code your app shows now, or a recovery code."
                    ),
                )
                throttle.count_failure(request, username, "second-factor code")
            else:
                del request.session[PENDING_KEY]
                login(request, user, backend or MODEL_BACKEND)
                if kind is CodeKind.RECOVERY:
                    _warn_about_recovery_codes(request, user)
                return HttpResponseRedirect(_safe_next(request, next_url))
    status = 400 if form.errors else 200
    return render(
        request, "accounts/sign_in_code.html", {"form": form, "username": username}, status=status
    )


def _warn_about_recovery_codes(request: HttpRequest, user: User) -> None:
    left = two_factor.state_of(user).recovery_codes_left
    text = ngettext(
        "You signed in with a recovery code; %(left)d recovery code is left.",
        "You signed in with a recovery code; %(left)d recovery codes are left.",
        left,
    ) % {"left": left}
    if left < FEW_RECOVERY_CODES:
        text += " " + _("Make new ones under Preferences → Two-factor sign-in.")
    messages.warning(request, text)
