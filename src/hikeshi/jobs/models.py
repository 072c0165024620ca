"""A background job as people see it: what, for which incident, how far, how it ended."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hikeshi.incidents.models import Incident
from hikeshi.jobs.vocabulary import ACTIVE_STATES, JobKind, JobState


def translated_message(message: str, params: dict[str, Any]) -> str:
    """Return the message id in the active language with its placeholders filled."""
    text = gettext(message) if message else ""
    if not params:
        return text
    try:
        return text % params
    except (KeyError, TypeError, ValueError):
        # A message id whose placeholders changed since the job ended: show it unfilled
        # rather than fail the page.
        return text


class Job(models.Model):
    """One run of long work; written only through hikeshi.jobs.services and the runner."""

    # Names the job on the progress board (hikeshi.jobs.board) without reusing ids.
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=40, choices=JobKind.choices)
    incident = models.ForeignKey(
        Incident,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="jobs",
        verbose_name=_("incident"),
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    state = models.CharField(
        _("state"), max_length=16, choices=JobState.choices, default=JobState.QUEUED
    )
    # What the work needs (plain JSON values), e.g. the uploaded file's name.
    params = models.JSONField(_("parameters"), default=dict, blank=True)

    progress_done = models.PositiveBigIntegerField(_("done"), default=0)
    # 0 while the amount of work is not known yet.
    progress_total = models.PositiveBigIntegerField(_("total"), default=0)
    # A message id (English), translated when shown.
    phase = models.CharField(_("phase"), max_length=200, blank=True)
    progress_at = models.DateTimeField(_("progress reported at"), null=True, blank=True)

    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    # The django-tasks result that runs the job; empty for a job run in the CLI's process.
    task_result_id = models.CharField(_("task result id"), max_length=64, blank=True)
    # The worker running it ("host/pid/id") and when it last said it was alive.
    worker = models.CharField(_("worker"), max_length=100, blank=True)
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)

    result = models.JSONField(_("result"), default=dict, blank=True)
    # On failure: a message id (English) and the values of its placeholders; never a
    # traceback (that goes to the server log only).
    failure_message = models.CharField(_("failure message"), max_length=500, blank=True)
    failure_params = models.JSONField(_("failure details"), default=dict, blank=True)

    cancel_requested_at = models.DateTimeField(_("cancel requested at"), null=True, blank=True)
    cancel_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancel requested by"),
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["incident", "-created_at"], name="jobs_incident_recent"),
            models.Index(fields=["state"], name="jobs_state"),
        ]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")

    def __str__(self) -> str:
        return f"job {self.pk} {self.kind} ({self.state})"

    @property
    def is_active(self) -> bool:
        """Return whether the job is still waiting or running."""
        return self.state in ACTIVE_STATES

    @property
    def kind_label(self) -> str:
        """Return the kind's name in the active language (a registered test kind's too)."""
        from hikeshi.jobs.registry import registered

        spec = registered(self.kind)
        if spec is not None:
            return str(spec.label)
        return str(self.get_kind_display())

    @property
    def phase_label(self) -> str:
        """Return the current phase in the active language."""
        return gettext(self.phase) if self.phase else ""

    @property
    def failure_text(self) -> str:
        """Return why the job failed, in the active language (empty unless it failed)."""
        return translated_message(self.failure_message, self.failure_params)
