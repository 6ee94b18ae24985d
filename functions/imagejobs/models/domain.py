"""The job as the business logic sees it. No HTTP or DynamoDB shapes in here."""

from __future__ import annotations

from datetime import datetime, timedelta
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


# `error.type` of a job that `Cancel-After` ended.
DEADLINE_EXCEEDED = "deadline_exceeded"


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
    # Seconds its engine call took, and its size: absent on images stored before they were kept.
    model_seconds: float | None = None
    size_bytes: int | None = None


class JobError(_Frozen):
    type: str
    message: str


class Job(_Frozen):
    job_id: str
    # The tenant (API key id) that submitted it: only that tenant may see or cancel it. (Also
    # read as `owner`: idempotency records of jobs answered before the rename spell it so.)
    tenant: str = Field(validation_alias=AliasChoices("tenant", "owner"))
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
    # Seconds inside the engine, every attempt's added up (the images' own calls may overlap).
    model_seconds: float = 0.0
    # Images the engine returned, every attempt's (what a model is paid for, kept or not).
    images_rendered: int = 0
    # Lambda GB-seconds its submit and its attempts were billed, as each measured its own.
    lambda_gb_seconds: float = 0.0
    # `Cancel-After`: a job not finished by then ends canceled (`deadline_exceeded`).
    deadline_at: datetime | None = None
    ignored_parameters: tuple[str, ...] = ()
    webhook: WebhookSubscription | None = None
    # One per event the webhook subscribed to that has happened (see models.webhooks).
    deliveries: tuple[Delivery, ...] = ()

    def overdue(self, now: datetime) -> bool:
        """Open past its deadline."""
        deadline = self.deadline_at
        return deadline is not None and now >= deadline and not self.status.is_terminal

    def deadline_error(self) -> JobError:
        """Why a job past its deadline ended."""
        deadline = self.deadline_at.isoformat(timespec="seconds") if self.deadline_at else "?"
        return JobError(
            type=DEADLINE_EXCEEDED,
            message=f"not finished by its deadline ({deadline}, from Cancel-After)",
        )

    def metrics(self, now: datetime) -> JobMetrics:
        """Where its time went; while it is open, up to `now`."""
        end = self.finished_at or now
        started = self.started_at
        return JobMetrics(
            queued_seconds=_seconds((started or end) - self.created_at),
            running_seconds=None if started is None else _seconds(end - started),
            model_seconds=round(self.model_seconds, 3),
            model_seconds_per_image=[
                round(image.model_seconds, 3)
                for image in self.images
                if image.model_seconds is not None
            ],
            total_seconds=_seconds(end - self.created_at),
            attempts=self.attempts,
            throttled_waits=self.throttled_waits,
        )

    def subscribes_to(self, event: WebhookEvent) -> bool:
        return self.webhook is not None and event in self.webhook.events

    def delivery(self, event: WebhookEvent) -> Delivery | None:
        return next((d for d in self.deliveries if d.event is event), None)


class JobMetrics(BaseModel):
    """Where a job's time went, in seconds. While it is open, each figure runs to now."""

    queued_seconds: float = Field(
        description="from submit to its first start (to its end if it never started)"
    )
    running_seconds: float | None = Field(
        description="from its first start to its end, waits for the model's quota included;"
        " null if it never started"
    )
    model_seconds: float = Field(
        description="inside the engine or model calls, every attempt's added up"
    )
    model_seconds_per_image: list[float] = Field(
        description="each image's own engine call (a job's calls may run at once)"
    )
    total_seconds: float = Field(description="from submit to its end")
    attempts: int = Field(description="times a worker started it")
    throttled_waits: int = Field(
        description="times the model's request quota sent it back to wait (not attempts)"
    )


def _seconds(span: timedelta) -> float:
    return round(max(span.total_seconds(), 0.0), 3)


class QueueEstimate(_Frozen):
    """Where a queued job stands: the queued jobs ahead of it, and when it should start at the
    rate jobs left the queue lately (None when none did)."""

    position: int
    estimated_start_at: datetime | None


class PagePosition(_Frozen):
    """Where a page of one tenant's jobs ends (exclusive), in newest-first order."""

    tenant: str
    created_at: datetime
    job_id: str


class JobPage(_Frozen):
    """One page of a tenant's jobs, newest first; `next_position` is None on the last page."""

    jobs: tuple[Job, ...]
    next_position: PagePosition | None
