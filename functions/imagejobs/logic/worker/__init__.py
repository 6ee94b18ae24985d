"""Rendering a job. Every step is safe to repeat, because SQS may receive a message more than once:

- the state moves only forward, by the conditional transitions of `models.transitions`;
- a message for a finished or unknown job is acknowledged and does nothing;
- image keys are deterministic, so a retry overwrites what an earlier attempt wrote;
- a transition that causes a webhook event records it in the same write (the outbox), and
  every receive of the job's message, a finished job's included, dispatches what the job has
  not dispatched yet (logic.webhooks.outbox).
"""

from __future__ import annotations

from aws_lambda_powertools.metrics import MetricUnit

from imagejobs.clock import BilledTime
from imagejobs.exceptions import (
    JobStateConflictError,
    NotEnoughTimeError,
    PermanentEngineError,
    ThrottledError,
)
from imagejobs.logic.job_metrics import per_model
from imagejobs.logic.webhooks.outbox import dispatch
from imagejobs.logic.worker.attempt import (
    THROTTLE_GIVE_UP_AFTER,
    THROTTLE_MAX_WAIT_SECONDS,
    JobOutcome,
    Receive,
    Spent,
    WorkerPorts,
    image_key,
    retry_delay_seconds,
    throttle_delay_seconds,
)
from imagejobs.logic.worker.endings import (
    after_conflict,
    expire,
    fail,
    finish,
    finish_cancel,
    past_deadline,
    retries_exhausted,
    wait_for_quota,
)
from imagejobs.logic.worker.render import permanent_error, render
from imagejobs.models.domain import Job
from imagejobs.models.transitions import START
from imagejobs.observability import logger


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


def _process(job: Job, receive: Receive, ports: WorkerPorts, spent: Spent) -> JobOutcome:
    settled = _settled_before_start(job, ports, spent)
    if settled is not None:
        return settled
    try:
        job = ports.jobs.apply(START.change(job, ports.clock.now()))
    except JobStateConflictError:
        return after_conflict(job, ports, spent)
    _record_start(job, ports)
    try:
        rendered = render(job, ports, spent)
    except ThrottledError as error:
        return wait_for_quota(job, error, ports, spent)
    except PermanentEngineError as error:
        return fail(job, permanent_error(error), ports, spent)
    except Exception as error:
        if not receive.is_last:
            logger.warning(
                "render failed; SQS will retry",
                extra={"attempt": receive.receive_count, "error_type": type(error).__name__},
            )
            raise
        logger.exception("render failed on the last attempt")
        return fail(job, retries_exhausted(job, receive, error), ports, spent)
    return finish(job, rendered, ports, spent)


def _settled_before_start(job: Job, ports: WorkerPorts, spent: Spent) -> JobOutcome | None:
    """The outcome of a job that must not start: ended already, past its deadline, or asked
    to cancel; None for one that may."""
    if job.status.is_terminal:
        logger.info("job already finished; repeat receive ignored", extra={"status": job.status})
        return JobOutcome.SKIPPED
    if past_deadline(job, ports):
        # Still queued it never starts, so no model is paid for; a running one received again
        # may have written images.
        return expire(job, ports, spent)
    if job.cancel_requested:
        return finish_cancel(job, ports, spent)
    return None


def _record_start(job: Job, ports: WorkerPorts) -> None:
    # It left the queue: a sample of the drain rate queued jobs' estimates are made from.
    ports.jobs.record_start(job.updated_at)
    if job.attempts == 1 and job.started_at is not None:
        waited = (job.started_at - job.created_at).total_seconds()
        per_model("QueueWait", MetricUnit.Seconds, waited, job.parameters.model)


__all__ = [
    "THROTTLE_GIVE_UP_AFTER",
    "THROTTLE_MAX_WAIT_SECONDS",
    "JobOutcome",
    "Receive",
    "WorkerPorts",
    "image_key",
    "process_job",
    "process_receive",
    "throttle_delay_seconds",
]
