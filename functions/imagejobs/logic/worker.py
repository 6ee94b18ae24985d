"""Rendering a job. Every step is safe to repeat, because SQS delivers at least once:

- the state moves only forward, by conditional writes (`JobRepository`);
- a message for a finished or unknown job is acknowledged and does nothing;
- image keys are deterministic, so a retry overwrites what an earlier attempt wrote;
- a transition that causes a webhook event records it in the same write (the outbox), and
  every delivery, a redelivery of a finished job's message included, dispatches what the job
  has not dispatched yet (logic.webhooks.outbox).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum

from aws_lambda_powertools.metrics import MetricUnit

from imagejobs.engines.base import FILE_EXTENSIONS, ImageEngine, RenderedImage
from imagejobs.exceptions import (
    EngineError,
    JobStateConflictError,
    NotEnoughTimeError,
    PermanentEngineError,
)
from imagejobs.logic.webhooks.outbox import delivery_for, dispatch
from imagejobs.models.domain import GeneratedImage, Job, JobError
from imagejobs.models.webhooks import WebhookEvent
from imagejobs.observability import logger, metrics
from imagejobs.ports import ImageStore, JobQueue, JobRepository, WebhookQueue


class Outcome(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"
    SKIPPED = "skipped"


# Retries after a transient error wait 2, 4, 8, ... seconds, at most 5 minutes: the backoff
# SQS allows is a visibility change on the failed message.
RETRY_BASE_SECONDS = 2
RETRY_MAX_SECONDS = 300


def retry_delay_seconds(receive_count: int) -> int:
    return int(min(RETRY_BASE_SECONDS * 2 ** max(receive_count - 1, 0), RETRY_MAX_SECONDS))


def image_key(job_id: str, index: int, image_format: str) -> str:
    return f"images/{job_id}/{index}.{FILE_EXTENSIONS[image_format]}"


def process_delivery(
    job_id: str,
    receipt_handle: str,
    *,
    receive_count: int,
    max_receive_count: int,
    remaining_ms: int,
    time_reserve_seconds: int,
    jobs: JobRepository,
    images: ImageStore,
    queue: JobQueue,
    webhooks: WebhookQueue,
    engine: ImageEngine,
    clock: Callable[[], datetime],
) -> Outcome:
    """One SQS delivery of a job's message: `process_job`, if the invocation has time for it.

    Raises when the message should come back: at once when less than the time reserve is
    left (`NotEnoughTimeError`), after a backoff when `process_job` raised. The caller reports
    the message as a batch item failure.
    """
    if remaining_ms < time_reserve_seconds * 1000:
        # Give the message back now rather than be killed halfway through writing.
        queue.delay(receipt_handle, 0)
        raise NotEnoughTimeError(job_id)
    try:
        return process_job(
            job_id,
            receive_count=receive_count,
            max_receive_count=max_receive_count,
            jobs=jobs,
            images=images,
            webhooks=webhooks,
            engine=engine,
            clock=clock,
        )
    except Exception:
        # Back off before SQS delivers it again.
        queue.delay(receipt_handle, retry_delay_seconds(receive_count))
        raise


def process_job(
    job_id: str,
    *,
    receive_count: int,
    max_receive_count: int,
    jobs: JobRepository,
    images: ImageStore,
    webhooks: WebhookQueue,
    engine: ImageEngine,
    clock: Callable[[], datetime],
) -> Outcome:
    """Render the job and record the result, then dispatch the webhook events it caused.

    Raises only for errors worth retrying, and only before the last delivery: the caller
    reports the message as failed so that SQS delivers it again after its visibility timeout.
    """
    job = jobs.get(job_id)
    if job is None:
        logger.warning("message for an unknown job dropped", extra={"job_id": job_id})
        return Outcome.SKIPPED
    try:
        return _process(
            job,
            receive_count=receive_count,
            max_receive_count=max_receive_count,
            jobs=jobs,
            images=images,
            engine=engine,
            clock=clock,
        )
    finally:
        # Whatever happened (a failed render after the start, a redelivery of a finished
        # job's message), the events the job caused go out; raising here brings this message
        # back, so none is lost.
        if job.webhook is not None and (latest := jobs.get(job_id)) is not None:
            dispatch(latest, jobs=jobs, webhooks=webhooks)


def _process(
    job: Job,
    *,
    receive_count: int,
    max_receive_count: int,
    jobs: JobRepository,
    images: ImageStore,
    engine: ImageEngine,
    clock: Callable[[], datetime],
) -> Outcome:
    job_id = job.job_id
    if job.status.is_terminal:
        logger.info("job already finished; redelivery ignored", extra={"status": job.status})
        return Outcome.SKIPPED
    if job.cancel_requested:
        return _finish_cancel(jobs, images, job, clock)
    now = clock()
    try:
        job = jobs.start_attempt(
            job_id, now, engine.engine_id, delivery_for(job, WebhookEvent.STARTED, now)
        )
    except JobStateConflictError:
        return _after_conflict(jobs, images, job_id, clock)

    try:
        rendered = _render(job, engine)
        stored = [_store(job_id, index, image, images) for index, image in enumerate(rendered)]
    except PermanentEngineError as error:
        return _fail(jobs, job, JobError(type="RenderFailed", message=str(error)), clock)
    except Exception as error:
        if receive_count < max_receive_count:
            logger.warning(
                "render failed; SQS will retry",
                extra={"attempt": receive_count, "error_type": type(error).__name__},
            )
            raise
        logger.exception("render failed on the last attempt")
        reason = JobError(
            type="RetriesExhausted",
            # Deliveries can outnumber attempts: a batch cut short (a crash, a timeout) costs
            # every message in it a delivery.
            message=f"gave up after {receive_count} deliveries ({job.attempts} attempts);"
            f" last error: {_describe(error)}",
        )
        return _fail(jobs, job, reason, clock)

    now = clock()
    try:
        jobs.complete(job_id, stored, now, delivery_for(job, WebhookEvent.COMPLETED, now))
    except JobStateConflictError:
        return _after_conflict(jobs, images, job_id, clock)
    metrics.add_metric(name="JobsSucceeded", unit=MetricUnit.Count, value=1)
    logger.info("job succeeded", extra={"images": len(stored)})
    return Outcome.SUCCEEDED


def _render(job: Job, engine: ImageEngine) -> list[RenderedImage]:
    started = time.perf_counter()
    rendered = engine.render(job.parameters)
    elapsed_ms = (time.perf_counter() - started) * 1000
    metrics.add_metric(name="RenderTime", unit=MetricUnit.Milliseconds, value=elapsed_ms)
    logger.info("rendered", extra={"engine": engine.engine_id, "render_ms": round(elapsed_ms, 1)})
    return rendered


def _describe(error: Exception) -> str:
    # An engine's message is written for the job's owner ("... answered ThrottlingException:
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


def _fail(jobs: JobRepository, job: Job, error: JobError, clock: Callable[[], datetime]) -> Outcome:
    now = clock()
    try:
        jobs.fail(job.job_id, error, now, delivery_for(job, WebhookEvent.COMPLETED, now))
    except JobStateConflictError:
        return Outcome.SKIPPED
    metrics.add_metric(name="JobsFailed", unit=MetricUnit.Count, value=1)
    logger.warning("job failed", extra={"error_type": error.type})
    return Outcome.FAILED


def _after_conflict(
    jobs: JobRepository, images: ImageStore, job_id: str, clock: Callable[[], datetime]
) -> Outcome:
    """A conditional write lost: either a cancel arrived or another delivery finished the job."""
    job = jobs.get(job_id)
    if job is not None and job.cancel_requested and not job.status.is_terminal:
        return _finish_cancel(jobs, images, job, clock)
    logger.info("job finished by another delivery; this one is dropped")
    return Outcome.SKIPPED


def _finish_cancel(
    jobs: JobRepository, images: ImageStore, job: Job, clock: Callable[[], datetime]
) -> Outcome:
    # Keys are deterministic, so whatever any attempt wrote is found without a listing.
    params = job.parameters
    images.delete([image_key(job.job_id, n, params.image_format) for n in range(params.num_images)])
    now = clock()
    try:
        jobs.finish_canceled(job.job_id, now, delivery_for(job, WebhookEvent.COMPLETED, now))
    except JobStateConflictError:
        return Outcome.SKIPPED
    logger.info("job canceled while running; its images were removed")
    return Outcome.CANCELED
