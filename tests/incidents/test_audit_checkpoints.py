"""Checkpoints are taken on every status change and daily, signed with a key kept outside the
database; seals use another such key. `hikeshi audit checkpoint` writes one on demand."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from typer.testing import CliRunner, Result

from hikeshi import config
from hikeshi.cli import app
from hikeshi.incidents.audit import checkpoint_files, seal
from hikeshi.incidents.audit.checkpoints import (
    checkpoint_dir,
    key_path,
    newest_checkpoint_time,
    private_key,
    take_checkpoint,
)
from hikeshi.incidents.audit.daily import checkpoint_due, daily_checkpoints, take_if_due
from hikeshi.incidents.audit.verify import seal_key_findings, verify_incident
from hikeshi.incidents.models import Incident
from hikeshi.incidents.services.incidents import TriageInput, change_status, triage
from hikeshi.incidents.vocabulary import Level, Status

CaptureCommits = Callable[..., Any]


def hikeshi(*args: str) -> Result:
    """Return the result of running `hikeshi ARGS...` in-process."""
    return CliRunner().invoke(app, list(args))


def _checkpoints() -> list[Path]:
    folder = checkpoint_dir()
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if checkpoint_files.time_in_name(p.name))


def _statement(path: Path) -> dict[str, Any]:
    checkpoint = checkpoint_files.read(path.name, path.read_bytes(), private_key().public_key())
    return {
        "incidents": {k: (v.length, v.head) for k, v in checkpoint.incidents.items()},
        "reason": checkpoint.reason,
    }


def test_a_status_change_takes_a_checkpoint_after_commit(
    incident: Incident, lead: User, django_capture_on_commit_callbacks: CaptureCommits
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        triaged = triage(
            lead,
            incident.pk,
            incident.version,
            TriageInput(is_incident=True, urgency=Level.HIGH, impact=Level.LOW),
        )
    with django_capture_on_commit_callbacks(execute=True):
        moved = change_status(lead, incident.pk, triaged.version, Status.REPORTING)
    first, second = _checkpoints()
    assert _statement(first)["reason"] == f"incident {incident.pk}: detected -> response"
    assert _statement(second) == {
        "incidents": {incident.pk: (moved.audit_length, moved.audit_head)},
        "reason": f"incident {incident.pk}: response -> reporting",
    }
    public_keys = list(checkpoint_dir().glob("checkpoint-key-*.pem"))
    assert len(public_keys) == 1


def test_a_refused_status_change_takes_no_checkpoint(
    incident: Incident, lead: User, django_capture_on_commit_callbacks: CaptureCommits
) -> None:
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValueError):
        # Not triaged yet: moving on is refused and the transaction rolls back.
        change_status(lead, incident.pk, incident.version, Status.RECOVERY)
    assert _checkpoints() == []


def test_a_checkpoint_that_cannot_be_written_is_logged_not_raised(
    incident: Incident,
    lead: User,
    settings: Any,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: CaptureCommits,
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the checkpoint folder should be")
    settings.AUDIT_CHECKPOINT_DIR = blocker
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        triaged = triage(
            lead,
            incident.pk,
            incident.version,
            TriageInput(is_incident=True, urgency=Level.LOW, impact=Level.LOW),
        )
    assert triaged.status == Status.RESPONSE
    assert "could not write a checkpoint" in caplog.text


def test_keys_are_generated_once_outside_the_database_with_mode_600(incident: Incident) -> None:
    take_checkpoint()
    first = key_path().read_bytes()
    take_checkpoint()
    assert key_path().read_bytes() == first
    for path in (key_path(), seal.key_path()):
        assert path.stat().st_mode & 0o777 == 0o600
        assert path.parent.stat().st_mode & 0o777 == 0o700


def test_an_operator_key_file_must_exist(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HIKESHI_SEAL_KEY_FILE", str(tmp_path / "missing.key"))
    with pytest.raises(config.ConfigError, match=r"HIKESHI_SEAL_KEY_FILE=.*no such file"):
        config.env_existing_file("HIKESHI_SEAL_KEY_FILE")


def test_an_operator_seal_key_is_used_and_a_short_one_refused(
    incident: Incident, settings: Any, tmp_path: Path
) -> None:
    given = tmp_path / "seal.key"
    given.write_text("ab" * 32 + "\n")
    settings.AUDIT_SEAL_KEY_FILE = given
    assert seal.key_path() == given
    short = tmp_path / "short.key"
    short.write_text("abcd")
    settings.AUDIT_SEAL_KEY_FILE = short
    with pytest.raises(config.ConfigError, match="at least 32 random bytes"):
        seal.record_seal("0" * 64)


def test_a_missing_seal_key_is_reported_not_replaced(incident: Incident) -> None:
    seal.key_path().unlink()
    incident.refresh_from_db()
    assert verify_incident(incident) == []  # the chain itself still verifies
    (finding,) = seal_key_findings()
    assert "is missing, so no seal was checked" in finding.describe()
    assert not seal.key_path().exists()


def test_a_checkpoint_is_due_when_the_newest_is_a_day_old(incident: Incident) -> None:
    now = timezone.now()
    assert checkpoint_due(now)
    path = take_checkpoint()
    taken = newest_checkpoint_time()
    assert taken is not None and checkpoint_files.time_in_name(path.name) == taken
    assert not checkpoint_due(taken + timedelta(hours=23, minutes=59))
    assert checkpoint_due(taken + timedelta(hours=24))
    assert take_if_due(taken + timedelta(hours=1)) is None
    assert take_if_due(taken + timedelta(days=1)) is not None


@pytest.mark.django_db(transaction=True)
def test_the_daily_thread_takes_a_checkpoint_and_stops_with_the_server(
    incident: Incident,
) -> None:
    with daily_checkpoints(first_look=0, interval=3600) as thread:
        for _ in range(200):
            if _checkpoints():
                break
            thread.join(timeout=0.05)
    assert not thread.is_alive()
    (path,) = _checkpoints()
    assert _statement(path)["reason"] == "daily"


def test_the_daily_thread_waits_before_its_first_look(incident: Incident) -> None:
    with daily_checkpoints() as thread:
        assert thread.daemon
    assert not thread.is_alive()
    assert _checkpoints() == []


def test_the_checkpoint_command_writes_a_signed_file_and_the_public_key(
    incident: Incident, tmp_path: Path
) -> None:
    result = hikeshi("audit", "checkpoint", "--out", str(tmp_path / "shipped"))
    assert result.exit_code == 0, result.output
    (written,) = (tmp_path / "shipped").glob("checkpoint-*Z.json")
    assert f"Wrote checkpoint {written}" in result.stdout
    (public,) = (tmp_path / "shipped").glob("checkpoint-key-*.pem")
    assert f"Public key: {public} (fingerprint " in result.stdout
    document = json.loads(written.read_text(encoding="utf-8"))
    assert document["algorithm"] == "Ed25519"
    assert document["statement"]["incidents"] == [
        {"id": incident.pk, "length": incident.audit_length, "head": incident.audit_head}
    ]
    verified = hikeshi("audit", "verify", "--checkpoint", str(written), "--public-key", str(public))
    assert verified.exit_code == 0, verified.output


def test_verifying_against_no_checkpoint_files_says_so(incident: Incident, tmp_path: Path) -> None:
    take_checkpoint()
    result = hikeshi("audit", "verify", "--checkpoint", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr == f"Error: --checkpoint: no checkpoint files in {tmp_path}\n"


def test_verifying_with_no_key_here_asks_for_the_public_key(
    incident: Incident, tmp_path: Path
) -> None:
    (tmp_path / checkpoint_files.file_name(timezone.now())).write_text("{}")
    result = hikeshi("audit", "verify", "--checkpoint", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: this site has no checkpoint key yet ({key_path()}); pass --public-key PEM\n"
    )
