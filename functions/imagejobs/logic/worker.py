"""Rendering a job. Every step is safe to repeat, because SQS may receive a message more than once:

- the state moves only forward, by the conditional transitions of `models.transitions`;
- a message for a finished or unknown job is acknowledged and does nothing;
- image keys are deterministic, so a retry overwrites what an earlier attempt wrote;
- a transition that causes a webhook event records it in the same write (the outbox), and
  every receive of the job's message, a finished job's included, dispatches what the job has
  not dispatched yet (logic.webhooks.outbox).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from aws_lambda_powertools.metrics import MetricUnit

from imagejobs.clock import BilledTime, Clock
from imagejobs.engines.base import (
    FILE_EXTENSIONS,
    IMAGE_FIELDS,
    ImageEngine,
    Inputs,
    RenderedImage,
)
from imagejobs.exceptions import (
    ContentFilteredError,
    EngineError,
    EnqueueFailedError,
    JobStateConflictError,
    ModelUnavailableError,
    NotEnoughTimeError,
    PermanentEngineError,
    ThrottledError,
)
from imagejobs.logic.job_metrics import job_ended, per_model
from imagejobs.logic.webhooks.outbox import dispatch
from imagejobs.models.domain import GeneratedImage, Job, JobError, JobStatus
from imagejobs.models.messages import JobMessage
from imagejobs.models.transitions import (
    EXPIRE,
    FAIL,
    FINISH_CANCEL,
    REQUEUE_THROTTLED,
    START,
    SUCCEED,
)
from imagejobs.observability import logger, metrics
from imagejobs.ports import ImageStore, JobQueue, JobRepository, WebhookQueue


class JobOutcome(StrEnum):
    """What one receive of a job's message did to the job."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"
    SKIPPED = "skipped"
    # The model's quota was spent: the job waits for a message of its own, and this one is done.
    THROTTLED = "throttled"


@dataclass(frozen=True)
class WorkerPorts:
    """Everything the worker reads, writes and renders with."""

    jobs: JobRepository
    images: ImageStore
    queue: JobQueue
    webhooks: WebhookQueue
    engine: ImageEngine
    clock: Clock


@dataclass(frozen=True)
class Receive:
    """One SQS receive of a job's message, and the invocation's time left for it."""

    job_id: str
    receipt_handle: str
    # 1 on the first receive; on the queue's maxReceiveCount the job is failed, not retried.
    receive_count: int
    max_receive_count: int
    remaining_ms: int
    # The invocation's memory size: what its time is billed at.
    memory_mb: int = 0

    @property
    def is_last(self) -> bool:
        return self.receive_count >= self.max_receive_count


# Retries after a transient error wait 2, 4, 8, ... seconds, at most 5 minutes: the backoff
# SQS allows is a visibility change on the failed message.
RETRY_BASE_SECONDS = 2
RETRY_MAX_SECONDS = 300


def retry_delay_seconds(receive_count: int) -> int:
    return int(min(RETRY_BASE_SECONDS * 2 ** max(receive_count - 1, 0), RETRY_MAX_SECONDS))


# A throttled job waits 1 s to a minute (more the more it has waited, full jitter so a burst
# spreads over the quota), and is given up only when it has been throttled this long.
THROTTLE_MAX_WAIT_SECONDS = 60
THROTTLE_GIVE_UP_AFTER = timedelta(hours=1)


def throttle_delay_seconds(waits: int) -> int:
    ceiling = min(THROTTLE_MAX_WAIT_SECONDS, 2 ** min(waits, 10))
    return max(1, math.ceil(random.uniform(0, ceiling)))  # noqa: S311 (not cryptographic)


def image_key(job_id: str, index: int, image_format: str) -> str:
    return f"images/{job_id}/{index}.{FILE_EXTENSIONS[image_format]}"


def process_receive(
    receive: Receive, ports: WorkerPorts, *, time_reserve_seconds: int
) -> JobOutcome:
    """`process_job`, if the invocation has time for it.

    Raises when the message should come back: at once when less than the time reserve is
    left (`NotEnoughTimeError`), after a backoff when `process_job` raised. The caller reports
    the message as a batch item failure.
    """
    if receive.remaining_ms < time_reserve_seconds * 1000:
        # Give the message back now rather than be killed halfway through writing.
        ports.queue.delay(receive.receipt_handle, 0)
        raise NotEnoughTimeError(receive.job_id)
    try:
        return process_job(receive, ports)
    except Exception:
        # Back off before the message is received again.
        ports.queue.delay(receive.receipt_handle, retry_delay_seconds(receive.receive_count))
        raise


def process_job(receive: Receive, ports: WorkerPorts) -> JobOutcome:
    """Render the job and record the result, then dispatch the webhook events it caused.

    Raises only for errors worth retrying, and only before the last receive: the caller
    reports the message as failed so that it is received again after its visibility timeout.
    """
    spent = Spent(BilledTime.start(ports.clock, receive.memory_mb))
    job = ports.jobs.get(receive.job_id)
    if job is None:
        logger.warning("message for an unknown job dropped", extra={"job_id": receive.job_id})
        return JobOutcome.SKIPPED
    try:
        return _process(job, receive, ports, spent)
    finally:
        # Whatever happened (a failed render after the start, a repeat receive of a
        # finished job's message), the events the job caused go out; raising here brings
        # this message back, so none is lost.
        if job.webhook is not None and (latest := ports.jobs.get(job.job_id)) is not None:
            dispatch(latest, jobs=ports.jobs, webhooks=ports.webhooks)


@dataclass
class Spent:
    """What one receive spent on its job, recorded by the write that ends its attempt: the time
    inside the engine, and the Lambda time billed at the invocation's memory size."""

    billed: BilledTime
    model_seconds: float = 0.0
    images_rendered: int = 0

    def values(self) -> dict[str, float]:
        return {
            "model_seconds": self.model_seconds,
            "images_rendered": self.images_rendered,
            "lambda_gb_seconds": self.billed.gb_seconds(),
        }


def _process(job: Job, receive: Receive, ports: WorkerPorts, spent: Spent) -> JobOutcome:
    settled = _settled_before_start(job, ports, spent)
    if settled is not None:
        return settled
    try:
        job = ports.jobs.apply(START.change(job, ports.clock.now()))
    except JobStateConflictError:
        return _after_conflict(job, ports, spent)
    _record_start(job, ports)
    try:
        rendered = _render(job, ports, spent)
    except ThrottledError as error:
        return _wait_for_quota(job, error, ports, spent)
    except PermanentEngineError as error:
        return _fail(job, _reason(error), ports, spent)
    except Exception as error:
        if not receive.is_last:
            logger.warning(
                "render failed; SQS will retry",
                extra={"attempt": receive.receive_count, "error_type": type(error).__name__},
            )
            raise
        logger.exception("render failed on the last attempt")
        return _fail(job, _retries_exhausted(job, receive, error), ports, spent)
    return _finish(job, rendered, ports, spent)


def _settled_before_start(job: Job, ports: WorkerPorts, spent: Spent) -> JobOutcome | None:
    """The outcome of a job that must not start: ended already, past its deadline, or asked
    to cancel; None for one that may."""
    if job.status.is_terminal:
        logger.info("job already finished; repeat receive ignored", extra={"status": job.status})
        return JobOutcome.SKIPPED
    if _past_deadline(job, ports):
        # Still queued it never starts, so no model is paid for; a running one received again
        # may have written images.
        return _expire(job, ports, spent)
    if job.cancel_requested:
        return _finish_cancel(job, ports, spent)
    return None


def _record_start(job: Job, ports: WorkerPorts) -> None:
    # It left the queue: a sample of the drain rate queued jobs' estimates are made from.
    ports.jobs.record_start(job.updated_at)
    if job.attempts == 1 and job.started_at is not None:
        waited = (job.started_at - job.created_at).total_seconds()
        per_model("QueueWait", MetricUnit.Seconds, waited, job.parameters.model)


def _retries_exhausted(job: Job, receive: Receive, error: Exception) -> JobError:
    return JobError(
        type="retries_exhausted",
        # Receives can outnumber attempts: a batch cut short (a crash, a timeout) costs every
        # message in it a receive.
        message=f"gave up after {receive.receive_count} receives of its message"
        f" ({job.attempts} attempts); last error: {_describe(error)}",
    )


def _finish(
    job: Job, rendered: list[RenderedImage], ports: WorkerPorts, spent: Spent
) -> JobOutcome:
    """Stores the images and records the job succeeded, unless its deadline passes first."""
    stored = []
    for n, image in enumerate(rendered):
        # Between images, and once more before the result is recorded.
        if _past_deadline(job, ports):
            return _expire(job, ports, spent)
        stored.append(_store(job.job_id, n, image, ports.images))
    if _past_deadline(job, ports):
        return _expire(job, ports, spent)
    try:
        change = SUCCEED.change(job, ports.clock.now(), images=tuple(stored), **spent.values())
        job_ended(ports.jobs.apply(change))
    except JobStateConflictError:
        return _after_conflict(job, ports, spent)
    logger.info("job succeeded", extra={"images": len(stored)})
    return JobOutcome.SUCCEEDED


def _past_deadline(job: Job, ports: WorkerPorts) -> bool:
    # The clock is read only for a job that has a deadline.
    return job.deadline_at is not None and job.overdue(ports.clock.now())


def _inputs(job: Job, images: ImageStore) -> Inputs:
    """The bytes of the images the job takes in, kept since submit."""
    found: dict[str, bytes] = {}
    for name in IMAGE_FIELDS:
        record = getattr(job.parameters, name)
        if record is None:
            continue
        data = images.get(record.key)
        if data is None:
            raise PermanentEngineError(f"{name}: its stored copy is gone (it expired)")
        found[name] = data
    return found


def _render(job: Job, ports: WorkerPorts, spent: Spent) -> list[RenderedImage]:
    inputs = _inputs(job, ports.images)
    started = ports.clock.monotonic()
    try:
        rendered = ports.engine.render(job.parameters, inputs)
    finally:
        # A failed call took the model's time too.
        spent.model_seconds += ports.clock.monotonic() - started
    spent.images_rendered += len(rendered)
    elapsed_ms = (ports.clock.monotonic() - started) * 1000
    metrics.add_metric(name="RenderTime", unit=MetricUnit.Milliseconds, value=elapsed_ms)
    per_model("ModelLatency", MetricUnit.Milliseconds, elapsed_ms, job.parameters.model)

    logger.info(
        "rendered", extra={"model": job.parameters.model, "render_ms": round(elapsed_ms, 1)}
    )
    return rendered


def _reason(error: PermanentEngineError) -> JobError:
    """Why the job failed, in the error type its tenant can act on."""
    if isinstance(error, ContentFilteredError):
        return JobError(
            type="content_filtered",
            message=f"the model's content filters refused the {error.side}: change it and submit"
            " again",
        )
    if isinstance(error, ModelUnavailableError):
        return JobError(type="model_unavailable", message=str(error))
    return JobError(type="render_failed", message=str(error))


def _wait_for_quota(
    job: Job, error: ThrottledError, ports: WorkerPorts, spent: Spent
) -> JobOutcome:
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
        return _fail(job, reason, ports, spent)
    try:
        waiting = ports.jobs.apply(REQUEUE_THROTTLED.change(job, now, **spent.values()))
    except JobStateConflictError:
        return _after_conflict(job, ports, spent)
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


def _describe(error: Exception) -> str:
    # An engine's message is written for the job's tenant ("... answered ThrottlingException:
    # Too many requests"); anything else may carry internals, so only its type is shown.
    return str(error) if isinstance(error, EngineError) else type(error).__name__


def _store(job_id: str, index: int, image: RenderedImage, images: ImageStore) -> GeneratedImage:
    key = image_key(job_id, index, image.image_format)
    images.put(key, image.data, image.content_type)
    return GeneratedImage(
        key=key,
        width=image.width,
        height=image.height,
        image_format=image.image_format,
        seed=image.seed,
        model_seconds=image.seconds,
        size_bytes=len(image.data),
    )


def _fail(job: Job, error: JobError, ports: WorkerPorts, spent: Spent) -> JobOutcome:
    try:
        change = FAIL.change(job, ports.clock.now(), error=error, **spent.values())
        job_ended(ports.jobs.apply(change))
    except JobStateConflictError:
        return JobOutcome.SKIPPED
    logger.warning("job failed", extra={"error_type": error.type})
    return JobOutcome.FAILED


def _after_conflict(job: Job, ports: WorkerPorts, spent: Spent) -> JobOutcome:
    """A conditional write lost: a cancel arrived, or something else ended the job."""
    latest = ports.jobs.get(job.job_id)
    if latest is not None and latest.cancel_requested and not latest.status.is_terminal:
        return _finish_cancel(latest, ports, spent)
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


def _finish_cancel(job: Job, ports: WorkerPorts, spent: Spent) -> JobOutcome:
    _remove_images(job, ports.images)
    try:
        job_ended(ports.jobs.apply(FINISH_CANCEL.change(job, ports.clock.now(), **spent.values())))
    except JobStateConflictError:
        return JobOutcome.SKIPPED
    logger.info("job canceled while running; its images were removed")
    return JobOutcome.CANCELED


def _expire(job: Job, ports: WorkerPorts, spent: Spent) -> JobOutcome:
    """Ends a job past its deadline: nothing it wrote is left."""
    if job.status is JobStatus.RUNNING:
        _remove_images(job, ports.images)
    try:
        change = EXPIRE.change(job, ports.clock.now(), error=job.deadline_error(), **spent.values())
        job_ended(ports.jobs.apply(change))
    except JobStateConflictError:
        return _after_conflict(job, ports, spent)
    metrics.add_metric(name="JobsPastDeadline", unit=MetricUnit.Count, value=1)
    logger.info("job canceled: past its deadline", extra={"status": job.status})
    return JobOutcome.CANCELED
