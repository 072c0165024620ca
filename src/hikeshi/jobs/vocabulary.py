"""Job kinds and states, and the messages a job can end with (ids, translated when shown)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, pgettext_lazy


class JobKind(models.TextChoices):
    """The kinds of long work hikeshi runs in the background."""

    TIMELINE_IMPORT = "timeline_import", _("Timeline import")
    AUDIT_CHECKPOINT = "audit_checkpoint", _("Audit checkpoint")


class JobState(models.TextChoices):
    """Where a job is in its life: waiting, working, or ended one of three ways."""

    QUEUED = "queued", pgettext_lazy("job state", "Queued")
    RUNNING = "running", pgettext_lazy("job state", "Running")
    DONE = "done", pgettext_lazy("job state", "Done")
    FAILED = "failed", pgettext_lazy("job state", "Failed")
    CANCELLED = "cancelled", pgettext_lazy("job state", "Cancelled")


# States a job can still leave; the others are final.
ACTIVE_STATES = frozenset({JobState.QUEUED, JobState.RUNNING})


class ProgressUnit(models.TextChoices):
    """What a kind's done / total count: shown as "12 / 40" or as "1.2 MB / 4.0 MB"."""

    ITEMS = "items", _("items")
    BYTES = "bytes", _("bytes")


# Why a job ended without its result. Message ids (English), translated for the reader;
# placeholders are filled from the job's failure_params.
WORKER_LOST = gettext_noop("The worker stopped while running this job; start it again.")
QUEUE_ENTRY_LOST = gettext_noop(
    "This job's entry in the work queue is gone, so no worker will run it; start it again."
)
UNEXPECTED_ERROR = gettext_noop(
    "The job stopped on an unexpected error (reference %(reference)s; the server log has "
    "the details). Start it again; if it fails again, give your administrator the reference."
)
UNKNOWN_KIND = gettext_noop(
    "This installation of hikeshi cannot run jobs of the kind “%(kind)s”; ask your "
    "administrator to update it."
)
# The phase shown while a job waits and once it has started, before its work says more.
PHASE_STARTING = gettext_noop("Starting")
