"""The audit checkpoint as a background job: started by site admins, visible to them."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.utils import translation

from hikeshi.incidents.refusals import NotPermitted
from hikeshi.jobs import runner
from hikeshi.jobs.presentation import JobView
from hikeshi.jobs.selectors import visible_jobs
from hikeshi.jobs.services import enqueue_job
from hikeshi.jobs.vocabulary import JobKind, JobState


@pytest.fixture
def checkpoint_folders(settings: pytest.FixtureRequest, tmp_path: Path) -> Path:
    settings.AUDIT_CHECKPOINT_DIR = tmp_path / "checkpoints"  # type: ignore[attr-defined]
    settings.AUDIT_KEYS_DIR = tmp_path / "keys"  # type: ignore[attr-defined]
    settings.AUDIT_CHECKPOINT_KEY_FILE = None  # type: ignore[attr-defined]
    return tmp_path / "checkpoints"


def test_a_checkpoint_job_writes_a_signed_checkpoint(
    site_admin: User, lead: User, checkpoint_folders: Path
) -> None:
    job = enqueue_job(
        JobKind.AUDIT_CHECKPOINT, incident_id=None, actor=site_admin, params={"reason": "月次"}
    )
    ended = runner.execute(job.pk)
    assert ended is not None and ended.state == JobState.DONE, ended and ended.failure_text
    written = checkpoint_folders / ended.result["file"]
    assert written.is_file()
    assert ended.result["folder"] == str(checkpoint_folders)
    assert "月次" in written.read_text()
    assert (ended.progress_done, ended.progress_total) == (1, 1)
    with translation.override("ja"):
        labels = dict(JobView(ended, False, "Asia/Tokyo").result_lines)
    assert labels["チェックポイントのファイル"] == ended.result["file"]
    assert list(visible_jobs(site_admin)) == [ended]
    assert list(visible_jobs(lead)) == []


def test_only_site_admins_start_a_checkpoint_job(lead: User) -> None:
    with pytest.raises(NotPermitted):
        enqueue_job(JobKind.AUDIT_CHECKPOINT, incident_id=None, actor=lead)
