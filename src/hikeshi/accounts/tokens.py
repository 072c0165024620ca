"""Issuing and revoking API tokens, for the web pages and the command line alike.

Each change is one transaction with its site-log entry. A revoked token stays listed (with
when it was revoked), so that its owner can still tell which one was used when.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from hikeshi.accounts.models import ApiToken
from hikeshi.incidents.services.errors import InvalidInput
from hikeshi.sitelog.services import DetailValue, SiteEventKind, record_site_event

# ApiToken.name's max_length: SQLite would not enforce it.
TOKEN_NAME_LIMIT = 100


def tokens_of(user: User) -> QuerySet[ApiToken]:
    """Return the person's tokens, live ones first, newest first within each group."""
    return ApiToken.objects.filter(user=user).order_by(
        F("revoked_at").desc(nulls_first=True), "-created_at", "-pk"
    )


def live_tokens(user: User) -> QuerySet[ApiToken]:
    """Return the person's tokens that the API still accepts."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True)


def clean_token_name(name: str) -> str:
    """Return the name trimmed; raise InvalidInput (field ``name``) if it is empty or too long."""
    cleaned = name.strip()
    if not cleaned:
        raise InvalidInput("name", "say what the token is for")
    if len(cleaned) > TOKEN_NAME_LIMIT:
        raise InvalidInput("name", f"at most {TOKEN_NAME_LIMIT} characters")
    return cleaned


def issue_token(
    user: User,
    name: str,
    *,
    actor: User | None,
    via: str,
    detail: dict[str, DetailValue] | None = None,
    client_address: str | None = None,
) -> tuple[ApiToken, str]:
    """Return a new token of ``user`` and its raw value, which is shown once and never stored."""
    cleaned = clean_token_name(name)
    with transaction.atomic():
        token, raw = ApiToken.issue(user, cleaned)
        record_site_event(
            SiteEventKind.API_TOKEN_ISSUED,
            actor=actor,
            subject=user.get_username(),
            detail={
                "via": via,
                "token_name": token.name,
                "token_prefix": token.prefix,
                **(detail or {}),
            },
            client_address=client_address,
        )
    return token, raw


def revoke_token(
    token: ApiToken,
    *,
    actor: User | None,
    via: str,
    detail: dict[str, DetailValue] | None = None,
    client_address: str | None = None,
) -> bool:
    """Revoke the token now; return False if it was revoked already (nothing recorded)."""
    with transaction.atomic():
        now = timezone.now()
        # Conditional, so that two revocations at once record one event and keep the first time.
        changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=now
        )
        if not changed:
            return False
        token.revoked_at = now
        record_site_event(
            SiteEventKind.API_TOKEN_REVOKED,
            actor=actor,
            subject=token.user.get_username(),
            detail={
                "via": via,
                "token_name": token.name,
                "token_prefix": token.prefix,
                **(detail or {}),
            },
            client_address=client_address,
        )
    return True


def revoke_all_tokens(
    user: User,
    *,
    actor: User | None,
    via: str,
    detail: dict[str, DetailValue] | None = None,
    client_address: str | None = None,
) -> int:
    """Revoke every live token of ``user``; return how many were revoked."""
    revoked = 0
    with transaction.atomic():
        for token in live_tokens(user).select_related("user"):
            if revoke_token(
                token, actor=actor, via=via, detail=detail, client_address=client_address
            ):
                revoked += 1
    return revoked
