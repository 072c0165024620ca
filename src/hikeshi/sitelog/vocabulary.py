"""What the site log records: the kinds of account event and how their details read."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from collections.abc import Sequence

    from django_stubs_ext import StrOrPromise


class SiteEventKind(models.TextChoices):
    """A change to an account or to how someone may sign in; the key is stored and hashed."""

    USER_CREATED = "user_created", _("Account created")
    USER_CHANGED = "user_changed", _("Account details changed")
    USER_DEACTIVATED = "user_deactivated", _("Account deactivated")
    USER_REACTIVATED = "user_reactivated", _("Account reactivated")
    USER_DELETED = "user_deleted", _("Account deleted")
    PASSWORD_SET_BY_ADMIN = "password_set_by_admin", _("Password set by an administrator")
    PASSWORD_CHANGED = "password_changed", _("Password changed by its owner")
    API_TOKEN_ISSUED = "api_token_issued", _("API token issued")
    API_TOKEN_REVOKED = "api_token_revoked", _("API token revoked")
    SITE_ADMIN_GRANTED = "site_admin_granted", _("Site administrator rights granted")
    SITE_ADMIN_REMOVED = "site_admin_removed", _("Site administrator rights removed")
    LOGIN_LOCKED_OUT = "login_locked_out", _("Sign-in locked out")
    LOCKOUT_CLEARED = "lockout_cleared", _("Sign-in lock-out cleared")
    TWO_FACTOR_ENABLED = "two_factor_enabled", _("Two-factor sign-in enabled")
    TWO_FACTOR_DISABLED = "two_factor_disabled", _("Two-factor sign-in disabled")
    RECOVERY_CODES_GENERATED = "recovery_codes_generated", _("Recovery codes generated")


def kind_label(kind: str) -> str:
    """Return the event kind's label in the active language (the key if it is unknown)."""
    return str(SiteEventKind(kind).label) if kind in SiteEventKind.values else kind


def site_event_choices() -> Sequence[tuple[str, StrOrPromise]]:
    """Return the kinds as field choices.

    A callable, so that the migration names it rather than copying the list: a kind added
    later needs no migration.
    """
    return SiteEventKind.choices


# Labels of the detail keys hikeshi writes; a key without one is shown as it is stored.
# Modules that record their own events add their keys here.
DETAIL_LABELS: dict[str, StrOrPromise] = {
    "via": _("Through"),
    "system_user": _("Operating-system user"),
    "site_admin": _("Site administrator"),
    "password": _("Password"),
    "password_usable": _("Password sign-in allowed"),
    "token_name": _("Token name"),
    "token_prefix": _("Token prefix"),
    "fields": _("Fields changed"),
    "previous_username": _("Previous user name"),
    "staff": _("Admin site access"),
    "unparsed_client_address": _("Unreadable client address"),
    # Sign-in security (hikeshi.accounts): lock-outs, two-factor sign-in, password changes.
    "failures": _("Failed attempts"),
    "locked_address": _("Locked address"),
    "page": _("Refused on"),
    "count": _("Codes made"),
    "confirmed_with": _("Confirmed with"),
    "reset_by_admin": _("Reset by an administrator"),
    "reason": _("Reason"),
    "tokens_revoked": _("API tokens revoked"),
    "tokens_kept": _("API tokens left valid"),
}

# Labels of the values of detail keys whose values come from a fixed set.
DETAIL_VALUE_LABELS: dict[str, dict[str, StrOrPromise]] = {
    "via": {
        "cli": _("command line"),
        "init": _("hikeshi init"),
        "admin": _("admin site"),
        "web": _("web interface"),
        "api": _("REST API"),
    },
    "password": {
        "generated": _("generated and shown once"),
        "chosen": _("chosen by the administrator"),
        "unusable": _("none (password sign-in disabled)"),
    },
    "locked_address": {"all": _("every address")},
    "page": {
        "login": _("sign-in (password)"),
        "login_code": _("sign-in (code)"),
        "password_change": _("password change"),
        "two_factor_disable": _("turning off two-factor sign-in"),
        "recovery_codes": _("new recovery codes"),
    },
    "confirmed_with": {
        "totp": _("authenticator app code"),
        "recovery": _("recovery code"),
    },
    "reason": {"password_changed": _("password changed")},
}
