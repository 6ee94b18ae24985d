"""Re-driving stranded jobs: nothing accepted stays open because its message was lost.

A job's message can vanish while the job stays open: the queue was purged, deleted and
recreated, or the message outlived its retention. The sweeper reads the sparse `open-jobs`
index (never the table) for jobs open past a bound, oldest first, and sends each one's message
again, which is safe because the worker is idempotent; it then moves the job's `updated_at`, so
the job waits a whole bound before the next re-drive and the jobs behind it get their turn. A
job still open past the final deadline is failed (`stale`). A queued job past its own deadline
(`Cancel-After`) is canceled (`deadline_exceeded`) first, whatever holds its message back (a
backlog, a throttled wait): it never starts. Every step is safe to repeat: a second send is a
repeat receive, and every write is a conditional transition only an open job takes.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from aws_lambda_powertools.metrics import MetricUnit

from imagejobs.exceptions import EnqueueFailedError, JobStateConflictError
from imagejobs.logic.webhooks.outbox import dispatch
from imagejobs.models.domain import Job, JobError, JobStatus
from imagejobs.models.messages import JobMessage
from imagejobs.models.transitions import EXPIRE, FAIL, NOTE_REDRIVEN
from imagejobs.observability import logger, metrics
from imagejobs.ports import JobQueue, JobRepository, WebhookQueue
from imagejobs.settings import SweepSettings


@dataclass(frozen=True)
class SweepReport:
    redriven: int = 0
    failed: int = 0
    # Re-drives the queue refused (it is still down): the next run tries them again.
    unsent: int = 0
    # Queued jobs canceled for passing their deadline.
    expired: int = 0


def sweep(
    *,
    jobs: JobRepository,
    queue: JobQueue,
    webhooks: WebhookQueue,
    settings: SweepSettings,
    now: datetime,
) -> SweepReport:
    bounds = {
        JobStatus.QUEUED: timedelta(seconds=settings.queued_after_seconds),
        JobStatus.RUNNING: timedelta(seconds=settings.running_after_seconds),
    }
    give_up_before = now - timedelta(seconds=settings.give_up_after_seconds)
    redriven = failed = unsent = expired = 0
    budget = settings.max_jobs_per_run
    overdue = jobs.list_overdue(JobStatus.QUEUED, now=now, limit=budget)
    budget -= len(overdue)
    for job in overdue:
        expired += _expire(job, jobs, webhooks, now)
    for status, bound in bounds.items():
        stranded = (
            jobs.list_open(status, updated_before=now - bound, limit=budget) if budget else []
        )
        budget -= len(stranded)
        for job in stranded:
            if job.status is JobStatus.QUEUED and job.overdue(now):
                expired += _expire(job, jobs, webhooks, now)
            elif job.created_at < give_up_before:
                failed += _give_up(job, jobs, webhooks, settings, now)
            elif _redrive(job, jobs, queue, now):
                redriven += 1
            else:
                unsent += 1
    metrics.add_metric(name="JobsRedriven", unit=MetricUnit.Count, value=redriven)
    metrics.add_metric(name="JobsStale", unit=MetricUnit.Count, value=failed)
    report = SweepReport(redriven=redriven, failed=failed, unsent=unsent, expired=expired)
    logger.info("sweep done", extra=asdict(report))
    return report


def _redrive(job: Job, jobs: JobRepository, queue: JobQueue, now: datetime) -> bool:
    # Send first: a job noted before a send that failed would wait a bound for nothing.
    try:
        queue.send(JobMessage(job_id=job.job_id))
    except EnqueueFailedError:
        logger.warning("could not re-drive a job", extra={"job_id": job.job_id})
        return False
    # A job that ended since the index was read conflicts; its message is a harmless repeat receive.
    with suppress(JobStateConflictError):
        jobs.apply(NOTE_REDRIVEN.change(job, now))
    logger.info("job re-driven", extra={"job_id": job.job_id, "status": job.status})
    return True


def _expire(job: Job, jobs: JobRepository, webhooks: WebhookQueue, now: datetime) -> int:
    try:
        expired = jobs.apply(EXPIRE.change(job, now, error=job.deadline_error()))
    except JobStateConflictError:
        # It started or ended since the index was read: its worker sees the deadline.
        return 0
    _dispatch(expired, jobs, webhooks)
    metrics.add_metric(name="JobsPastDeadline", unit=MetricUnit.Count, value=1)
    logger.info("queued job past its deadline canceled", extra={"job_id": job.job_id})
    return 1


def _dispatch(job: Job, jobs: JobRepository, webhooks: WebhookQueue) -> None:
    try:
        dispatch(job, jobs=jobs, webhooks=webhooks)
    except EnqueueFailedError:
        # Its event stays undispatched on the job (no message will bring the job back): logged.
        logger.warning("webhook event not dispatched yet", extra={"job_id": job.job_id})


def _give_up(
    job: Job, jobs: JobRepository, webhooks: WebhookQueue, settings: SweepSettings, now: datetime
) -> int:
    reason = JobError(
        type="stale",
        message=f"still {job.status.value} {settings.give_up_after_seconds} seconds after it"
        " was submitted; given up",
    )
    try:
        failed = jobs.apply(FAIL.change(job, now, error=reason))
    except JobStateConflictError:
        # It ended since the index was read.
        return 0
    _dispatch(failed, jobs, webhooks)
    metrics.add_metric(name="JobsFailed", unit=MetricUnit.Count, value=1)
    logger.warning("stale job failed", extra={"job_id": job.job_id, "status": job.status})
    return 1
