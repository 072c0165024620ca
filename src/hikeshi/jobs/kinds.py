"""The job kinds hikeshi ships, registered when the jobs app is ready.

A kind that belongs to another part of hikeshi keeps its work there (the audit trail's
checkpoint in hikeshi.incidents.audit); this module only says how it runs as a job.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from hikeshi.jobs.progress import JobFailed
from hikeshi.jobs.registry import register
from hikeshi.jobs.vocabulary import JobKind, ProgressUnit

if TYPE_CHECKING:
    from hikeshi.jobs.models import Job
    from hikeshi.jobs.progress import ProgressReporter

SIGNING_HEADS = gettext_noop("Signing the chain heads")
IMPORTING_ROWS = gettext_noop("Importing the rows")
# What a checkpoint job records as the reason in the checkpoint, at most.
REASON_LIMIT = 200


def take_audit_checkpoint(job: Job, progress: ProgressReporter) -> dict[str, Any]:
    """Write a signed checkpoint of every chain head; return the file it wrote.

    Not transactional: it writes a new file (never one that exists) after reading the heads
    in a transaction of its own, so running it again only adds another checkpoint.
    """
    from hikeshi.incidents.audit.checkpoints import take_checkpoint

    progress(0, 1, SIGNING_HEADS)
    reason = str(job.params.get("reason") or f"job {job.pk}")[:REASON_LIMIT]
    path = take_checkpoint(reason=reason)
    progress(1, 1, SIGNING_HEADS)
    return {"file": path.name, "folder": str(path.parent)}


register(
    JobKind.AUDIT_CHECKPOINT,
    take_audit_checkpoint,
    label=JobKind.AUDIT_CHECKPOINT.label,
    transactional=False,
    needs_incident=False,
    result_labels={"file": _("checkpoint file"), "folder": _("folder")},
)


def import_timeline(job: Job, progress: ProgressReporter) -> dict[str, Any]:
    """Import the stored CSV the job names; return the report's summary (see import_summary).

    A problem of the whole file fails the job with its message; a cancel request rolls the
    import back between two batches of rows.
    """
    from hikeshi.incidents.services.timeline_import import (
        import_stored,
        import_summary,
        stored_for_job,
    )

    incident = job.incident
    actor = job.started_by
    if incident is None or actor is None:
        raise JobFailed(gettext_noop("a timeline import needs its incident and who started it"))
    stored = stored_for_job(incident.pk, job.params)
    report = import_stored(
        actor,
        incident,
        str(job.params.get("filename") or "timeline.csv"),
        stored,
        on_progress=progress.callback(IMPORTING_ROWS),
    )
    if report.problem is not None:
        raise JobFailed(report.problem.message, **report.problem.params)
    return import_summary(report)


register(
    JobKind.TIMELINE_IMPORT,
    import_timeline,
    label=JobKind.TIMELINE_IMPORT.label,
    unit=ProgressUnit.BYTES,
    result_labels={
        "file": _("file"),
        "imported": _("rows imported"),
        "rejected": _("rows rejected"),
    },
)
