"""A person's preferences and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX = "hks_"  # noqa: S105 - a public prefix that makes leaked tokens greppable


def hash_token(raw: str) -> str:
    """Return the SHA-256 hex digest stored in place of a token."""
    return hashlib.sha256(raw.encode()).hexdigest()


class Preference(models.Model):
    """What a person chose for themselves: the interface language."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preference"
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)

    def __str__(self) -> str:
        return f"{self.user} ({self.language})"


class ApiToken(models.Model):
    """A bearer token for the REST API; only its hash is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, user: User, name: str) -> tuple[ApiToken, str]:
        """Return a new token row and the raw token, which is shown once and never stored."""
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, token_hash=hash_token(raw), prefix=raw[:8])
        return token, raw


class TotpDevice(models.Model):
    """A person's authenticator app (TOTP, RFC 6238): the shared secret and its state.

    The row exists from the start of enrolment; sign-in asks for a code only once
    ``confirmed_at`` is set, i.e. after the person proved their app produces the codes.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="totp_device"
    )
    # Base32, as authenticator apps take it; 32 characters carry 160 bits (RFC 4226 §4).
    secret = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The time step of the newest accepted code: a code of that step or an earlier one is
    # refused, so an overheard code cannot be replayed (RFC 6238 §5.2).
    last_used_step = models.BigIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        state = "on" if self.confirmed_at else "enrolling"
        return f"TOTP for {self.user} ({state})"


class RecoveryCode(models.Model):
    """A one-time code that stands in for the authenticator app; only its hash is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["user", "code_hash"], name="recovery_code_once")
        ]

    def __str__(self) -> str:
        return f"recovery code of {self.user} ({'used' if self.used_at else 'unused'})"
