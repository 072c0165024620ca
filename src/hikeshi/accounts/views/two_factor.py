"""Setting up, turning off and renewing one's own two-factor sign-in.

Secrets and recovery codes appear only in the response to the request that made them,
marked not to be cached, and are never kept anywhere in plain text.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.request import split_domain_port
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from hikeshi.accounts import throttle, two_factor
from hikeshi.accounts.forms import CodeForm
from hikeshi.accounts.two_factor import CodeRefused
from hikeshi.accounts.views.preferences import disable_form, regenerate_form, render_preferences
from hikeshi.incidents.views.guards import acting_user
from hikeshi.web.proxies import client_address


def _render_codes(request: HttpRequest, codes: list[str], *, first_time: bool) -> HttpResponse:
    return render(
        request, "accounts/recovery_codes.html", {"codes": codes, "first_time": first_time}
    )


@login_required
@never_cache
@sensitive_post_parameters("code")
def enrol(request: HttpRequest) -> HttpResponse:
    """Show the QR code and secret of a new authenticator; turn 2FA on with a valid code."""
    user = acting_user(request)
    if two_factor.is_enabled(user):
        messages.info(request, _("Two-factor sign-in is already on."))
        return HttpResponseRedirect(reverse("preferences"))
    device = two_factor.pending_device(user)
    form = CodeForm(request.POST if request.method == "POST" else None, recovery_allowed=False)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.confirm_enrolment(
                user, form.cleaned_data["code"], client_address=client_address(request)
            )
        except CodeRefused:
            form.add_error(
                "code",
                _(
                    "This code does not match. Enter the code the app shows now; if it "
                    "still fails, check that the phone's clock is set automatically."
                ),
            )
        else:
            messages.success(request, _("Two-factor sign-in is on."))
            return _render_codes(request, codes, first_time=True)
    host, _port = split_domain_port(request.get_host())
    uri = two_factor.provisioning_uri(device, host)
    return render(
        request,
        "accounts/two_factor_enrol.html",
        {
            "form": form,
            "qr_svg": two_factor.qr_code_svg(uri, _("QR code to scan with an authenticator app")),
            "secret": two_factor.format_secret(device.secret),
            "digits": two_factor.TOTP_DIGITS,
            "interval": two_factor.TOTP_INTERVAL,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
@sensitive_post_parameters("code")
def disable(request: HttpRequest) -> HttpResponse:
    """Turn one's own 2FA off, confirmed with an app code or a recovery code."""
    user = acting_user(request)
    username = user.get_username()
    if throttle.is_locked(request, username):
        return throttle.lockout_response(request, None, throttle.credentials_for(username))
    form = disable_form(request.POST)
    if form.is_valid():
        try:
            two_factor.disable(
                user, form.cleaned_data["code"], client_address=client_address(request)
            )
        except CodeRefused:
            form.add_error("code", _("This code is not valid. Nothing was changed."))
            throttle.count_failure(request, username, "code to turn off 2FA")
        else:
            messages.success(
                request,
                _(
                    "Two-factor sign-in is off; your password alone signs you in now. "
                    "Remove hikeshi from your authenticator app."
                ),
            )
            return HttpResponseRedirect(reverse("preferences"))
    return render_preferences(request, user, disable=form, status=400)


@login_required
@require_POST
@never_cache
@sensitive_post_parameters("code")
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Replace the recovery codes, confirmed with an app code; show the new ones once."""
    user = acting_user(request)
    username = user.get_username()
    if throttle.is_locked(request, username):
        return throttle.lockout_response(request, None, throttle.credentials_for(username))
    form = regenerate_form(request.POST)
    if form.is_valid():
        try:
            codes = two_factor.regenerate_recovery_codes(
                user, form.cleaned_data["code"], client_address=client_address(request)
            )
        except CodeRefused:
            form.add_error("code", _("This code is not valid. Your recovery codes are unchanged."))
            throttle.count_failure(request, username, "code to renew recovery codes")
        else:
            return _render_codes(request, codes, first_time=False)
    return render_preferences(request, user, regenerate=form, status=400)
