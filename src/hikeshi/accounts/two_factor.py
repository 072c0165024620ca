"""Two-factor sign-in: enrolling an authenticator app (TOTP), checking codes, recovery codes.

Every change is one transaction and records its site-log event in it. Codes are checked
against the database, never cached: a code accepted once is refused afterwards, also by a
second request running at the same moment (conditional UPDATE, see ``_accept_step``).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import pyotp
import segno
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from hikeshi.accounts.models import RecoveryCode, TotpDevice
from hikeshi.sitelog.services import DetailValue, SiteEventKind, record_site_event

RECOVERY_CODE_COUNT = 10
# Lower-case letters and digits without 0/o, 1/l/i: read off paper without mistakes.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_CODE_LENGTH = 10  # about 49 bits each; they are throttled like passwords
TOTP_DIGITS = 6
TOTP_INTERVAL = 30
# A code of the previous or the next 30-second step is accepted too: phone clocks drift
# and typing takes time (RFC 6238 §5.2 recommends at most one step back).
TOTP_WINDOW = 1
ISSUER = "hikeshi"

_SEPARATORS = re.compile(r"[\s\-]+")


class CodeKind(StrEnum):
    """Which kind of second factor a code turned out to be."""

    TOTP = "totp"
    RECOVERY = "recovery"


class CodeRefused(ValueError):
    """The code is wrong, already used, or there is no two-factor set-up to check it against."""


@dataclass(frozen=True)
class TwoFactorState:
    """What a person's preferences page shows about their second factor."""

    enabled: bool
    enabled_at: datetime | None
    recovery_codes_left: int


def normalise_code(text: str) -> str:
    """Return the code without spaces and hyphens, lower-case, as it is compared."""
    return _SEPARATORS.sub("", text).lower()


def hash_recovery_code(code: str) -> str:
    """Return the SHA-256 hex digest stored in place of a recovery code."""
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def is_enabled(user: User) -> bool:
    """Return whether sign-in asks this person for a second factor."""
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def state_of(user: User) -> TwoFactorState:
    """Return whether 2FA is on, since when, and how many recovery codes are unused."""
    device = TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
    left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count() if device else 0
    return TwoFactorState(
        enabled=device is not None,
        enabled_at=device.confirmed_at if device else None,
        recovery_codes_left=left,
    )


def pending_device(user: User) -> TotpDevice:
    """Return the device being enrolled, creating it with a fresh secret if there is none.

    The same secret is returned until enrolment is confirmed, so reloading the page does
    not invalidate what the person already scanned.
    """
    device, _created = TotpDevice.objects.get_or_create(
        user=user, defaults={"secret": pyotp.random_base32(length=32)}
    )
    return device


def provisioning_uri(device: TotpDevice, host: str) -> str:
    """Return the otpauth:// URI an authenticator app reads from the QR code.

    The account label names the person and, when it can be written in a label, the site,
    so that someone with accounts on several hikeshi sites can tell them apart.
    """
    name = device.user.get_username()
    if host and ":" not in host:
        name = f"{name}@{host}"
    return pyotp.TOTP(device.secret, digits=TOTP_DIGITS, interval=TOTP_INTERVAL).provisioning_uri(
        name=name, issuer_name=ISSUER
    )


def qr_code_svg(uri: str, title: str) -> str:
    """Return an inline SVG QR code of ``uri`` (no script, no style attribute: CSP-safe)."""
    code = segno.make(uri, error="m", micro=False)
    svg: str = code.svg_inline(
        scale=4, border=4, dark="#000", light="#fff", svgclass="qr-code", title=title
    )
    return svg


def format_secret(secret: str) -> str:
    """Return the secret in groups of four, as it is easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _totp(device: TotpDevice) -> pyotp.TOTP:
    return pyotp.TOTP(device.secret, digits=TOTP_DIGITS, interval=TOTP_INTERVAL)


def _matching_step(device: TotpDevice, code: str) -> int | None:
    """Return the time step whose code ``code`` is (within the window), or None."""
    if len(code) != TOTP_DIGITS or not code.isdigit():
        return None
    totp = _totp(device)
    now_step = totp.timecode(timezone.now())
    for step in range(now_step - TOTP_WINDOW, now_step + TOTP_WINDOW + 1):
        if pyotp.utils.strings_equal(code, totp.generate_otp(step)):
            return step
    return None


def _accept_step(device: TotpDevice, step: int) -> bool:
    """Record ``step`` as used; return False if it (or a later one) was used already."""
    updated = (
        TotpDevice.objects.filter(pk=device.pk)
        .filter(Q(last_used_step__isnull=True) | Q(last_used_step__lt=step))
        .update(last_used_step=step)
    )
    return updated == 1


def _new_recovery_codes(user: User) -> list[str]:
    """Replace the person's recovery codes with fresh ones; return them (shown only once)."""
    RecoveryCode.objects.filter(user=user).delete()
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hash=hash_recovery_code(code)) for code in codes
    )
    return codes


def _via(via: str, extra: dict[str, DetailValue] | None = None) -> dict[str, DetailValue]:
    return {"via": via, **(extra or {})}


def confirm_enrolment(user: User, code: str, *, client_address: str | None) -> list[str]:
    """Turn two-factor sign-in on once ``code`` proves the app works; return recovery codes.

    Raises CodeRefused when the code does not match the secret being enrolled.
    """
    with transaction.atomic():
        device = (
            TotpDevice.objects.select_for_update()
            .filter(user=user, confirmed_at__isnull=True)
            .first()
        )
        if device is None:
            raise CodeRefused("no enrolment in progress")
        step = _matching_step(device, normalise_code(code))
        if step is None:
            raise CodeRefused("the code does not match")
        device.confirmed_at = timezone.now()
        device.last_used_step = step
        device.save(update_fields=["confirmed_at", "last_used_step"])
        codes = _new_recovery_codes(user)
        record_site_event(
            SiteEventKind.TWO_FACTOR_ENABLED,
            actor=user,
            subject=user.get_username(),
            detail=_via("web"),
            client_address=client_address,
        )
        record_site_event(
            SiteEventKind.RECOVERY_CODES_GENERATED,
            actor=user,
            subject=user.get_username(),
            detail=_via("web", {"count": len(codes)}),
            client_address=client_address,
        )
    return codes


def check_code(user: User, code: str, *, allow_recovery: bool = True) -> CodeKind:
    """Return which factor ``code`` is, consuming it; raise CodeRefused if it is not valid.

    A TOTP code (six digits) is accepted once, within one step either side of now; a
    recovery code (unless ``allow_recovery`` is false) is accepted once, ever.
    """
    device = TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
    if device is None:
        raise CodeRefused("two-factor sign-in is not on")
    normalised = normalise_code(code)
    step = _matching_step(device, normalised)
    if step is not None:
        if _accept_step(device, step):
            return CodeKind.TOTP
        raise CodeRefused("this code was used already")
    if allow_recovery and len(normalised) == RECOVERY_CODE_LENGTH:
        used = RecoveryCode.objects.filter(
            user=user, code_hash=hash_recovery_code(normalised), used_at__isnull=True
        ).update(used_at=timezone.now())
        if used == 1:
            return CodeKind.RECOVERY
    raise CodeRefused("the code does not match")


def regenerate_recovery_codes(user: User, code: str, *, client_address: str | None) -> list[str]:
    """Return ten new recovery codes (the old ones stop working) once app code ``code`` is valid.

    A recovery code does not do here: new codes must come from someone holding the app.
    """
    with transaction.atomic():
        check_code(user, code, allow_recovery=False)
        codes = _new_recovery_codes(user)
        record_site_event(
            SiteEventKind.RECOVERY_CODES_GENERATED,
            actor=user,
            subject=user.get_username(),
            detail=_via("web", {"count": len(codes)}),
            client_address=client_address,
        )
    return codes


def _remove(user: User) -> bool:
    RecoveryCode.objects.filter(user=user).delete()
    deleted, _ = TotpDevice.objects.filter(user=user).delete()
    return deleted > 0


def disable(user: User, code: str, *, client_address: str | None) -> None:
    """Turn the person's own two-factor sign-in off once ``code`` is valid."""
    with transaction.atomic():
        kind = check_code(user, code)
        _remove(user)
        record_site_event(
            SiteEventKind.TWO_FACTOR_DISABLED,
            actor=user,
            subject=user.get_username(),
            detail=_via("web", {"confirmed_with": kind.value}),
            client_address=client_address,
        )


def reset(
    actor: User | None,
    user: User,
    *,
    via: str,
    detail: dict[str, DetailValue] | None = None,
    client_address: str | None = None,
) -> bool:
    """Remove someone's two-factor set-up (lost phone); return False if there was none.

    Done by a site administrator; the person signs in with their password alone afterwards
    (or is sent to enrol again, when site administrators must use 2FA).
    """
    with transaction.atomic():
        enabled = is_enabled(user)
        # An enrolment never confirmed goes too, quietly: sign-in never asked for it.
        _remove(user)
        if not enabled:
            return False
        record_site_event(
            SiteEventKind.TWO_FACTOR_DISABLED,
            actor=actor,
            subject=user.get_username(),
            detail=_via(via, {"reset_by_admin": True, **(detail or {})}),
            client_address=client_address,
        )
    return True
