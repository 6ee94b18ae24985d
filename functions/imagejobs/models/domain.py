"""The job as the business logic sees it. No HTTP or DynamoDB shapes in here."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from imagejobs.engines.base import ImageFormat, JobParameters
from imagejobs.models.webhooks import Delivery, WebhookEvent, WebhookSubscription


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL_STATUSES


# A job in one of these states never changes again.
TERMINAL_STATUSES = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELED})


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class GeneratedImage(BaseModel):
    # `format` in the API and the item, as the parameters spell it.
    model_config = ConfigDict(
        frozen=True, validate_by_name=True, validate_by_alias=True, serialize_by_alias=True
    )

    key: str
    width: int
    height: int
    image_format: ImageFormat = Field(alias="format")
    seed: int


class JobError(_Frozen):
    type: str
    message: str


class Job(_Frozen):
    job_id: str
    # The API key id of the caller who submitted it: only that caller may see or cancel it.
    owner: str
    status: JobStatus
    parameters: JobParameters
    # The engine that renders (or rendered) it, as `ImageEngine.engine_id` names it. (Also read
    # as `engine`: idempotency records of jobs answered before the rename spell it so.)
    engine_id: str = Field(validation_alias=AliasChoices("engine_id", "engine"))
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    expires_at: datetime
    attempts: int = 0
    images: tuple[GeneratedImage, ...] = ()
    error: JobError | None = None
    # Set when a running job is canceled: the worker drops its result instead of saving it.
    cancel_requested: bool = False
    # How often the model's quota sent the job back to wait, and since when it has waited.
    throttled_waits: int = 0
    first_throttled_at: datetime | None = None
    ignored_parameters: tuple[str, ...] = ()
    webhook: WebhookSubscription | None = None
    # One per event the webhook subscribed to that has happened (see models.webhooks).
    deliveries: tuple[Delivery, ...] = ()

    def subscribes_to(self, event: WebhookEvent) -> bool:
        return self.webhook is not None and event in self.webhook.events

    def delivery(self, event: WebhookEvent) -> Delivery | None:
        return next((d for d in self.deliveries if d.event is event), None)


class PagePosition(_Frozen):
    """Where a page of one owner's jobs ends (exclusive), in newest-first order."""

    owner: str
    created_at: datetime
    job_id: str


class JobPage(_Frozen):
    """One page of a tenant's jobs, newest first; `next_position` is None on the last page."""

    jobs: tuple[Job, ...]
    next_position: PagePosition | None
