"""How an attempt ends: its job succeeded, failed, canceled, past its deadline, or sent back
to wait for the model's quota; and what to do when another writer ended it first."""

from __future__ import annotations

from aws_lambda_powertools.metrics import MetricUnit

from imagejobs.engines.base import (
    RenderedImage,
)
from imagejobs.exceptions import (
    EnqueueFailedError,
    JobStateConflictError,
    ThrottledError,
)
from imagejobs.logic.job_metrics import job_ended, per_model
from imagejobs.logic.worker.attempt import (
    THROTTLE_GIVE_UP_AFTER,
    JobOutcome,
    Receive,
    Spent,
    WorkerPorts,
    image_key,
    throttle_delay_seconds,
)
from imagejobs.logic.worker.render import describe, store_image
from imagejobs.models.domain import Job, JobError, JobStatus
from imagejobs.models.messages import JobMessage
from imagejobs.models.transitions import (
    EXPIRE,
    FAIL,
    FINISH_CANCEL,
    REQUEUE_THROTTLED,
    SUCCEED,
)
from imagejobs.observability import logger, metrics
from imagejobs.ports import ImageStore


def past_deadline(job: Job, ports: WorkerPorts) -> bool:
    # The clock is read only for a job that has a deadline.
    return job.deadline_at is not None and job.overdue(ports.clock.now())


def retries_exhausted(job: Job, receive: Receive, error: Exception) -> JobError:
    return JobError(
        type="retries_exhausted",
        # Receives can outnumber attempts: a batch cut short (a crash, a timeout) costs every
        # message in it a receive.
        message=f"gave up after {receive.receive_count} receives of its message"
        f" ({job.attempts} attempts); last error: {describe(error)}",
    )


def finish(job: Job, rendered: list[RenderedImage], ports: WorkerPorts, spent: Spent) -> JobOutcome:
    """Stores the images and records the job succeeded, unless its deadline passes first."""
    stored = []
    for n, image in enumerate(rendered):
        # Between images, and once more before the result is recorded.
        if past_deadline(job, ports):
            return expire(job, ports, spent)
        stored.append(store_image(job.job_id, n, image, ports.images))
    if past_deadline(job, ports):
        return expire(job, ports, spent)
    try:
        change = SUCCEED.change(job, ports.clock.now(), images=tuple(stored), **spent.values())
        job_ended(ports.jobs.apply(change))
    except JobStateConflictError:
        return after_conflict(job, ports, spent)
    logger.info("job succeeded", extra={"images": len(stored)})
    return JobOutcome.SUCCEEDED


def fail(job: Job, error: JobError, ports: WorkerPorts, spent: Spent) -> JobOutcome:
    try:
        change = FAIL.change(job, ports.clock.now(), error=error, **spent.values())
        job_ended(ports.jobs.apply(change))
    except JobStateConflictError:
        return JobOutcome.SKIPPED
    logger.warning("job failed", extra={"error_type": error.type})
    return JobOutcome.FAILED


def after_conflict(job: Job, ports: WorkerPorts, spent: Spent) -> JobOutcome:
    """A conditional write lost: a cancel arrived, or something else ended the job."""
    latest = ports.jobs.get(job.job_id)
    if latest is not None and latest.cancel_requested and not latest.status.is_terminal:
        return finish_cancel(latest, ports, spent)
    if latest is not None and latest.status is JobStatus.CANCELED:
        # Canceled while this receive rendered (its deadline, seen by the sweeper or another
        # receive): what this one wrote since must not stay.
        _remove_images(latest, ports.images)
    logger.info("job finished by another receive; this one is dropped")
    return JobOutcome.SKIPPED


def _remove_images(job: Job, images: ImageStore) -> None:
    # Keys are deterministic, so whatever any attempt wrote is found without a listing.
    params = job.parameters
    images.delete([image_key(job.job_id, n, params.image_format) for n in range(params.num_images)])


def finish_cancel(job: Job, ports: WorkerPorts, spent: Spent) -> JobOutcome:
    _remove_images(job, ports.images)
    try:
        job_ended(ports.jobs.apply(FINISH_CANCEL.change(job, ports.clock.now(), **spent.values())))
    except JobStateConflictError:
        return JobOutcome.SKIPPED
    logger.info("job canceled while running; its images were removed")
    return JobOutcome.CANCELED


def expire(job: Job, ports: WorkerPorts, spent: Spent) -> JobOutcome:
    """Ends a job past its deadline: nothing it wrote is left."""
    if job.status is JobStatus.RUNNING:
        _remove_images(job, ports.images)
    try:
        change = EXPIRE.change(job, ports.clock.now(), error=job.deadline_error(), **spent.values())
        job_ended(ports.jobs.apply(change))
    except JobStateConflictError:
        return after_conflict(job, ports, spent)
    metrics.add_metric(name="JobsPastDeadline", unit=MetricUnit.Count, value=1)
    logger.info("job canceled: past its deadline", extra={"status": job.status})
    return JobOutcome.CANCELED


def wait_for_quota(job: Job, error: ThrottledError, ports: WorkerPorts, spent: Spent) -> JobOutcome:
    """Sends the job back to wait for the model's quota with a message of its own, so waiting
    never uses up the receives its failures may need; past the bound, the job fails."""
    now = ports.clock.now()
    since = job.first_throttled_at or now
    if now - since >= THROTTLE_GIVE_UP_AFTER:
        reason = JobError(
            type="throttled",
            message=f"the model's request quota was spent for {THROTTLE_GIVE_UP_AFTER} after"
            f" {job.throttled_waits} waits: {error}",
        )
        return fail(job, reason, ports, spent)
    try:
        waiting = ports.jobs.apply(REQUEUE_THROTTLED.change(job, now, **spent.values()))
    except JobStateConflictError:
        return after_conflict(job, ports, spent)
    delay = throttle_delay_seconds(waiting.throttled_waits)
    try:
        ports.queue.send(JobMessage(job_id=job.job_id), delay_seconds=delay)
    except EnqueueFailedError:
        # Queued again but with no message: this receive's message must come back instead.
        raise ThrottledError(f"{error}; the job's next message could not be sent") from error
    per_model("ModelThrottles", MetricUnit.Count, 1, job.parameters.model)
    logger.info(
        "model throttled; the job waits", extra={"wait_s": delay, "waits": waiting.throttled_waits}
    )
    return JobOutcome.THROTTLED
