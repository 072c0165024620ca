"""Changing one's own password: throttled like sign-in, offering to revoke API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hikeshi.accounts import throttle
from hikeshi.accounts.forms import PasswordChangeWithTokensForm
from hikeshi.accounts.tokens import revoke_all_tokens
from hikeshi.sitelog.services import SiteEventKind, record_site_event
from hikeshi.web.proxies import client_address


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change with a lock on guessing the old password, and token revocation.

    A wrong old password counts as a failed sign-in of that user name from that address:
    someone at an unattended, signed-in browser cannot try passwords here without limit.
    """

    form_class = PasswordChangeWithTokensForm
    # Our own templates: the admin's registration/ ones would win by app order.
    template_name = "account/password_change_form.html"
    success_url = reverse_lazy("password_change_done")

    def _username(self) -> str:
        return self.request.user.get_username()

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Refuse at once while locked (the old password is not even checked); else go on."""
        if throttle.is_locked(request, self._username()):
            return throttle.lockout_response(
                request, None, throttle.credentials_for(self._username())
            )
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: PasswordChangeWithTokensForm) -> HttpResponse:  # type: ignore[override]
        """Count a wrong old password towards the lock; show the form again."""
        if form.has_error("old_password", code="password_incorrect"):
            throttle.count_failure(self.request, self._username(), "old password")
        return super().form_invalid(form)

    def form_valid(self, form: PasswordChangeWithTokensForm) -> HttpResponse:  # type: ignore[override]
        """Save the password, revoke the tokens if asked, and say what happened."""
        address = client_address(self.request)
        revoke = bool(form.cleaned_data.get("revoke_tokens"))
        with transaction.atomic():
            user: User = form.save()
            revoked = (
                revoke_all_tokens(
                    user,
                    actor=user,
                    via="web",
                    detail={"reason": "password_changed"},
                    client_address=address,
                )
                if revoke
                else 0
            )
            record_site_event(
                SiteEventKind.PASSWORD_CHANGED,
                actor=user,
                subject=user.get_username(),
                detail={
                    "via": "web",
                    "tokens_revoked": revoked,
                    "tokens_kept": form.live_token_count - revoked,
                },
                client_address=address,
            )
        # Keeps this session signed in; the others, with the old password, are signed out.
        update_session_auth_hash(self.request, user)
        self._tell_about_tokens(revoked, form.live_token_count - revoked)
        return HttpResponseRedirect(str(self.success_url))

    def _tell_about_tokens(self, revoked: int, kept: int) -> None:
        if revoked:
            messages.success(
                self.request,
                ngettext(
                    "Your API token was revoked; scripts using it are refused from now on.",
                    "Your %(count)d API tokens were revoked; scripts using them are refused "
                    "from now on.",
                    revoked,
                )
                % {"count": revoked},
            )
        if kept:
            messages.warning(
                self.request,
                ngettext(
                    "Your API token still works: a new password does not stop it. "
                    "Revoke it under Preferences → API tokens if it may be known to others.",
                    "Your %(count)d API tokens still work: a new password does not stop them. "
                    "Revoke them under Preferences → API tokens if they may be known to others.",
                    kept,
                )
                % {"count": kept},
            )
        if not revoked and not kept:
            messages.info(self.request, _("You have no API tokens, so none was affected."))
