"""One shared set of people used by every test: a lead, a responder, a viewer, an outsider."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client

from hikeshi.incidents.models import Incident
from hikeshi.incidents.services.incidents import IncidentInput, open_incident, set_membership
from hikeshi.incidents.vocabulary import Role

PASSWORD = "correct horse battery staple"
TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:  # pytest-django exports no type for it
    """Hash test passwords cheaply; production's Argon2 is checked in test_settings.py."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _data_dir_per_test(settings: Any, tmp_path: Any) -> None:
    """Give each test its own data folder: uploads are stored under incident ids, which
    repeat from test to test."""
    settings.DATA_DIR = tmp_path / "data"


@pytest.fixture(autouse=True)
def _audit_keys_and_checkpoints_in_tmp(settings: Any, tmp_path: Path) -> None:
    """Keep each test's seal key, signing key and checkpoints out of the real data folder."""
    settings.AUDIT_KEYS_DIR = tmp_path / "keys"
    settings.AUDIT_SEAL_KEY_FILE = None
    settings.AUDIT_CHECKPOINT_KEY_FILE = None
    settings.AUDIT_CHECKPOINT_DIR = tmp_path / "checkpoints"


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


# Posts a timeline CSV on the incident page, runs the import job it starts here (as a worker
# would) and returns the job's page; a refused upload's answer is returned as it is.
ImportThroughJob = Callable[[Client, str, SimpleUploadedFile], HttpResponse]


@pytest.fixture
def import_through_job() -> ImportThroughJob:
    """Return a function uploading a timeline CSV and returning its import job's page."""
    from hikeshi.jobs import runner

    def post(client: Client, url: str, upload: SimpleUploadedFile) -> HttpResponse:
        response = client.post(url, {"file": upload})
        if response.status_code != 302:
            return response  # type: ignore[no-any-return]
        location = response["Location"]
        runner.execute(int(location.rstrip("/").rsplit("/", 1)[-1]))
        return client.get(location)  # type: ignore[no-any-return]

    return post


def signed_in(user: User) -> Client:
    """Return a test client signed in as ``user``."""
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def lead_client(lead: User) -> Client:
    return signed_in(lead)


@pytest.fixture
def responder_client(responder: User) -> Client:
    return signed_in(responder)


@pytest.fixture
def viewer_client(viewer: User) -> Client:
    return signed_in(viewer)
