"""Issuing and revoking API tokens, for the web pages and the command line alike.

Each change is one transaction with its site-log entry. A revoked token stays listed (with
when it was revoked), so that its owner can still tell which one was used when.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from hikeshi.accounts.models import ApiToken
from hikeshi.accounts.selectors import live_tokens
from hikeshi.incidents.services.errors import InvalidInput
from hikeshi.sitelog.services import DetailValue, SiteEventKind, record_site_event

# ApiToken.name's max_length: SQLite would not enforce it.
TOKEN_NAME_LIMIT = 100
# How stale ``last_used_at`` may get: "used in the last minute" is precise enough to spot
# a forgotten or leaked token, and spares every API request a database write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


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


def record_use(token: ApiToken) -> None:
    """Note that the token was just used (at most once per LAST_USED_RESOLUTION)."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    # Conditional, so that concurrent requests in the same minute write only once; an
    # UPDATE of one column, so that it cannot undo a revocation made meanwhile.
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)
