"""Webhooks: what a job subscribes to, each event's delivery, and the delivery queue's message.

A job that asked for a webhook carries, per event it subscribed to, one `Delivery`: written in
the same conditional write as the state change that causes the event (the outbox), dispatched
to the webhook queue after that write, and updated by the delivery function after each attempt.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class WebhookEvent(StrEnum):
    STARTED = "started"
    # Every terminal state: succeeded, failed or canceled.
    COMPLETED = "completed"

    @property
    def type(self) -> str:
        """The `type` of the body sent: `job.started`, `job.completed`."""
        return f"job.{self.value}"


DEFAULT_EVENTS: tuple[WebhookEvent, ...] = (WebhookEvent.COMPLETED,)

# `webhook-id` is derived from the job and the event: every retry (and every re-dispatch after
# a crash) of one event carries the same id, and two events never share one.
_ID_NAMESPACE = uuid.UUID("6f1f9a5e-8e0b-4a43-9a5c-1d0c3f0a7b21")


def webhook_id(job_id: str, event: WebhookEvent) -> str:
    return f"msg_{uuid.uuid5(_ID_NAMESPACE, f'{job_id}:{event.value}').hex}"


class WebhookSubscription(BaseModel):
    """Where to send a job's events, and which ones."""

    model_config = ConfigDict(frozen=True)

    url: str
    events: tuple[WebhookEvent, ...] = DEFAULT_EVENTS


class DeliveryState(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    GIVEN_UP = "given_up"


class Delivery(BaseModel):
    """One event of one job: its id, when it happened, and how sending it went so far."""

    model_config = ConfigDict(frozen=True)

    event: WebhookEvent
    webhook_id: str
    # When the state change happened: the body's `timestamp`.
    occurred_at: datetime
    # False until the message is on the webhook queue: the outbox entry still to dispatch.
    dispatched: bool = False
    state: DeliveryState = DeliveryState.PENDING
    attempts: int = 0
    last_status_code: int | None = None
    last_error: str | None = None

    @classmethod
    def new(cls, job_id: str, event: WebhookEvent, now: datetime) -> Delivery:
        return cls(event=event, webhook_id=webhook_id(job_id, event), occurred_at=now)


class DeliveryAttempt(BaseModel):
    """What one attempt did to a delivery: recorded on the job."""

    model_config = ConfigDict(frozen=True)

    attempts: int
    state: DeliveryState
    last_status_code: int | None = None
    last_error: str | None = None


class WebhookMessage(BaseModel):
    """The webhook queue's message: send this event of this job, as attempt `attempt`.

    `not_before` lets a wait longer than SQS's 15-minute DelaySeconds be chained: the message
    comes back early and is queued again for what is left."""

    model_config = ConfigDict(extra="ignore")

    job_id: str
    event: WebhookEvent
    attempt: int = Field(default=1, ge=1)
    not_before: datetime | None = None


class SendResult(BaseModel):
    """What one HTTP attempt got: a status code, or the error that prevented one."""

    model_config = ConfigDict(frozen=True)

    status_code: int | None = None
    # Why no status came back (timeout, refused, private address...): our words, never the body.
    error: str | None = None
    # The receiver's Retry-After, in seconds, if it sent a usable one.
    retry_after_seconds: float | None = None


class TenantSecrets(BaseModel):
    """A tenant's signing secrets: the current one, and the one it replaced until its grace
    period ends (deliveries are signed with both meanwhile)."""

    model_config = ConfigDict(frozen=True)

    tenant: str
    current: str
    created_at: datetime
    previous: str | None = None
    previous_expires_at: datetime | None = None

    def signing_secrets(self, now: datetime) -> tuple[str, ...]:
        if self.previous and self.previous_expires_at and now < self.previous_expires_at:
            return (self.current, self.previous)
        return (self.current,)

    def __repr__(self) -> str:
        # Never printed, logged or traced with its values.
        return f"TenantSecrets(tenant={self.tenant!r}, created_at={self.created_at!r})"

    __str__ = __repr__
