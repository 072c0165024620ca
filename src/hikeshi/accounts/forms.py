"""Forms of the account pages: codes, API tokens, the password change, unlocking."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from hikeshi.accounts.lockouts import normalise_address
from hikeshi.accounts.selectors import live_tokens
from hikeshi.accounts.tokens import TOKEN_NAME_LIMIT

# Long enough for a recovery code typed with spaces ("abcde fghjk"), short enough to
# refuse a pasted paragraph before it is compared with anything.
CODE_MAX_LENGTH = 32


class CodeForm(forms.Form):
    """A code from the authenticator app, or (where allowed) a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=CODE_MAX_LENGTH,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args: Any, recovery_allowed: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        if recovery_allowed:
            field.help_text = _(
                "The 6-digit code your authenticator app shows now, or one of your recovery codes."
            )
        else:
            field.help_text = _("The 6-digit code your authenticator app shows now.")
            field.widget.attrs["inputmode"] = "numeric"


class TokenForm(forms.Form):
    """The purpose of a new API token."""

    name = forms.CharField(
        label=_("What the token is for"),
        max_length=TOKEN_NAME_LIMIT,
        help_text=_("For example “SIEM integration” or “ticket system”."),
    )


class PasswordChangeWithTokensForm(PasswordChangeForm):
    """Django's password change, plus revoking the person's API tokens (ticked by default).

    A password is usually changed because it may be known to someone else, who may have
    issued a token with it; the tokens are offered for revocation at the same time.
    """

    revoke_tokens = forms.BooleanField(required=False, initial=True)

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.live_token_count = live_tokens(user).count()
        if self.live_token_count == 0:
            del self.fields["revoke_tokens"]
        else:
            self.fields["revoke_tokens"].label = ngettext(
                "Also revoke my API token (%(count)d). Scripts using it stop working.",
                "Also revoke my %(count)d API tokens. Scripts using them stop working.",
                self.live_token_count,
            ) % {"count": self.live_token_count}


class UnlockForm(forms.Form):
    """Which locked sign-in to clear: a user name, and optionally one address."""

    username = forms.CharField(label=_("User name"), max_length=150)
    address = forms.CharField(label=_("Address"), max_length=64, required=False)

    def clean_address(self) -> str | None:
        """Return the address as stored, or None for every address of the user name."""
        text: str = self.cleaned_data["address"]
        if not text.strip():
            return None
        try:
            return normalise_address(text)
        except ValueError:
            raise forms.ValidationError(
                _("Enter an IPv4 or IPv6 address, or leave it empty for every address.")
            ) from None
