"""The form giving an existing user a role in an incident."""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from hikeshi.accounts.selectors import active_user_named
from hikeshi.incidents.forms.fields import column_text, model_label
from hikeshi.incidents.models import Membership
from hikeshi.incidents.vocabulary import Role


class MemberForm(forms.Form):
    """A user name, a role and (optionally) the person's affiliation."""

    member: User | None = None

    username = forms.CharField(label=_("User name"), max_length=150)
    role = forms.ChoiceField(label=model_label(Membership, "role"), choices=Role.choices)
    affiliation = column_text(Membership, "affiliation")

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"].strip()
        self.member = active_user_named(username)
        if self.member is None:
            raise forms.ValidationError(_("There is no active user with this user name."))
        return username
