"""The jobs on the incident page, the jobs page, the status endpoint, and who may stop a job."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from hikeshi_test_job_kinds import BATCHES, WRITING_BATCHES

from hikeshi.accounts.models import Preference
from hikeshi.incidents.models import Incident
from hikeshi.jobs import progress, runner
from hikeshi.jobs.board import board
from hikeshi.jobs.models import Job
from hikeshi.jobs.progress import report_progress
from hikeshi.jobs.services import enqueue_job, request_cancel
from hikeshi.jobs.vocabulary import JobState


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _urls(incident: Incident, job: Job | None = None) -> dict[str, str]:
    kwargs = {"incident_id": incident.pk}
    urls = {
        "detail": reverse("incidents:detail", kwargs=kwargs),
        "list": reverse("jobs:list", kwargs=kwargs),
        "status": reverse("jobs:status", kwargs=kwargs),
    }
    if job is not None:
        urls["cancel"] = reverse("jobs:cancel", kwargs={**kwargs, "job_id": job.pk})
    return urls


def _status(client: Client, incident: Incident) -> dict[str, Any]:
    response = client.get(_urls(incident)["status"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    answer: dict[str, Any] = json.loads(response.content)
    return answer


def _running_with_progress(incident: Incident, lead: User, done: int, total: int) -> Job:
    job = enqueue_job(BATCHES, incident_id=incident.pk, actor=lead)
    Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING)
    job.refresh_from_db()
    progress.track(job)
    try:
        report_progress(job.pk, done, total, WRITING_BATCHES, force=True)
    finally:
        progress.untrack(job.pk)
    return job


def test_the_incident_page_has_no_jobs_panel_until_there_is_a_job(
    incident: Incident, lead: User
) -> None:
    client = _client(lead)
    assert 'id="jobs"' not in client.get(_urls(incident)["detail"]).content.decode()
    job = enqueue_job(BATCHES, incident_id=incident.pk, actor=lead)
    page = client.get(_urls(incident)["detail"]).content.decode()
    assert 'id="jobs"' in page
    assert f'data-job-id="{job.pk}"' in page
    assert 'data-job-active="true"' in page
    assert "待機中" in page and "ワーカーの空きを待っています" in page
    assert "/static/hikeshi/jobs.js" in page
    assert f'data-job-status-url="{_urls(incident)["status"]}"' in page
    assert "<script>" not in page  # the CSP allows no inline script
    cancel = page.split('class="inline-form job-cancel"', 1)[1].split("</form>", 1)[0]
    assert 'name="csrfmiddlewaretoken" value="' in cancel


@pytest.mark.django_db(transaction=True)  # PostgreSQL's board writes from a connection of its own
def test_a_running_job_shows_its_live_progress_on_the_pages(incident: Incident, lead: User) -> None:
    job = _running_with_progress(incident, lead, 2, 5)
    client = _client(lead)
    for url in (_urls(incident)["detail"], _urls(incident)["list"]):
        page = client.get(url).content.decode()
        bar = f'aria-labelledby="job-{job.pk}-kind" max="5" value="2">40%</progress>'
        assert bar in page
        assert "2 / 5" in page
        assert "実行中" in page
    [shown] = _status(client, incident)["jobs"]
    assert (shown["done"], shown["total"], shown["percent"], shown["counts"]) == (2, 5, 40, "2 / 5")
    assert shown["phase"] == WRITING_BATCHES
    assert shown["active"] is True and shown["can_cancel"] is True


def test_the_status_endpoint_speaks_the_readers_language(
    incident: Incident, lead: User, responder: User
) -> None:
    job = enqueue_job(BATCHES, incident_id=incident.pk, actor=lead, params={"batches": 2})
    runner.execute(job.pk)
    queued = enqueue_job(BATCHES, incident_id=incident.pk, actor=lead)
    client = _client(responder)
    answer = _status(client, incident)
    assert answer["active"] == 1
    assert [entry["id"] for entry in answer["jobs"]] == [queued.pk, job.pk]
    done = answer["jobs"][1]
    assert (done["state"], done["state_label"], done["active"]) == ("done", "完了", False)
    assert done["result"] == [
        {"label": "Batches", "value": "2"},
        {"label": "complete", "value": "✓"},
    ]
    assert done["finished_at_text"].startswith(done["finished_at"][:4])
    assert answer["jobs"][0]["can_cancel"] is False  # the responder did not start it
    Preference.objects.update_or_create(user=responder, defaults={"language": "en"})
    english = _status(client, incident)
    assert english["jobs"][1]["state_label"] == "Done"
    assert english["jobs"][0]["state_label"] == "Queued"


def test_members_see_the_jobs_and_outsiders_get_404_everywhere(
    incident: Incident, lead: User, viewer: User, outsider: User
) -> None:
    job = enqueue_job(BATCHES, incident_id=incident.pk, actor=lead)
    urls = _urls(incident, job)
    viewer_client = _client(viewer)
    assert viewer_client.get(urls["list"]).status_code == 200
    assert _status(viewer_client, incident)["jobs"][0]["id"] == job.pk
    stranger = _client(outsider)
    for url in urls.values():
        assert stranger.get(url).status_code == 404
        assert stranger.post(url).status_code == 404
    assert Job.objects.get(pk=job.pk).state == JobState.QUEUED


def test_a_viewer_and_a_responder_who_did_not_start_it_cannot_cancel(
    incident: Incident, lead: User, responder: User, viewer: User
) -> None:
    job = enqueue_job(BATCHES, incident_id=incident.pk, actor=lead)
    cancel = _urls(incident, job)["cancel"]
    assert _client(viewer).post(cancel).status_code == 403
    assert _client(responder).post(cancel).status_code == 403
    assert Job.objects.get(pk=job.pk).state == JobState.QUEUED
    page = _client(viewer).get(_urls(incident)["list"]).content.decode()
    assert "ジョブを中止" not in page


def test_the_starter_cancels_from_the_incident_page_and_comes_back_to_it(
    incident: Incident, responder: User
) -> None:
    job = enqueue_job(BATCHES, incident_id=incident.pk, actor=responder)
    client = _client(responder)
    urls = _urls(incident, job)
    assert "ジョブを中止" in client.get(urls["detail"]).content.decode()
    response = client.post(urls["cancel"], {"return_to": "incident"}, follow=True)
    assert response.redirect_chain == [(urls["detail"], 302)]
    assert "ジョブは開始前に取り消されました。" in response.content.decode()
    assert Job.objects.get(pk=job.pk).state == JobState.CANCELLED
    # Once more: the job has ended, and the page says so instead of failing.
    again = client.post(urls["cancel"], follow=True)
    assert again.redirect_chain == [(urls["list"], 302)]
    assert f"ジョブ {job.pk} はすでに終了しているため" in again.content.decode()


def test_the_lead_cancels_a_job_someone_else_started(
    incident: Incident, lead: User, responder: User
) -> None:
    job = enqueue_job(BATCHES, incident_id=incident.pk, actor=responder)
    response = _client(lead).post(_urls(incident, job)["cancel"])
    assert response.status_code == 302
    cancelled = Job.objects.get(pk=job.pk)
    assert (cancelled.state, cancelled.cancel_requested_by) == (JobState.CANCELLED, lead)


def test_the_routes_refuse_other_methods(incident: Incident, lead: User) -> None:
    job = enqueue_job(BATCHES, incident_id=incident.pk, actor=lead)
    client = _client(lead)
    urls = _urls(incident, job)
    assert client.post(urls["list"]).status_code == 405
    assert client.post(urls["status"]).status_code == 405
    assert client.get(urls["cancel"]).status_code == 405


def test_a_job_of_another_incident_is_not_found_under_this_one(
    incident: Incident, lead: User
) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from hikeshi.incidents.services.incidents import IncidentInput, open_incident

    other = open_incident(
        lead,
        IncidentInput(
            title="別件",
            detected_at=datetime(2026, 11, 21, tzinfo=ZoneInfo("Asia/Tokyo")),
            types=["apt"],
        ),
    )
    job = enqueue_job(BATCHES, incident_id=other.pk, actor=lead)
    wrong = reverse("jobs:cancel", kwargs={"incident_id": incident.pk, "job_id": job.pk})
    assert _client(lead).post(wrong).status_code == 404
    assert Job.objects.get(pk=job.pk).state == JobState.QUEUED


def test_a_damaged_progress_board_breaks_neither_the_jobs_nor_the_pages(
    incident: Incident, lead: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def damaged(*args: object, **kwargs: object) -> None:
        raise sqlite3.DatabaseError("file is not a database")

    kind = type(board())
    for method in ("entries", "publish", "cancel_requested", "request_cancel"):
        monkeypatch.setattr(kind, method, damaged)
    job = enqueue_job(BATCHES, incident_id=incident.pk, actor=lead, params={"batches": 2})
    ended = runner.execute(job.pk)
    assert ended is not None and ended.state == JobState.DONE
    assert (ended.progress_done, ended.progress_total) == (2, 2)
    client = _client(lead)
    assert client.get(_urls(incident)["detail"]).status_code == 200
    assert _status(client, incident)["jobs"][0]["state"] == "done"
    waiting = enqueue_job(BATCHES, incident_id=incident.pk, actor=lead)
    Job.objects.filter(pk=waiting.pk).update(state=JobState.RUNNING)
    refused = client.post(_urls(incident, waiting)["cancel"], follow=True)
    assert "いまはジョブに中止を依頼できませんでした" in refused.content.decode()


def test_the_pages_ask_the_database_the_same_number_of_questions_for_many_jobs(
    incident: Incident, lead: User, responder: User
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(client: Client, url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    enqueue_job(BATCHES, incident_id=incident.pk, actor=lead)
    client = _client(lead)
    urls = _urls(incident)
    before = {name: queries(client, urls[name]) for name in ("detail", "list", "status")}
    for number in range(8):
        job = enqueue_job(BATCHES, incident_id=incident.pk, actor=lead if number % 2 else responder)
        if number % 3 == 0:
            request_cancel(job.pk, lead)
    after = {name: queries(client, urls[name]) for name in ("detail", "list", "status")}
    assert after == before
