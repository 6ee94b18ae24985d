"""Canceling a job: at once when queued, through the worker when running, never when finished."""

from __future__ import annotations

from datetime import datetime

from imagejobs.exceptions import EnqueueFailedError, JobStateConflictError
from imagejobs.logic.status import tenants_job
from imagejobs.logic.webhooks.outbox import dispatch
from imagejobs.models.domain import Job
from imagejobs.models.transitions import CANCEL_QUEUED, REQUEST_CANCEL
from imagejobs.observability import logger
from imagejobs.ports import JobRepository, WebhookQueue


def cancel_job(
    job_id: str, tenant: str, *, jobs: JobRepository, webhooks: WebhookQueue, now: datetime
) -> Job:
    """Returns the job as the cancel left it: `canceled`, or `running` with the cancel requested.

    A finished job raises `JobStateConflictError` (409). Each step is a conditional write, so a
    job that starts running between the two is caught by the second.
    """
    job = tenants_job(job_id, tenant, jobs)
    if job.status.is_terminal:
        # A cancel that ended the job but could not dispatch its event is retried by the
        # client; its 409 dispatches what is left.
        _dispatch(job, jobs, webhooks)
        raise JobStateConflictError(job_id, "queued or running")
    try:
        canceled = jobs.apply(CANCEL_QUEUED.change(job, now))
    except JobStateConflictError:
        canceled = jobs.apply(REQUEST_CANCEL.change(job, now))
    _dispatch(canceled, jobs, webhooks)
    logger.info("cancel accepted", extra={"status": canceled.status})
    return canceled


def _dispatch(job: Job, jobs: JobRepository, webhooks: WebhookQueue) -> None:
    try:
        dispatch(job, jobs=jobs, webhooks=webhooks)
    except EnqueueFailedError:
        logger.warning("webhook event of a canceled job not dispatched yet")
