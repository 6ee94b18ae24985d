"""The last word on a message the worker could not finish: its job must not stay open."""

from __future__ import annotations

from datetime import datetime

from aws_lambda_powertools.metrics import MetricUnit

from imagejobs.exceptions import JobStateConflictError
from imagejobs.logic.webhooks.outbox import dispatch
from imagejobs.models.domain import JobError
from imagejobs.models.transitions import FAIL
from imagejobs.observability import logger, metrics
from imagejobs.ports import JobRepository, WebhookQueue


def settle_dead_letter(
    job_id: str | None,
    *,
    receive_count: int,
    jobs: JobRepository,
    webhooks: WebhookQueue,
    now: datetime,
) -> bool:
    """Fails the job a dead-lettered message names, unless it already ended.

    Returns whether a job was failed. A message that names no job (unparseable, or an unknown
    id) is logged and dropped: nothing else could ever settle it.
    """
    if job_id is None:
        logger.warning("dead-lettered message names no job; dropped")
        return False
    job = jobs.get(job_id)
    if job is None:
        logger.warning("dead-lettered message for an unknown job; dropped")
        return False
    if job.status.is_terminal:
        logger.info("dead-lettered message for a finished job", extra={"status": job.status})
        # Its worker may have died between the last transition and dispatching its event.
        dispatch(job, jobs=jobs, webhooks=webhooks)
        return False
    reason = JobError(
        type="dead_lettered",
        message=f"the job could not be processed after {receive_count} receives of its message",
    )
    try:
        failed = jobs.apply(FAIL.change(job, now, error=reason))
    except JobStateConflictError:
        if (ended := jobs.get(job_id)) is not None:
            dispatch(ended, jobs=jobs, webhooks=webhooks)
        return False
    dispatch(failed, jobs=jobs, webhooks=webhooks)
    metrics.add_metric(name="JobsFailed", unit=MetricUnit.Count, value=1)
    logger.warning("dead-lettered job failed", extra={"receive_count": receive_count})
    return True
