"""Sending one attempt of one webhook event, and deciding what follows it.

- 2xx: delivered. 410: given up, and no other event of the job's webhook is sent. Anything
  else (3xx, 4xx, 5xx, a timeout, a refused connection, a target that resolves inward) is
  retried on the schedule (`retry_schedule`, seconds before each retry, with +-10 % jitter),
  or after the receiver's Retry-After on a 429 or 503; after the last retry, given up.
- The next attempt is queued before this one is recorded, so a crash in between repeats an
  attempt (same `webhook-id`) rather than losing the event.
- A message for an attempt already recorded, or for a delivery that ended, does nothing.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import NamedTuple

from aws_lambda_powertools.metrics import MetricUnit
from standardwebhooks import Webhook

from imagejobs.logic.status import report
from imagejobs.logic.webhooks.secrets import tenant_secrets
from imagejobs.models.api import WebhookBody, job_view
from imagejobs.models.domain import Job
from imagejobs.models.webhooks import (
    Delivery,
    DeliveryAttempt,
    DeliveryState,
    SendResult,
    WebhookEvent,
    WebhookMessage,
)
from imagejobs.observability import logger, metrics
from imagejobs.ports import ImageStore, JobRepository, SecretStore, WebhookQueue, WebhookSender

# SQS's largest DelaySeconds: a longer wait is chained through `not_before`.
MAX_QUEUE_DELAY_SECONDS = 900
JITTER = 0.1
GONE = 410
_RETRY_AFTER_STATUSES = frozenset({429, 503})


class Verdict(StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"
    STOP = "stop"


class DeliveryOutcome(StrEnum):
    """What one run of `deliver` did (the worker's `JobOutcome` is a job's)."""

    DELIVERED = "delivered"
    RETRYING = "retrying"
    GIVEN_UP = "given_up"
    WAITING = "waiting"
    SKIPPED = "skipped"


def classify(result: SendResult) -> Verdict:
    """What an attempt's result means; redirects are failures, as they are not followed."""
    if result.status_code is None:
        return Verdict.RETRY
    if 200 <= result.status_code < 300:
        return Verdict.DELIVERED
    if result.status_code == GONE:
        return Verdict.STOP
    return Verdict.RETRY


def retry_delay(
    attempt: int,
    result: SendResult,
    schedule: Sequence[int],
    rng: Callable[[float, float], float] = random.uniform,
) -> float | None:
    """Seconds to wait before the attempt after `attempt` (1-based), or None to give up."""
    if attempt > len(schedule):
        return None
    if result.status_code in _RETRY_AFTER_STATUSES and result.retry_after_seconds is not None:
        # The receiver's wish, within the schedule's longest wait.
        return min(max(result.retry_after_seconds, 1.0), float(max(schedule)))
    base = schedule[attempt - 1]
    return max(1.0, base * rng(1 - JITTER, 1 + JITTER))


def signature_headers(
    webhook_id: str, sent_at: datetime, body: str, secrets: Sequence[str]
) -> dict[str, str]:
    """Standard Webhooks' headers; one `v1,` signature per secret, space-separated."""
    signatures = " ".join(Webhook(secret).sign(webhook_id, sent_at, body) for secret in secrets)
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(math.floor(sent_at.timestamp())),
        "webhook-signature": signatures,
        "content-type": "application/json",
        "user-agent": "imagejobs-webhooks/1",
    }


def webhook_body(job: Job, delivery: Delivery, image_urls: dict[str, str]) -> str:
    # The job as of the event (an open job's metrics run to it), the same on every attempt.
    view = job_view(job, image_urls, now=delivery.occurred_at)
    body = WebhookBody(type=delivery.event.type, timestamp=delivery.occurred_at, data=view)
    return body.model_dump_json()


class DeliveryPorts(NamedTuple):
    jobs: JobRepository
    secrets: SecretStore
    sender: WebhookSender
    queue: WebhookQueue
    images: ImageStore


class DeliveryPolicy(NamedTuple):
    """The deployment's rules for a delivery: the retry schedule (seconds before each retry),
    how long the body's image URLs last, and the jitter's random source."""

    schedule: Sequence[int]
    url_expiry_seconds: int
    rng: Callable[[float, float], float] = random.uniform


def deliver(
    message: WebhookMessage,
    ports: DeliveryPorts,
    policy: DeliveryPolicy,
    *,
    now: datetime,
) -> DeliveryOutcome:
    log = {"job_id": message.job_id, "event": message.event, "attempt": message.attempt}
    if message.not_before is not None and message.not_before > now:
        wait = math.ceil((message.not_before - now).total_seconds())
        ports.queue.send(message, delay_seconds=min(wait, MAX_QUEUE_DELAY_SECONDS))
        return DeliveryOutcome.WAITING
    job = ports.jobs.get(message.job_id)
    delivery = job.delivery(message.event) if job is not None else None
    if job is None or job.webhook is None or delivery is None:
        logger.warning("webhook message for no delivery; dropped", extra=log)
        return DeliveryOutcome.SKIPPED
    if delivery.state is not DeliveryState.PENDING or message.attempt <= delivery.attempts:
        logger.info("webhook attempt already made; duplicate dropped", extra=log)
        return DeliveryOutcome.SKIPPED
    if _gone(job, message.event):
        attempt = DeliveryAttempt(
            attempts=message.attempt,
            state=DeliveryState.GIVEN_UP,
            last_status_code=GONE,
            last_error="the receiver answered 410 Gone to another event of this job",
        )
        ports.jobs.record_attempt(job.job_id, message.event, attempt)
        metrics.add_metric(name="WebhooksGivenUp", unit=MetricUnit.Count, value=1)
        return DeliveryOutcome.GIVEN_UP

    body = webhook_body(
        job, delivery, report(job, ports.images, policy.url_expiry_seconds).image_urls
    )
    secrets = tenant_secrets(job.tenant, store=ports.secrets, now=now)
    headers = signature_headers(delivery.webhook_id, now, body, secrets.signing_secrets(now))
    result = ports.sender.post(job.webhook.url, body.encode(), headers)
    verdict = classify(result)
    log |= {"status_code": result.status_code, "error": result.error}

    if verdict is Verdict.DELIVERED:
        state, outcome = DeliveryState.DELIVERED, DeliveryOutcome.DELIVERED
    elif verdict is Verdict.STOP:
        state, outcome = DeliveryState.GIVEN_UP, DeliveryOutcome.GIVEN_UP
    else:
        delay = retry_delay(message.attempt, result, policy.schedule, policy.rng)
        if delay is None:
            state, outcome = DeliveryState.GIVEN_UP, DeliveryOutcome.GIVEN_UP
        else:
            state, outcome = DeliveryState.PENDING, DeliveryOutcome.RETRYING
            follow_up = WebhookMessage(
                job_id=job.job_id,
                event=message.event,
                attempt=message.attempt + 1,
                not_before=now + timedelta(seconds=delay)
                if delay > MAX_QUEUE_DELAY_SECONDS
                else None,
            )
            ports.queue.send(
                follow_up, delay_seconds=min(math.ceil(delay), MAX_QUEUE_DELAY_SECONDS)
            )
            log["retry_in_seconds"] = round(delay, 1)

    ports.jobs.record_attempt(
        job.job_id,
        message.event,
        DeliveryAttempt(
            attempts=message.attempt,
            state=state,
            last_status_code=result.status_code,
            last_error=result.error,
        ),
    )
    # How long after its event an attempt was made: the dashboard's webhook delivery age.
    age = (now - delivery.occurred_at).total_seconds()
    metrics.add_metric(name="WebhookDeliveryAge", unit=MetricUnit.Seconds, value=age)
    metric = {
        DeliveryOutcome.DELIVERED: "WebhooksDelivered",
        DeliveryOutcome.RETRYING: "WebhooksRetried",
        DeliveryOutcome.GIVEN_UP: "WebhooksGivenUp",
    }[outcome]
    metrics.add_metric(name=metric, unit=MetricUnit.Count, value=1)
    logger.info(f"webhook {outcome.value}", extra=log)
    return outcome


def _gone(job: Job, event: WebhookEvent) -> bool:
    """Whether the receiver answered 410 to another event of this job."""
    return any(
        d.event is not event and d.state is DeliveryState.GIVEN_UP and d.last_status_code == GONE
        for d in job.deliveries
    )
