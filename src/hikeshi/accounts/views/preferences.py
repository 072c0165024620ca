"""The preferences page: language, password, two-factor sign-in, API tokens in one place."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render

from hikeshi.accounts import two_factor
from hikeshi.accounts.forms import CodeForm
from hikeshi.accounts.selectors import live_tokens
from hikeshi.incidents.access import is_site_admin
from hikeshi.incidents.views.guards import acting_user


def disable_form(data: QueryDict | None = None) -> CodeForm:
    """Return the form turning 2FA off (an app code or a recovery code)."""
    return CodeForm(data, auto_id="id_disable_%s")


def regenerate_form(data: QueryDict | None = None) -> CodeForm:
    """Return the form making new recovery codes (an app code only: it proves the phone)."""
    return CodeForm(data, auto_id="id_regenerate_%s", recovery_allowed=False)


def render_preferences(
    request: HttpRequest,
    user: User,
    *,
    disable: CodeForm | None = None,
    regenerate: CodeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """Return the preferences page, with the given (bound, invalid) forms if any."""
    return render(
        request,
        "accounts/preferences.html",
        {
            "two_factor": two_factor.state_of(user),
            "live_token_count": live_tokens(user).count(),
            "disable_form": disable or disable_form(),
            "regenerate_form": regenerate or regenerate_form(),
            "site_admin": is_site_admin(user),
        },
        status=status,
    )


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """Show the person's sign-in settings and where to change each."""
    return render_preferences(request, acting_user(request))
