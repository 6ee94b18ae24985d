"""Canceling a job: at once when queued, through the worker when running, never when finished."""

from __future__ import annotations

from datetime import datetime

from imagejobs.exceptions import JobStateConflictError
from imagejobs.logic.status import owned_job
from imagejobs.models.domain import Job
from imagejobs.observability import logger
from imagejobs.ports import JobRepository


def cancel_job(job_id: str, owner: str, *, jobs: JobRepository, now: datetime) -> Job:
    """Returns the job as the cancel left it: `canceled`, or `running` with the cancel requested.

    A finished job raises `JobStateConflictError` (409). Each step is a conditional write, so a
    job that starts running between the two is caught by the second.
    """
    job = owned_job(job_id, owner, jobs)
    if job.status.is_terminal:
        raise JobStateConflictError(job_id, "queued or running")
    try:
        canceled = jobs.cancel_queued(job_id, now)
    except JobStateConflictError:
        canceled = jobs.request_cancel(job_id, now)
    logger.info("cancel accepted", extra={"status": canceled.status})
    return canceled
