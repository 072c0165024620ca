"""Two-factor sign-in: enrolment, the code step, recovery codes, reuse, throttling, admins."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pyotp
import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from tests.web.conftest import Clock, controlled_clock

from hikeshi.accounts import two_factor
from hikeshi.accounts.models import RecoveryCode, TotpDevice
from hikeshi.accounts.two_factor import hash_recovery_code
from hikeshi.sitelog.models import SiteLogEntry

PASSWORD = "correct horse battery staple"  # the shared test users' password (tests/conftest.py)
START = datetime(2026, 11, 20, 9, 0, 10, tzinfo=ZoneInfo("Asia/Tokyo"))


@pytest.fixture
def clock() -> Iterator[Clock]:
    with controlled_clock(START) as controlled:
        yield controlled


def _code(secret: str, at: datetime) -> str:
    return pyotp.TOTP(secret).at(at)


def _enrol(client: Client, clock: Clock) -> tuple[str, list[str]]:
    """Enrol through the pages; return the secret and the recovery codes shown."""
    page = client.get(reverse("two_factor_enrol")).content.decode()
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page)
    assert secret is not None
    raw = secret.group(1).replace(" ", "")
    shown = client.post(reverse("two_factor_enrol"), {"code": _code(raw, clock.now)})
    assert shown.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", shown.content.decode())
    return raw, codes


@pytest.fixture
def enrolled(lead: User, clock: Clock) -> tuple[str, list[str]]:
    """Lead with two-factor sign-in on; return the secret and the recovery codes."""
    client = Client()
    client.force_login(lead)
    return _enrol(client, clock)


def _password_step(client: Client, address: str = "203.0.113.9") -> Any:
    return client.post(
        reverse("login"), {"username": "lead", "password": PASSWORD}, REMOTE_ADDR=address
    )


def _code_step(client: Client, code: str, address: str = "203.0.113.9") -> Any:
    return client.post(reverse("login_code"), {"code": code}, REMOTE_ADDR=address)


def _signed_in(client: Client) -> bool:
    return bool(client.get(reverse("incidents:list")).status_code == 200)


@pytest.mark.django_db
def test_enrolment_shows_a_local_qr_code_and_the_secret(lead: User) -> None:
    client = Client()
    client.force_login(lead)
    response = client.get(reverse("two_factor_enrol"))
    page = response.content.decode()
    assert response.status_code == 200
    assert '<svg width="' in page and 'class="qr-code"' in page
    # Allowed by the page's policy: no inline script, no style attribute, nothing fetched.
    assert "<script" not in page and "style=" not in page and "otpauth://" not in page
    assert "no-store" in response["Cache-Control"]
    device = TotpDevice.objects.get(user=lead)
    assert two_factor.format_secret(device.secret) in page
    assert device.confirmed_at is None
    # Reloading keeps the secret that may already have been scanned.
    client.get(reverse("two_factor_enrol"))
    assert TotpDevice.objects.get(user=lead).secret == device.secret
    assert not two_factor.is_enabled(lead)


@pytest.mark.django_db
def test_a_wrong_code_does_not_turn_it_on(lead: User) -> None:
    client = Client()
    client.force_login(lead)
    client.get(reverse("two_factor_enrol"))
    response = client.post(reverse("two_factor_enrol"), {"code": "000000"})
    assert response.status_code == 400
    assert "コードが一致しません" in response.content.decode()
    assert not two_factor.is_enabled(lead)


@pytest.mark.django_db
def test_confirming_shows_ten_recovery_codes_stored_only_as_hashes(
    lead: User, enrolled: tuple[str, list[str]]
) -> None:
    _secret, codes = enrolled
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = set(RecoveryCode.objects.filter(user=lead).values_list("code_hash", flat=True))
    assert stored == {hash_recovery_code(code) for code in codes}
    assert two_factor.is_enabled(lead)
    kinds = set(SiteLogEntry.objects.values_list("kind", flat=True))
    assert {"two_factor_enabled", "recovery_codes_generated"} <= kinds


@pytest.mark.django_db
def test_signing_in_asks_for_the_code_after_the_password(
    enrolled: tuple[str, list[str]], clock: Clock
) -> None:
    secret, _codes = enrolled
    clock.advance(seconds=30)
    client = Client()
    first = _password_step(client)
    assert first["Location"] == reverse("login_code")
    assert not _signed_in(client)
    page = client.get(reverse("login_code")).content.decode()
    assert "認証アプリ" in page
    done = _code_step(client, _code(secret, clock.now))
    assert done["Location"] == reverse("incidents:list")
    assert _signed_in(client)


@pytest.mark.django_db
def test_a_code_of_one_step_before_or_after_is_accepted_not_two(
    enrolled: tuple[str, list[str]], clock: Clock
) -> None:
    secret, _codes = enrolled
    clock.advance(minutes=5)
    client = Client()
    _password_step(client)
    too_old = _code_step(client, _code(secret, clock.now - timedelta(seconds=60)))
    assert too_old.status_code == 400
    assert _code_step(client, _code(secret, clock.now + timedelta(seconds=30))).status_code == 302


@pytest.mark.django_db
def test_a_code_cannot_be_used_twice(enrolled: tuple[str, list[str]], clock: Clock) -> None:
    secret, _codes = enrolled
    clock.advance(seconds=30)
    code = _code(secret, clock.now)
    first = Client()
    _password_step(first)
    assert _code_step(first, code).status_code == 302
    # Someone who watched it being typed tries it within the same 30 seconds.
    second = Client()
    _password_step(second, "198.51.100.66")
    refused = _code_step(second, code, "198.51.100.66")
    assert refused.status_code == 400
    assert "使用済み" in refused.content.decode()
    assert not _signed_in(second)


@pytest.mark.django_db
def test_the_enrolment_code_cannot_sign_in(enrolled: tuple[str, list[str]], clock: Clock) -> None:
    secret, _codes = enrolled
    client = Client()
    _password_step(client)
    assert _code_step(client, _code(secret, clock.now)).status_code == 400


@pytest.mark.django_db
def test_a_recovery_code_signs_in_once(enrolled: tuple[str, list[str]], clock: Clock) -> None:
    _secret, codes = enrolled
    client = Client()
    _password_step(client)
    # Typed in capitals with a space instead of the hyphen: still the same code.
    response = _code_step(client, codes[0].upper().replace("-", " "))
    assert response.status_code == 302
    page = client.get(reverse("incidents:list")).content.decode()
    assert "残りのリカバリーコードは 9 個です" in page
    again = Client()
    _password_step(again)
    assert _code_step(again, codes[0]).status_code == 400


@pytest.mark.django_db
def test_wrong_codes_lock_the_code_step_like_passwords(
    lead: User, enrolled: tuple[str, list[str]], clock: Clock
) -> None:
    secret, _codes = enrolled
    client = Client()
    _password_step(client)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _code_step(client, "000000")
    clock.advance(seconds=30)
    locked = _code_step(client, _code(secret, clock.now))
    assert locked.status_code == 429
    assert "ログインがロックされました" in locked.content.decode()
    assert not _signed_in(client)
    # The owner, elsewhere, is not locked out.
    owner = Client()
    _password_step(owner, "192.0.2.10")
    assert _code_step(owner, _code(secret, clock.now), "192.0.2.10").status_code == 302


@pytest.mark.django_db
def test_the_code_step_expires(enrolled: tuple[str, list[str]], clock: Clock) -> None:
    secret, _codes = enrolled
    client = Client()
    _password_step(client)
    clock.advance(minutes=6)
    response = _code_step(client, _code(secret, clock.now))
    assert response["Location"] == reverse("login")
    assert not _signed_in(client)


@pytest.mark.django_db
def test_the_code_step_needs_the_password_first(enrolled: tuple[str, list[str]]) -> None:
    response = Client().get(reverse("login_code"))
    assert response["Location"] == reverse("login")


@pytest.mark.django_db
def test_turning_it_off_needs_a_current_code(
    lead: User, enrolled: tuple[str, list[str]], clock: Clock
) -> None:
    secret, _codes = enrolled
    client = Client()
    client.force_login(lead)
    refused = client.post(reverse("two_factor_disable"), {"code": "123456"})
    assert refused.status_code == 400
    assert two_factor.is_enabled(lead)
    clock.advance(seconds=30)
    done = client.post(reverse("two_factor_disable"), {"code": _code(secret, clock.now)})
    assert done["Location"] == reverse("preferences")
    assert not two_factor.is_enabled(lead)
    assert not RecoveryCode.objects.filter(user=lead).exists()
    (entry,) = SiteLogEntry.objects.filter(kind="two_factor_disabled")
    assert (entry.actor, entry.subject) == (lead, "lead")


@pytest.mark.django_db
def test_new_recovery_codes_replace_the_old_ones(
    lead: User, enrolled: tuple[str, list[str]], clock: Clock
) -> None:
    secret, old = enrolled
    client = Client()
    client.force_login(lead)
    # A recovery code does not do here: new codes need the app.
    assert client.post(reverse("recovery_codes"), {"code": old[0]}).status_code == 400
    clock.advance(seconds=30)
    response = client.post(reverse("recovery_codes"), {"code": _code(secret, clock.now)})
    new = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    with pytest.raises(two_factor.CodeRefused):
        two_factor.check_code(lead, old[1])
    assert two_factor.check_code(lead, new[0]) is two_factor.CodeKind.RECOVERY


@pytest.mark.django_db
def test_the_preferences_page_shows_the_state(lead: User, enrolled: tuple[str, list[str]]) -> None:
    client = Client()
    client.force_login(lead)
    page = client.get(reverse("preferences")).content.decode()
    assert "二要素認証" in page and "有効" in page
    assert "未使用のリカバリーコードは残り 10 個です" in page


@pytest.mark.django_db
def test_required_2fa_sends_a_site_admin_to_enrolment(
    settings: Any, site_admin: User, lead: User
) -> None:
    settings.HIKESHI_REQUIRE_2FA_FOR_ADMINS = True
    admin = Client()
    admin.force_login(site_admin)
    for path in ("/incidents/", "/admin/", reverse("preferences"), reverse("lockouts")):
        response = admin.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == reverse("two_factor_enrol"), path
    assert admin.post("/incidents/new/", {}).status_code == 302
    page = admin.get(reverse("two_factor_enrol"), follow=True).content.decode()
    assert "サイト管理者は二要素認証を使う必要があります" in page
    # Others are not affected.
    user = Client()
    user.force_login(lead)
    assert user.get("/incidents/").status_code == 200


@pytest.mark.django_db
def test_an_enrolled_site_admin_works_normally_when_required(
    settings: Any, site_admin: User, clock: Clock
) -> None:
    settings.HIKESHI_REQUIRE_2FA_FOR_ADMINS = True
    admin = Client()
    admin.force_login(site_admin)
    _enrol(admin, clock)
    assert admin.get("/incidents/").status_code == 200


@pytest.mark.django_db
def test_without_the_setting_site_admins_are_not_forced(site_admin: User) -> None:
    assert settings.HIKESHI_REQUIRE_2FA_FOR_ADMINS is False
    admin = Client()
    admin.force_login(site_admin)
    assert admin.get("/incidents/").status_code == 200


@pytest.mark.django_db
def test_api_tokens_are_unaffected_by_required_2fa(settings: Any, site_admin: User) -> None:
    settings.HIKESHI_REQUIRE_2FA_FOR_ADMINS = True
    from hikeshi.accounts.models import ApiToken

    _token, raw = ApiToken.issue(site_admin, "script")
    response = Client().get("/api/v1/incidents", headers={"authorization": f"Bearer {raw}"})
    assert response.status_code == 200


@pytest.mark.django_db
def test_a_site_admin_resets_someone_elses_2fa(
    lead: User, site_admin: User, enrolled: tuple[str, list[str]]
) -> None:
    admin = Client()
    admin.force_login(site_admin)
    overview = admin.get(reverse("two_factor_overview")).content.decode()
    url = reverse("reset_two_factor", kwargs={"user_id": lead.pk})
    assert url in overview
    confirm = admin.get(url).content.decode()
    assert "lead" in confirm and "本人からの依頼" in confirm
    assert two_factor.is_enabled(lead)
    done = admin.post(url, follow=True).content.decode()
    assert "lead の二要素認証をリセットしました" in done
    assert not two_factor.is_enabled(lead)
    (entry,) = SiteLogEntry.objects.filter(kind="two_factor_disabled")
    assert (entry.actor, entry.subject, entry.detail["reset_by_admin"]) == (
        site_admin,
        "lead",
        True,
    )
    # Password alone signs them in again.
    client = Client()
    assert _password_step(client)["Location"] == reverse("incidents:list")


@pytest.mark.django_db
def test_others_cannot_reset_2fa(lead: User, responder: User) -> None:
    client = Client()
    client.force_login(responder)
    url = reverse("reset_two_factor", kwargs={"user_id": lead.pk})
    assert client.post(url).status_code == 404


@pytest.mark.django_db
def test_the_admin_sites_own_sign_in_cannot_skip_the_code(site_admin: User, clock: Clock) -> None:
    admin = Client()
    admin.force_login(site_admin)
    _enrol(admin, clock)
    client = Client()
    page = client.get("/admin/login/?next=/admin/")
    assert page["Location"] == "/login/?next=/admin/"
    posted = client.post("/admin/login/", {"username": "admin", "password": PASSWORD})
    assert posted["Location"] == "/login/"
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_the_admin_sites_password_change_is_the_throttled_one(site_admin: User) -> None:
    client = Client()
    client.force_login(site_admin)
    assert client.get("/admin/password_change/")["Location"] == reverse("password_change")
