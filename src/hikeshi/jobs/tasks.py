"""The one django-tasks task: run a job by its id, whatever its kind."""

from __future__ import annotations

from django_tasks import task

from hikeshi.jobs import runner


@task()
def run_job(job_id: int) -> dict[str, object]:
    """Return what became of the job (its id and state) after running it.

    It does not raise for a job that fails: the job records that, and the traceback is in
    the server log; the task result says only that the job was run.
    """
    job = runner.execute(job_id)
    return {"job": job_id, "state": job.state if job is not None else "skipped"}
