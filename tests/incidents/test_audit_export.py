"""An incident's audit record as a ZIP: exported by leads, verified without a database."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from tests.conftest import TOKYO
from typer.testing import CliRunner, Result

from hikeshi.cli import app
from hikeshi.incidents.audit import checkpoint_files, signing
from hikeshi.incidents.audit.checkpoints import private_key, take_checkpoint
from hikeshi.incidents.audit.export import export_to_file
from hikeshi.incidents.audit.offline import ExportUnreadable, verify_export
from hikeshi.incidents.models import Incident
from hikeshi.incidents.services.actions import ActionInput, append_action
from hikeshi.incidents.services.checklist import mark_not_applicable
from hikeshi.incidents.services.timeline import add_event


def hikeshi(*args: str) -> Result:
    """Return the result of running `hikeshi ARGS...` in-process."""
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def worked(incident: Incident, lead: User) -> Incident:
    """The shared incident with an event, a not-applicable item and an action."""
    add_event(
        lead,
        incident.pk,
        occurred_at=datetime(2026, 11, 20, 8, 50, tzinfo=TOKYO),
        description="共有フォルダに脅迫文",
    )
    item = incident.checklist.get(key="matrix:1")
    mark_not_applicable(lead, incident.pk, item.pk, "プロキシは導入していない")
    take_checkpoint()
    append_action(incident.pk, lead, ActionInput(what="FS01 を隔離", scope="FS01"))
    incident.refresh_from_db()
    return incident


@pytest.fixture
def exported(worked: Incident, tmp_path: Path) -> Path:
    path = tmp_path / "incident.zip"
    export_to_file(worked, path)
    return path


def _rewrite(path: Path, name: str, edit: dict[str, bytes]) -> Path:
    """Return a copy of the export with ``edit`` replacing members (by name)."""
    copy = path.with_name(name)
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(copy, "w") as target:
        for member in source.namelist():
            target.writestr(member, edit.get(member, source.read(member)))
    return copy


def test_the_export_verifies_offline(worked: Incident, tmp_path: Path) -> None:
    path = tmp_path / "out.zip"
    result = hikeshi("audit", "export", str(worked.pk), str(path), "--as", "lead")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"Wrote the audit record of incident #{worked.pk} to {path}: "
        f"{worked.audit_length} action records, 1 timeline events, 2 checkpoints.\n"
    )
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
        readme = archive.read("README.txt").decode()
    assert {"records.jsonl", "events.jsonl", "state.json", "manifest.json", "README.txt"} <= names
    assert manifest["public_key"] in names
    assert f"hikeshi audit verify-export {path.name} --public-key KEY.pem" in readme
    checked = hikeshi("audit", "verify-export", str(path))
    assert checked.exit_code == 0, checked.output
    assert checked.stdout.startswith(
        f"Verified the export of incident #{worked.pk}: {worked.audit_length} action records, "
        "1 timeline events"
    )
    assert "2 checkpoints signed by key" in checked.stdout
    assert "the public key came from the export itself" in checked.stderr


def test_only_leads_and_site_admins_export_from_the_command_line(
    worked: Incident, responder: User, tmp_path: Path
) -> None:
    path = tmp_path / "out.zip"
    result = hikeshi("audit", "export", str(worked.pk), str(path), "--as", "responder")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: responder may not export incident #{worked.pk}'s audit record: only its "
        "leads and site administrators can\n"
    )
    assert not path.exists()


def test_the_newest_checkpoint_of_an_export_fixes_its_whole_chain(exported: Path) -> None:
    report = verify_export(exported)
    assert report.findings == []
    assert report.fixed_by_checkpoint == report.records


@pytest.mark.parametrize(
    ("member", "old", "new", "expected"),
    [
        ("records.jsonl", "FS01 を隔離", "何もしていない", "content does not match its hash"),
        ("events.jsonl", "共有フォルダに脅迫文", "異常なし", "timeline events it created differ"),
        (
            "state.json",
            "プロキシは導入していない",
            "後で確認",
            "does not hold the checklist this record",
        ),
        (
            "state.json",
            '"role": "viewer"',
            '"role": "lead"',
            "does not hold the members this record",
        ),
    ],
)
def test_an_edited_export_fails(
    exported: Path, member: str, old: str, new: str, expected: str
) -> None:
    with zipfile.ZipFile(exported) as archive:
        text = archive.read(member).decode()
    assert old in text
    edited = _rewrite(exported, "edited.zip", {member: text.replace(old, new).encode()})
    result = hikeshi("audit", "verify-export", str(edited))
    assert result.exit_code == 1
    assert expected in result.stderr
    assert "do not rely on it" in result.stderr


def test_records_cut_from_an_export_contradict_its_checkpoints(exported: Path) -> None:
    with zipfile.ZipFile(exported) as archive:
        lines = archive.read("records.jsonl").decode().splitlines(keepends=True)
    cut = _rewrite(exported, "cut.zip", {"records.jsonl": "".join(lines[:-2]).encode()})
    found = [finding.describe() for finding in verify_export(cut).findings]
    assert any("were deleted" in line for line in found), found


def test_an_export_checked_with_another_public_key_fails(exported: Path, tmp_path: Path) -> None:
    other = signing.load_private_key(signing.new_private_key_pem(), "other").public_key()
    key = tmp_path / "other.pem"
    key.write_bytes(signing.public_key_pem(other))
    result = hikeshi("audit", "verify-export", str(exported), "--public-key", str(key))
    assert result.exit_code == 1
    assert "signed by another key" in result.stderr


def test_the_right_public_key_given_separately_is_trusted(exported: Path, tmp_path: Path) -> None:
    key = tmp_path / "site.pem"
    key.write_bytes(signing.public_key_pem(private_key().public_key()))
    result = hikeshi("audit", "verify-export", str(exported), "--public-key", str(key))
    assert result.exit_code == 0, result.output
    assert "Note:" not in result.stderr


def test_a_file_that_is_not_an_export_is_named(tmp_path: Path) -> None:
    path = tmp_path / "notes.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(ExportUnreadable, match=r"manifest\.json is missing"):
        verify_export(path)
    result = hikeshi("audit", "verify-export", str(path))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {path}: manifest.json is missing from the export\n"


def test_checkpoints_not_listing_the_incident_stay_out(worked: Incident, tmp_path: Path) -> None:
    foreign = checkpoint_files.statement(
        datetime(2026, 1, 1, tzinfo=TOKYO),
        private_key().public_key(),
        {},
        checkpoint_files.ChainHead(0, ""),
        "before the incident",
    )
    folder = take_checkpoint().parent
    (folder / "checkpoint-20260101T000000000000Z.json").write_bytes(
        checkpoint_files.render(foreign, private_key())
    )
    path = tmp_path / "out.zip"
    export_to_file(worked, path)
    with zipfile.ZipFile(path) as archive:
        held = [n for n in archive.namelist() if n.startswith("checkpoints/")]
    assert "checkpoints/checkpoint-20260101T000000000000Z.json" not in held
    assert len(held) == 3


def _download(user: User, incident: Incident) -> tuple[int, bytes, str]:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("incidents:audit_export", kwargs={"incident_id": incident.pk}))
    body = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
    return response.status_code, body, response.get("Content-Disposition", "")


def test_leads_and_site_admins_download_the_export(
    worked: Incident, lead: User, site_admin: User
) -> None:
    for user in (lead, site_admin):
        status, body, disposition = _download(user, worked)
        assert status == 200
        assert f'filename="hikeshi-incident-{worked.pk}-audit.zip"' in disposition
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            assert json.loads(archive.read("manifest.json"))["incident"] == worked.pk


def test_responders_and_viewers_may_not_download_it(
    worked: Incident, responder: User, viewer: User
) -> None:
    for user in (responder, viewer):
        assert _download(user, worked)[0] == 403


def test_the_incident_page_links_the_download_for_leads_only(
    worked: Incident, lead: User, responder: User
) -> None:
    link = reverse("incidents:audit_export", kwargs={"incident_id": worked.pk})
    page = reverse("incidents:detail", kwargs={"incident_id": worked.pk})
    client = Client()
    client.force_login(lead)
    assert link in client.get(page).content.decode()
    client.force_login(responder)
    assert link not in client.get(page).content.decode()


def test_offline_verification_imports_no_django() -> None:
    probe = (
        "import sys\n"
        "import hikeshi.incidents.audit.offline\n"
        "sys.exit(1 if any(m.split('.')[0] == 'django' for m in sys.modules) else 0)"
    )
    # S603: runs this interpreter on a fixed probe.
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
