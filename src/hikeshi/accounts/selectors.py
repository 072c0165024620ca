"""Reads of accounts that the pages, the API and the CLI share: people, tokens, preferences."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from hikeshi.accounts.models import ApiToken, Preference, TotpDevice, hash_token


def user_named(username: str) -> User | None:
    """Return the account with this user name, active or not, or None."""
    return User.objects.filter(username=username).first()


def active_user_named(username: str) -> User | None:
    """Return the active account with this user name, or None."""
    return User.objects.filter(username=username, is_active=True).first()


def user_with_id(user_id: int, *, active: bool = False) -> User | None:
    """Return the account with this id (only an active one, with ``active``), or None."""
    people = User.objects.filter(pk=user_id)
    return (people.filter(is_active=True) if active else people).first()


def first_site_admin() -> User | None:
    """Return the active site administrator created first, or None."""
    return User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()


def any_site_admin() -> bool:
    """Return whether any account, active or not, has site administrator rights."""
    return User.objects.filter(is_superuser=True).exists()


def accounts_overview() -> QuerySet[User]:
    """Return the active accounts, site admins first, each with ``uses_two_factor`` and
    ``live_tokens`` (how many API tokens still work)."""
    return (
        User.objects.filter(is_active=True)
        .annotate(
            uses_two_factor=Exists(
                TotpDevice.objects.filter(user=OuterRef("pk"), confirmed_at__isnull=False)
            ),
            live_tokens=Count("api_tokens", filter=Q(api_tokens__revoked_at__isnull=True)),
        )
        .order_by("-is_superuser", "username", "pk")
    )


def preferred_language(user: User) -> str | None:
    """Return the interface language the person chose, or None."""
    return Preference.objects.filter(user=user).values_list("language", flat=True).first()


def token_for_secret(raw: str) -> ApiToken | None:
    """Return the unrevoked token whose secret this is, with its user, or None."""
    return (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True)
        .first()
    )


def tokens_of(user: User) -> QuerySet[ApiToken]:
    """Return the person's tokens, live ones first, newest first within each group."""
    return ApiToken.objects.filter(user=user).order_by(
        F("revoked_at").desc(nulls_first=True), "-created_at", "-pk"
    )


def live_tokens(user: User) -> QuerySet[ApiToken]:
    """Return the person's tokens that the API still accepts."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True)


def own_token(user: User, token_id: int) -> ApiToken | None:
    """Return the person's own token with this id, or None."""
    return ApiToken.objects.filter(pk=token_id, user=user).select_related("user").first()


def live_tokens_starting(prefix: str, user: User | None = None) -> list[ApiToken]:
    """Return the live tokens whose listed prefix this is (only ``user``'s, if given)."""
    tokens = ApiToken.objects.filter(prefix=prefix, revoked_at__isnull=True)
    if user is not None:
        tokens = tokens.filter(user=user)
    return list(tokens.select_related("user"))
