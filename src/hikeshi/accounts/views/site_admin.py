"""Sign-in security for site administrators: lock-outs to clear, two-factor set-ups to reset.

Anyone else gets 404, before the method is looked at, as for the site log: the pages name
accounts and addresses. Nothing here shows the lock-out store's internal keys, only names
and addresses.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hikeshi.accounts import two_factor
from hikeshi.accounts.forms import UnlockForm
from hikeshi.accounts.lockouts import clear_lockout, cool_off, failed_sign_ins, failure_limit
from hikeshi.accounts.selectors import accounts_overview, user_with_id
from hikeshi.incidents.access import is_site_admin
from hikeshi.incidents.views.guards import acting_user, refuse_method
from hikeshi.web.proxies import client_address

ACCOUNTS_PER_PAGE = 50


def _site_admin(request: HttpRequest) -> User:
    user = acting_user(request)
    if not is_site_admin(user):
        raise Http404("no such page")
    return user


@login_required
def lockouts(request: HttpRequest) -> HttpResponse:
    """List locked sign-ins and recent failures, each with a button to clear it."""
    _site_admin(request)
    if refused := refuse_method(request, "GET", "HEAD"):
        return refused
    entries = failed_sign_ins()
    return render(
        request,
        "accounts/lockouts.html",
        {
            "locked": [entry for entry in entries if entry.locked],
            "failing": [entry for entry in entries if not entry.locked],
            "failure_limit": failure_limit(),
            "cool_off_minutes": int(cool_off().total_seconds() // 60),
            "form": UnlockForm(),
        },
    )


@login_required
def clear(request: HttpRequest) -> HttpResponse:
    """Clear the failures of a user name (from one address, or from all of them)."""
    admin = _site_admin(request)
    if refused := refuse_method(request, "POST"):
        return refused
    form = UnlockForm(request.POST)
    if not form.is_valid():
        # The form is made of hidden fields on this page: say which value was refused.
        for field in form:
            for error in field.errors:
                messages.error(request, f"{field.label}: {error}")
        return HttpResponseRedirect(reverse("lockouts"))
    username: str = form.cleaned_data["username"]
    address: str | None = form.cleaned_data["address"]
    cleared = clear_lockout(
        admin, username, address, via="web", client_address=client_address(request)
    )
    if not cleared:
        messages.info(request, _("There were no failed sign-ins to clear."))
    elif address is None:
        messages.success(
            request,
            ngettext(
                "Cleared %(count)d failed sign-in of %(user)s from every address.",
                "Cleared %(count)d failed sign-ins of %(user)s from every address.",
                cleared,
            )
            % {"count": cleared, "user": username},
        )
    else:
        messages.success(
            request,
            ngettext(
                "Cleared %(count)d failed sign-in of %(user)s from %(address)s.",
                "Cleared %(count)d failed sign-ins of %(user)s from %(address)s.",
                cleared,
            )
            % {"count": cleared, "user": username, "address": address},
        )
    return HttpResponseRedirect(reverse("lockouts"))


@login_required
def two_factor_overview(request: HttpRequest) -> HttpResponse:
    """List the accounts with whether each uses 2FA and how many API tokens are live."""
    _site_admin(request)
    if refused := refuse_method(request, "GET", "HEAD"):
        return refused
    page = Paginator(accounts_overview(), ACCOUNTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/two_factor_overview.html",
        {
            "users": page.object_list,
            "page": page,
            "required_for_admins": settings.HIKESHI_REQUIRE_2FA_FOR_ADMINS,
        },
    )


@login_required
def reset_two_factor(request: HttpRequest, user_id: int) -> HttpResponse:
    """Confirm (GET), then remove (POST) someone's two-factor set-up, e.g. after a lost phone."""
    admin = _site_admin(request)
    if refused := refuse_method(request, "GET", "HEAD", "POST"):
        return refused
    person = user_with_id(user_id)
    if person is None:
        raise Http404("no such user")
    if request.method != "POST":
        return render(
            request,
            "accounts/two_factor_reset.html",
            {"person": person, "enabled": two_factor.is_enabled(person)},
        )
    if two_factor.reset(admin, person, via="web", client_address=client_address(request)):
        messages.success(
            request,
            _(
                "Two-factor sign-in of %(user)s is reset: they sign in with their password "
                "and can set it up again under Preferences."
            )
            % {"user": person.get_username()},
        )
    else:
        messages.info(
            request,
            _("%(user)s does not use two-factor sign-in; nothing was changed.")
            % {"user": person.get_username()},
        )
    return HttpResponseRedirect(reverse("two_factor_overview"))
