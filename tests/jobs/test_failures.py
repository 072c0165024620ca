"""A job that fails says why in the reader's language, and never shows a traceback."""

from __future__ import annotations

import json
import logging

import pytest
from django.contrib.auth.models import User
from django.core import serializers
from django.test import Client
from django.urls import reverse
from django.utils import translation
from hikeshi_test_job_kinds import BATCHES, BROKEN, SECRET_DETAIL, job_scope

from hikeshi.incidents.models import ActionRecord, Incident
from hikeshi.jobs import runner
from hikeshi.jobs.models import Job
from hikeshi.jobs.services import enqueue_job
from hikeshi.jobs.vocabulary import UNEXPECTED_ERROR, UNKNOWN_KIND, JobState


def _stored(job: Job) -> str:
    """Return everything the database keeps about the job, as text."""
    return serializers.serialize("json", Job.objects.filter(pk=job.pk))


def test_an_unexpected_error_keeps_a_reference_and_leaves_the_traceback_to_the_log(
    incident: Incident, lead: User, caplog: pytest.LogCaptureFixture
) -> None:
    job = enqueue_job(BROKEN, incident_id=incident.pk, actor=lead)
    with caplog.at_level(logging.ERROR, logger="hikeshi.jobs"):
        ended = runner.execute(job.pk)
    assert ended is not None and ended.state == JobState.FAILED
    assert ended.failure_message == UNEXPECTED_ERROR
    reference = ended.failure_params["reference"]
    assert reference.startswith(f"job-{job.pk}-")
    stored = _stored(ended)
    assert SECRET_DETAIL not in stored
    assert "Traceback" not in stored and "RuntimeError" not in stored
    # The server log has the whole story, under the same reference.
    logged = caplog.records[-1]
    assert reference in logged.getMessage()
    assert logged.exc_info is not None and SECRET_DETAIL in str(logged.exc_info[1])
    with translation.override("ja"):
        assert ended.failure_text.startswith(
            f"予期しないエラーでジョブが停止しました（参照番号 {reference}、"
        )
    with translation.override("en"):
        assert f"(reference {reference};" in ended.failure_text


def test_a_services_refusal_is_the_message_and_the_earlier_batches_are_undone(
    incident: Incident, lead: User
) -> None:
    job = enqueue_job(
        BATCHES,
        incident_id=incident.pk,
        actor=lead,
        params={"batches": 4, "refused_from": 3},
    )
    ended = runner.execute(job.pk)
    assert ended is not None and ended.state == JobState.FAILED
    assert ended.failure_message == "say what was done"
    with translation.override("ja"):
        assert ended.failure_text == translation.gettext("say what was done")
        assert ended.failure_text != "say what was done"
    assert (ended.progress_done, ended.progress_total) == (2, 4)
    assert not ActionRecord.objects.filter(scope=job_scope(job.pk)).exists()


def test_a_job_of_a_kind_nobody_can_run_fails_saying_so(incident: Incident, lead: User) -> None:
    job = Job.objects.create(kind="retired_kind", incident=incident, started_by=lead)
    ended = runner.execute(job.pk)
    assert ended is not None and ended.state == JobState.FAILED
    assert ended.failure_message == UNKNOWN_KIND
    assert ended.failure_params == {"kind": "retired_kind"}
    with translation.override("ja"):
        assert "種別「retired_kind」" in ended.failure_text
    assert ended.kind_label == "retired_kind"


def test_the_pages_show_the_failure_in_the_readers_language_without_a_traceback(
    incident: Incident, lead: User
) -> None:
    job = enqueue_job(BROKEN, incident_id=incident.pk, actor=lead)
    runner.execute(job.pk)
    client = Client()
    client.force_login(lead)
    page = client.get(
        reverse("jobs:list", kwargs={"incident_id": incident.pk}), HTTP_ACCEPT_LANGUAGE="ja"
    )
    text = page.content.decode()
    assert "予期しないエラーでジョブが停止しました" in text
    assert "失敗" in text
    assert SECRET_DETAIL not in text and "Traceback" not in text
    status = client.get(reverse("jobs:status", kwargs={"incident_id": incident.pk}))
    answer = json.loads(status.content)
    [shown] = answer["jobs"]
    assert shown["state"] == "failed"
    assert shown["message"].startswith("予期しないエラーでジョブが停止しました")
    assert SECRET_DETAIL not in status.content.decode()


def test_every_job_message_and_label_has_a_japanese_translation() -> None:
    from hikeshi.jobs import vocabulary

    messages = [
        getattr(vocabulary, name)
        for name in ("WORKER_LOST", "QUEUE_ENTRY_LOST", "UNEXPECTED_ERROR", "UNKNOWN_KIND")
    ]
    labels = [
        *vocabulary.JobKind.labels,
        *vocabulary.JobState.labels,
        *vocabulary.ProgressUnit.labels,
    ]
    with translation.override("ja"):
        for message in [*messages, vocabulary.PHASE_STARTING]:
            assert translation.gettext(message) != message, message
        untranslated = [str(label) for label in labels if str(label).isascii()]
    assert not untranslated, untranslated
