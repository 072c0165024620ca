"""One's own API tokens: the list, issuing one (shown once), revoking one after confirming.

Only the owner sees or revokes a token here: another person's token id answers 404, the
same as an id that does not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from hikeshi.accounts.forms import TokenForm
from hikeshi.accounts.models import ApiToken
from hikeshi.accounts.selectors import own_token, tokens_of
from hikeshi.accounts.tokens import issue_token, revoke_token
from hikeshi.incidents.services.errors import InvalidInput
from hikeshi.incidents.views.guards import acting_user, refuse_method
from hikeshi.web.proxies import client_address


def _render_list(
    request: HttpRequest,
    user: User,
    form: TokenForm,
    *,
    new_token: tuple[ApiToken, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "accounts/tokens.html",
        {"tokens": tokens_of(user), "form": form, "new_token": new_token},
        status=status,
    )


@login_required
@never_cache
def api_tokens(request: HttpRequest) -> HttpResponse:
    """List the person's tokens; on POST, issue one and show it this once."""
    user = acting_user(request)
    if refused := refuse_method(request, "GET", "HEAD", "POST"):
        return refused
    if request.method != "POST":
        return _render_list(request, user, TokenForm())
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            issued = issue_token(
                user,
                form.cleaned_data["name"],
                actor=user,
                via="web",
                client_address=client_address(request),
            )
        except InvalidInput as error:
            form.add_error("name", _(error.message))
        else:
            # Rendered in this response, not after a redirect: the raw token is never kept,
            # not even in the session.
            return _render_list(request, user, TokenForm(), new_token=issued)
    return _render_list(request, user, form, status=400)


def _own_token(user: User, token_id: int) -> ApiToken:
    token = own_token(user, token_id)
    if token is None:
        raise Http404("no such token of yours")
    return token


@login_required
def revoke_api_token(request: HttpRequest, token_id: int) -> HttpResponse:
    """Ask to confirm (GET), then revoke (POST) one of the person's own tokens."""
    user = acting_user(request)
    token = _own_token(user, token_id)
    if refused := refuse_method(request, "GET", "HEAD", "POST"):
        return refused
    if request.method != "POST":
        return render(request, "accounts/token_revoke.html", {"token": token})
    if revoke_token(token, actor=user, via="web", client_address=client_address(request)):
        messages.success(
            request,
            _("The token “%(name)s” is revoked; requests with it are refused from now on.")
            % {"name": token.name},
        )
    else:
        messages.info(
            request, _("The token “%(name)s” was already revoked.") % {"name": token.name}
        )
    return HttpResponseRedirect(reverse("api_tokens"))
