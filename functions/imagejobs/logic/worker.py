"""Rendering a job. Every step is safe to repeat, because SQS delivers at least once:

- the state moves only forward, by the conditional transitions of `models.transitions`;
- a message for a finished or unknown job is acknowledged and does nothing;
- image keys are deterministic, so a retry overwrites what an earlier attempt wrote;
- a transition that causes a webhook event records it in the same write (the outbox), and
  every receive of the job's message, a finished job's included, dispatches what the job has
  not dispatched yet (logic.webhooks.outbox).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum

from aws_lambda_powertools.metrics import MetricUnit

from imagejobs.clock import Clock
from imagejobs.engines.base import FILE_EXTENSIONS, ImageEngine, RenderedImage
from imagejobs.exceptions import (
    EngineError,
    JobStateConflictError,
    NotEnoughTimeError,
    PermanentEngineError,
)
from imagejobs.logic.webhooks.outbox import dispatch
from imagejobs.models.domain import GeneratedImage, Job, JobError
from imagejobs.models.transitions import FAIL, FINISH_CANCEL, START, SUCCEED
from imagejobs.observability import logger, metrics
from imagejobs.ports import ImageStore, JobQueue, JobRepository, WebhookQueue


class JobOutcome(StrEnum):
    """What one receive of a job's message did to the job."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"
    SKIPPED = "skipped"


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

    @property
    def is_last(self) -> bool:
        return self.receive_count >= self.max_receive_count


# Retries after a transient error wait 2, 4, 8, ... seconds, at most 5 minutes: the backoff
# SQS allows is a visibility change on the failed message.
RETRY_BASE_SECONDS = 2
RETRY_MAX_SECONDS = 300


def retry_delay_seconds(receive_count: int) -> int:
    return int(min(RETRY_BASE_SECONDS * 2 ** max(receive_count - 1, 0), RETRY_MAX_SECONDS))


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
        # Back off before SQS delivers it again.
        ports.queue.delay(receive.receipt_handle, retry_delay_seconds(receive.receive_count))
        raise


def process_job(receive: Receive, ports: WorkerPorts) -> JobOutcome:
    """Render the job and record the result, then dispatch the webhook events it caused.

    Raises only for errors worth retrying, and only before the last receive: the caller
    reports the message as failed so that SQS delivers it again after its visibility timeout.
    """
    job = ports.jobs.get(receive.job_id)
    if job is None:
        logger.warning("message for an unknown job dropped", extra={"job_id": receive.job_id})
        return JobOutcome.SKIPPED
    try:
        return _process(job, receive, ports)
    finally:
        # Whatever happened (a failed render after the start, a redelivery of a finished
        # job's message), the events the job caused go out; raising here brings this message
        # back, so none is lost.
        if job.webhook is not None and (latest := ports.jobs.get(job.job_id)) is not None:
            dispatch(latest, jobs=ports.jobs, webhooks=ports.webhooks)


def _process(job: Job, receive: Receive, ports: WorkerPorts) -> JobOutcome:
    if job.status.is_terminal:
        logger.info("job already finished; redelivery ignored", extra={"status": job.status})
        return JobOutcome.SKIPPED
    if job.cancel_requested:
        return _finish_cancel(job, ports)
    try:
        job = ports.jobs.apply(
            START.change(job, ports.clock.now(), engine_id=ports.engine.engine_id)
        )
    except JobStateConflictError:
        return _after_conflict(job, ports)
    try:
        stored = [
            _store(job.job_id, n, image, ports.images)
            for n, image in enumerate(_render(job, ports.engine))
        ]
    except PermanentEngineError as error:
        return _fail(job, JobError(type="RenderFailed", message=str(error)), ports)
    except Exception as error:
        if not receive.is_last:
            logger.warning(
                "render failed; SQS will retry",
                extra={"attempt": receive.receive_count, "error_type": type(error).__name__},
            )
            raise
        logger.exception("render failed on the last attempt")
        reason = JobError(
            type="RetriesExhausted",
            # Receives can outnumber attempts: a batch cut short (a crash, a timeout) costs
            # every message in it a receive.
            message=f"gave up after {receive.receive_count} receives of its message"
            f" ({job.attempts} attempts); last error: {_describe(error)}",
        )
        return _fail(job, reason, ports)
    try:
        ports.jobs.apply(SUCCEED.change(job, ports.clock.now(), images=tuple(stored)))
    except JobStateConflictError:
        return _after_conflict(job, ports)
    metrics.add_metric(name="JobsSucceeded", unit=MetricUnit.Count, value=1)
    logger.info("job succeeded", extra={"images": len(stored)})
    return JobOutcome.SUCCEEDED


def _render(job: Job, engine: ImageEngine) -> list[RenderedImage]:
    started = time.perf_counter()
    rendered = engine.render(job.parameters)
    elapsed_ms = (time.perf_counter() - started) * 1000
    metrics.add_metric(name="RenderTime", unit=MetricUnit.Milliseconds, value=elapsed_ms)
    logger.info("rendered", extra={"engine": engine.engine_id, "render_ms": round(elapsed_ms, 1)})
    return rendered


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
    )


def _fail(job: Job, error: JobError, ports: WorkerPorts) -> JobOutcome:
    try:
        ports.jobs.apply(FAIL.change(job, ports.clock.now(), error=error))
    except JobStateConflictError:
        return JobOutcome.SKIPPED
    metrics.add_metric(name="JobsFailed", unit=MetricUnit.Count, value=1)
    logger.warning("job failed", extra={"error_type": error.type})
    return JobOutcome.FAILED


def _after_conflict(job: Job, ports: WorkerPorts) -> JobOutcome:
    """A conditional write lost: either a cancel arrived or another receive finished the job."""
    latest = ports.jobs.get(job.job_id)
    if latest is not None and latest.cancel_requested and not latest.status.is_terminal:
        return _finish_cancel(latest, ports)
    logger.info("job finished by another receive; this one is dropped")
    return JobOutcome.SKIPPED


def _finish_cancel(job: Job, ports: WorkerPorts) -> JobOutcome:
    # Keys are deterministic, so whatever any attempt wrote is found without a listing.
    params = job.parameters
    keys = [image_key(job.job_id, n, params.image_format) for n in range(params.num_images)]
    ports.images.delete(keys)
    try:
        ports.jobs.apply(FINISH_CANCEL.change(job, ports.clock.now()))
    except JobStateConflictError:
        return JobOutcome.SKIPPED
    logger.info("job canceled while running; its images were removed")
    return JobOutcome.CANCELED
