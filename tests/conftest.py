"""One shared set of people used by every test: a lead, a responder, a viewer, an outsider."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User

from hikeshi.incidents.models import Incident
from hikeshi.incidents.services.incidents import IncidentInput, open_incident, set_membership
from hikeshi.incidents.vocabulary import Role

PASSWORD = "correct horse battery staple"
TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:  # pytest-django exports no type for it
    """Hash test passwords cheaply; production's Argon2 is checked in test_settings.py."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def lead(db: None) -> User:
    return User.objects.create_user("lead", "lead@example.org", PASSWORD)


@pytest.fixture
def responder(db: None) -> User:
    return User.objects.create_user("responder", "responder@example.org", PASSWORD)


@pytest.fixture
def viewer(db: None) -> User:
    return User.objects.create_user("viewer", "viewer@example.org", PASSWORD)


@pytest.fixture
def outsider(db: None) -> User:
    return User.objects.create_user("outsider", "outsider@example.org", PASSWORD)


@pytest.fixture
def site_admin(db: None) -> User:
    return User.objects.create_superuser("admin", "admin@example.org", PASSWORD)


@pytest.fixture
def incident(lead: User, responder: User, viewer: User) -> Incident:
    """A ransomware incident led by ``lead`` with a responder and a viewer."""
    opened = open_incident(
        lead,
        IncidentInput(
            title="ファイルサーバのランサムウェア感染",
            detected_at=datetime(2026, 11, 20, 9, 30, tzinfo=TOKYO),
            types=["ransomware"],
            organisation="株式会社サンプル",
            reporter="総務部 山田",
            what_happened="共有フォルダのファイルが暗号化され、脅迫文が置かれている",
        ),
    )
    set_membership(lead, opened.pk, responder, Role.RESPONDER)
    set_membership(lead, opened.pk, viewer, Role.VIEWER)
    opened.refresh_from_db()
    return opened
