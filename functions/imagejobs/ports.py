"""What the logic needs from the outside world. `imagejobs.dal` implements these with boto3;
unit tests may pass in-memory fakes instead."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from imagejobs.models.domain import Job, JobPage, JobStatus, PagePosition
from imagejobs.models.lifecycle import ModelLifecycle
from imagejobs.models.messages import JobMessage
from imagejobs.models.transitions import JobChange
from imagejobs.models.webhooks import (
    DeliveryAttempt,
    SendResult,
    TenantSecrets,
    WebhookEvent,
    WebhookMessage,
)


class JobRepository(Protocol):
    """Jobs, stored. Every state change is a transition of `imagejobs.models.transitions`."""

    def create(self, job: Job, *, open_limit: int) -> None:
        """Store a new open job, counted among its tenant's open jobs.

        `TooManyOpenJobsError` if the tenant already has `open_limit` of them; a second job with
        the same id is a `JobStateConflictError`."""

    def open_jobs(self, tenant: str) -> int:
        """How many of the tenant's jobs are counted as open."""

    def get(self, job_id: str) -> Job | None: ...

    def apply(self, change: JobChange) -> Job:
        """Makes the change if the job is in a state its transition takes, and returns the job
        as it is now stored. Else `JobStateConflictError`, and nothing changes.

        A transition that ends a job gives its place among its tenant's open jobs back in the
        same atomic write; one that causes a webhook event the job subscribes to records the
        event's delivery in that write too, unless the job already has one (the outbox that
        `logic.webhooks.outbox.dispatch` empties)."""

    def list_open(self, status: JobStatus, *, updated_before: datetime, limit: int) -> list[Job]:
        """Open jobs in `status` (queued or running) last updated before `updated_before`,
        oldest first, at most `limit` of them. Read from an eventually consistent index: a job
        may have moved on since, so act on one only through a conditional transition."""

    def list_overdue(self, status: JobStatus, *, now: datetime, limit: int) -> list[Job]:
        """Open jobs in `status` whose deadline is `now` or earlier, oldest update first, at most
        `limit` of them; read from the same eventually consistent index as `list_open`."""

    def queued_ahead(self, job: Job, *, at_most: int) -> int:
        """How many queued jobs were queued before `job` (by `updated_at`), counted up to
        `at_most`; read from the eventually consistent open-jobs index."""

    def record_start(self, now: datetime) -> None:
        """One more job left the queue in the minute of `now`: a sample of the drain rate.
        Best effort: a sample that cannot be written is only logged."""

    def starts_between(self, since: datetime, until: datetime) -> int:
        """How many starts were recorded in the minutes from that of `since` to that of
        `until`, both included."""

    def list_for_tenant(
        self, tenant: str, *, status: JobStatus | None, limit: int, after: PagePosition | None
    ) -> JobPage:
        """The tenant's jobs, newest first, starting after `after`."""

    def mark_dispatched(self, job_id: str, event: WebhookEvent) -> None:
        """The event's delivery is on the webhook queue: the outbox entry is done."""

    def record_attempt(self, job_id: str, event: WebhookEvent, attempt: DeliveryAttempt) -> bool:
        """Records an attempt of the event's delivery, unless one as late was already recorded
        (a duplicate message). Returns whether it was recorded."""


class ModelLifecycles(Protocol):
    def get(self, model_ids: Sequence[str]) -> dict[str, ModelLifecycle]:
        """The lifecycle last recorded for each of the models; a model never checked (the
        built-in renderer, or one not checked yet) is left out."""

    def put(self, lifecycle: ModelLifecycle) -> None: ...


class FoundationModels(Protocol):
    """What Amazon Bedrock says about its models (GetFoundationModel)."""

    def lifecycle(self, model_id: str) -> ModelLifecycle:
        """The model's lifecycle as Bedrock reports it now, without `checked_at`: active or
        legacy with its end of life, or unavailable with a reason and a hint when Bedrock does
        not know the model here or refuses to say. `LifecycleCheckFailedError` when it could
        not be read now (throttled, a 5xx, no connection)."""


class JobQueue(Protocol):
    def send(self, message: JobMessage, delay_seconds: int = 0) -> None:
        """Queue the message, visible after `delay_seconds` (at most 900), or raise
        `EnqueueFailedError`."""

    def delay(self, receipt_handle: str, seconds: int) -> None:
        """Makes a received message visible again after `seconds`."""


class ImageStore(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def get(self, key: str) -> bytes | None:
        """The object's bytes; None if there is no such object."""

    def delete(self, keys: Sequence[str]) -> None:
        """Removes the objects; keys that do not exist are ignored."""

    def url_for(self, key: str, expires_in: int) -> str:
        """A URL that lets whoever holds it GET the object until it expires."""


class UploadSigner(Protocol):
    def presigned_post(
        self, key: str, *, max_bytes: int, expires_in: int
    ) -> tuple[str, dict[str, str]]:
        """The URL and form fields of a POST that can write exactly `key`, an image content
        type, of at most `max_bytes`, until `expires_in` seconds from now."""


class WebhookQueue(Protocol):
    def send(self, message: WebhookMessage, delay_seconds: int = 0) -> None:
        """Queue the message, visible after `delay_seconds` (at most 900), or raise
        `EnqueueFailedError`."""


class WebhookSender(Protocol):
    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> SendResult:
        """One POST, within the whole-request timeout, to an address the target rules allow;
        never follows a redirect. Never raises for what the receiver or network did."""


class SecretStore(Protocol):
    def get(self, tenant: str) -> TenantSecrets | None: ...

    def put_new(self, secrets: TenantSecrets) -> bool:
        """Stores a tenant's first secrets; False if the tenant already has some."""

    def replace(self, secrets: TenantSecrets, expected_current: str) -> bool:
        """Stores rotated secrets if the current secret is still `expected_current`."""
