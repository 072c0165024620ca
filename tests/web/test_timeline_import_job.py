"""The timeline import on the web runs as a background job: stored, queued, followed, reported."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from hikeshi.incidents.models import Incident
from hikeshi.incidents.workspace import uploads_folder
from hikeshi.jobs import runner
from hikeshi.jobs.models import Job
from hikeshi.jobs.vocabulary import JobKind, JobState

IncidentUrl = Callable[..., str]  # the url_of fixture (tests/web/conftest.py)


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def _job_page(incident: Incident, job: Job) -> str:
    return reverse("incidents:import_job", kwargs={"incident_id": incident.pk, "job_id": job.pk})


def test_the_upload_is_stored_queued_then_reported(
    lead_client: Client, incident: Incident, url_of: IncidentUrl
) -> None:
    content = "datetime,message\n2026-11-20T09:00:00,検知\nnot a time,読めない\n".encode()

    response = lead_client.post(url_of("import_timeline"), {"file": _upload("fw.csv", content)})

    job = Job.objects.get(kind=JobKind.TIMELINE_IMPORT, incident=incident)
    assert response.status_code == 302
    assert response["Location"] == _job_page(incident, job)
    digest = hashlib.sha256(content).hexdigest()
    assert (uploads_folder(incident.pk) / f"{digest}.csv").read_bytes() == content
    assert job.state == JobState.QUEUED and not incident.events.exists()
    waiting = lead_client.get(response["Location"]).text
    # The page follows the job through the status endpoint and reloads when it ends.
    assert (
        f'data-job-status-url="{reverse("jobs:status", kwargs={"incident_id": incident.pk})}"'
        in waiting
    )
    assert "data-job-reload-when-ended" in waiting and f'data-job-id="{job.pk}"' in waiting
    assert "ワーカーの空きを待っています" in waiting

    ended = runner.execute(job.pk)

    assert ended is not None and ended.state == JobState.DONE, ended and ended.failure_text
    assert (ended.result["imported"], ended.result["rejected"]) == (1, 1)
    assert (ended.progress_done, ended.progress_total) == (len(content), len(content))
    lead_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    report = lead_client.get(response["Location"]).text
    assert "1 row imported." in report and "1 row rejected." in report
    assert "<td>3</td><td>datetime: " in report and digest in report
    assert "data-job-reload-when-ended" not in report
    assert incident.events.count() == 1


def test_rejected_rows_are_paged_and_bounded(
    lead_client: Client, incident: Incident, url_of: IncidentUrl
) -> None:
    rows = "".join(f"bad {number},x\n" for number in range(300))
    content = f"datetime,message\n{rows}".encode()
    response = lead_client.post(url_of("import_timeline"), {"file": _upload("bad.csv", content)})
    job = Job.objects.get(kind=JobKind.TIMELINE_IMPORT, incident=incident)
    runner.execute(job.pk)

    first = lead_client.get(response["Location"]).text
    last = lead_client.get(response["Location"] + "?page=4").text

    assert "<td>2</td>" in first and "<td>51</td>" in first and "<td>52</td>" not in first
    assert "<td>201</td>" in last and "<td>202</td>" not in last
    # 300 rejected, 200 kept in the job's result: the other 100 are counted.
    assert "ほかに除外した 100 行は一覧にありません。" in first


def test_a_queued_import_can_be_cancelled(
    lead_client: Client, incident: Incident, url_of: IncidentUrl
) -> None:
    content = b"datetime,message\n2026-11-20T09:00:00,x\n"
    response = lead_client.post(url_of("import_timeline"), {"file": _upload("c.csv", content)})
    job = Job.objects.get(kind=JobKind.TIMELINE_IMPORT, incident=incident)

    lead_client.post(reverse("jobs:cancel", kwargs={"incident_id": incident.pk, "job_id": job.pk}))

    assert "インポートは取り消されました" in lead_client.get(response["Location"]).text
    assert runner.execute(job.pk) is None
    assert not incident.events.exists()


def test_the_job_page_is_for_members_and_import_jobs_only(
    lead_client: Client, viewer_client: Client, incident: Incident, url_of: IncidentUrl
) -> None:
    content = b"datetime,message\n2026-11-20T09:00:00,x\n"
    response = lead_client.post(url_of("import_timeline"), {"file": _upload("v.csv", content)})
    job = Job.objects.get(kind=JobKind.TIMELINE_IMPORT, incident=incident)

    assert viewer_client.get(response["Location"]).status_code == 200
    assert lead_client.post(response["Location"]).status_code == 405
    Job.objects.filter(pk=job.pk).update(kind=JobKind.AUDIT_CHECKPOINT)
    assert lead_client.get(response["Location"]).status_code == 404
