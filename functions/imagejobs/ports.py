"""What the logic needs from the outside world. `imagejobs.dal` implements these with boto3;
unit tests may pass in-memory fakes instead."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from imagejobs.models.domain import GeneratedImage, Job, JobError, JobPage, JobStatus, PagePosition
from imagejobs.models.messages import JobMessage
from imagejobs.models.webhooks import (
    Delivery,
    DeliveryAttempt,
    SendResult,
    TenantSecrets,
    WebhookEvent,
    WebhookMessage,
)


class JobRepository(Protocol):
    """Every transition that causes a webhook event takes that event's `delivery` (None when
    the job does not subscribe to it) and records it in the same write, unless the job already
    has one for that event: the outbox that `logic.webhooks.outbox.dispatch` empties."""

    def create(self, job: Job, *, open_limit: int) -> None:
        """Store a new open job, counted among its owner's open jobs.

        `TooManyOpenJobsError` if the owner already has `open_limit` of them; a second job with
        the same id is a `JobStateConflictError`. Every transition to a terminal state below
        gives the job's place back, in the same atomic write."""

    def open_jobs(self, owner: str) -> int:
        """How many of the owner's jobs are counted as open."""

    def get(self, job_id: str) -> Job | None: ...

    def start_attempt(
        self, job_id: str, now: datetime, engine_id: str, delivery: Delivery | None = None
    ) -> Job:
        """queued|running (not being canceled) -> running, counting the attempt.

        Else `JobStateConflictError`."""

    def complete(
        self,
        job_id: str,
        images: Sequence[GeneratedImage],
        now: datetime,
        delivery: Delivery | None = None,
    ) -> Job:
        """running (not being canceled) -> succeeded with its images.

        Else `JobStateConflictError`."""

    def fail(
        self, job_id: str, error: JobError, now: datetime, delivery: Delivery | None = None
    ) -> Job:
        """queued|running -> failed with the reason. Else `JobStateConflictError`."""

    def note_redriven(self, job_id: str, now: datetime) -> Job:
        """queued|running: only `updated_at` moves to `now`, so the job waits a whole bound
        before it is re-driven again. Else `JobStateConflictError`."""

    def cancel_queued(self, job_id: str, now: datetime, delivery: Delivery | None = None) -> Job:
        """queued -> canceled. Else `JobStateConflictError`."""

    def request_cancel(self, job_id: str, now: datetime) -> Job:
        """Flags a running job so its worker drops the result. Else `JobStateConflictError`."""

    def finish_canceled(self, job_id: str, now: datetime, delivery: Delivery | None = None) -> Job:
        """running with a cancel requested -> canceled. Else `JobStateConflictError`."""

    def list_open(self, status: JobStatus, *, updated_before: datetime, limit: int) -> list[Job]:
        """Open jobs in `status` (queued or running) last updated before `updated_before`,
        oldest first, at most `limit` of them. Read from an eventually consistent index: a job
        may have moved on since, so act on one only through a conditional transition."""

    def list_owned(
        self, owner: str, *, status: JobStatus | None, limit: int, after: PagePosition | None
    ) -> JobPage:
        """The owner's jobs, newest first, starting after `after`."""

    def mark_dispatched(self, job_id: str, event: WebhookEvent) -> None:
        """The event's delivery is on the webhook queue: the outbox entry is done."""

    def record_attempt(self, job_id: str, event: WebhookEvent, attempt: DeliveryAttempt) -> bool:
        """Records an attempt of the event's delivery, unless one as late was already recorded
        (a duplicate message). Returns whether it was recorded."""


class JobQueue(Protocol):
    def send(self, message: JobMessage) -> None:
        """Queue the message, or raise `EnqueueFailedError`."""

    def delay(self, receipt_handle: str, seconds: int) -> None:
        """Makes a received message visible again after `seconds`."""


class ImageStore(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def delete(self, keys: Sequence[str]) -> None:
        """Removes the objects; keys that do not exist are ignored."""

    def url_for(self, key: str, expires_in: int) -> str:
        """A URL that lets whoever holds it GET the object until it expires."""


class WebhookQueue(Protocol):
    def send(self, message: WebhookMessage, delay_seconds: int = 0) -> None:
        """Queue the message, visible after `delay_seconds` (at most 900), or raise
        `EnqueueFailedError`."""


class WebhookSender(Protocol):
    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> SendResult:
        """One POST, within the whole-request timeout, to an address the target rules allow;
        never follows a redirect. Never raises for what the receiver or network did."""


class SecretStore(Protocol):
    def get(self, owner: str) -> TenantSecrets | None: ...

    def put_new(self, secrets: TenantSecrets) -> bool:
        """Stores a tenant's first secrets; False if the tenant already has some."""

    def replace(self, secrets: TenantSecrets, expected_current: str) -> bool:
        """Stores rotated secrets if the current secret is still `expected_current`."""
