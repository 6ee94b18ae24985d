"""Each function's settings: one model per function, read from the environment once at cold start.

This is the only module that reads `os.environ`. The variable names are those template.yaml sets.
"""

from __future__ import annotations

import os
from typing import Self

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator, model_validator

from imagejobs.engines.base import Task, UpscaleMode
from imagejobs.engines.catalogue import CATALOGUE, ModelSpec, model_spec
from imagejobs.engines.options import bedrock_worst_case_seconds


class _Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    @classmethod
    def from_environment(cls) -> Self:
        return cls.model_validate(dict(os.environ))


class _WebhookDispatchSettings(_Settings):
    """What every function that changes a job's state needs to dispatch its webhook events."""

    webhook_queue_url: str = Field(alias="WEBHOOK_QUEUE_URL")


class ModelSettings(_Settings):
    """The models a deployment offers (template parameters Models and DefaultModel)."""

    offered_models: tuple[str, ...] = Field(alias="MODELS")
    default_model: str = Field(alias="DEFAULT_MODEL")

    @field_validator("offered_models", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @model_validator(mode="after")
    def _known_models(self) -> Self:
        for model_id in self.offered_models:
            model_spec(model_id)  # raises for a model the catalogue does not have
        if self.default_model not in self.offered_models:
            raise ValueError(
                f"DEFAULT_MODEL {self.default_model!r} must be one of MODELS"
                f" ({', '.join(self.offered_models)})"
            )
        return self

    @property
    def offered(self) -> tuple[ModelSpec, ...]:
        return tuple(CATALOGUE[model_id] for model_id in self.offered_models)

    def model_for(self, task: Task, mode: UpscaleMode | None = None) -> ModelSpec | None:
        """The model a job of `task` gets when it names none: the default model if it does
        the task, else the first offered model that does."""
        candidates = (CATALOGUE[self.default_model], *self.offered)
        return next((spec for spec in candidates if spec.does(task, mode)), None)


class _LifecycleCheckSettings(_Settings):
    """How old a model's recorded lifecycle may be (template parameter ModelLifecycleCheckSeconds):
    the sweeper reads it again from Bedrock past this, and submit keeps what it read at most
    this long (and at most LIFECYCLE_CACHE_SECONDS)."""

    lifecycle_check_seconds: int = Field(alias="MODEL_LIFECYCLE_CHECK_SECONDS", ge=0)


# Submit keeps a lifecycle it read this long at most: a model's state changes over months.
LIFECYCLE_CACHE_SECONDS = 60


class SubmitSettings(ModelSettings, _LifecycleCheckSettings, _WebhookDispatchSettings):
    # WebhookAllowPrivateTargets: plain http and private targets (receivers on a dev machine).
    webhook_allow_private: bool = Field(default=False, alias="WEBHOOK_ALLOW_PRIVATE_TARGETS")
    table_name: str = Field(alias="JOBS_TABLE_NAME")
    queue_url: str = Field(alias="JOBS_QUEUE_URL")
    max_image_size: int = Field(alias="MAX_IMAGE_SIZE", ge=64, le=4096)
    job_retention_days: int = Field(alias="JOB_RETENTION_DAYS", ge=1)
    idempotency_table_name: str = Field(alias="IDEMPOTENCY_TABLE_NAME")
    idempotency_window_seconds: int = Field(alias="IDEMPOTENCY_WINDOW_SECONDS", ge=60)
    max_open_jobs_per_tenant: int = Field(alias="MAX_OPEN_JOBS_PER_TENANT", ge=1)
    # `Prefer: wait=N` answers a finished job with its presigned URLs, as the status does.
    bucket_name: str = Field(alias="IMAGES_BUCKET_NAME")
    image_url_expiry_seconds: int = Field(alias="IMAGE_URL_EXPIRY_SECONDS", ge=1, le=604_800)
    # The largest file POST /uploads lets a tenant send (template parameter MaxUploadBytes).
    max_upload_bytes: int = Field(alias="MAX_UPLOAD_BYTES", ge=1024)

    @property
    def lifecycle_cache_seconds(self) -> int:
        return min(LIFECYCLE_CACHE_SECONDS, self.lifecycle_check_seconds)


class StatusSettings(ModelSettings):
    table_name: str = Field(alias="JOBS_TABLE_NAME")
    bucket_name: str = Field(alias="IMAGES_BUCKET_NAME")
    image_url_expiry_seconds: int = Field(alias="IMAGE_URL_EXPIRY_SECONDS", ge=1, le=604_800)


class WorkerSettings(ModelSettings, _WebhookDispatchSettings):
    table_name: str = Field(alias="JOBS_TABLE_NAME")
    bucket_name: str = Field(alias="IMAGES_BUCKET_NAME")
    bedrock_read_timeout_seconds: int = Field(
        default=60, alias="BEDROCK_READ_TIMEOUT_SECONDS", ge=1, le=125
    )
    # The queue's maxReceiveCount: on that receive the worker fails the job instead of
    # handing the message to the DLQ with the job still "running".
    max_receive_count: int = Field(alias="MAX_RECEIVE_COUNT", ge=1)
    queue_url: str = Field(alias="JOBS_QUEUE_URL")
    # A job is not started with less than this much of the invocation left: the message goes
    # back to the queue instead of being cut off mid-write.
    time_reserve_seconds: int = Field(alias="RENDER_TIME_RESERVE_SECONDS", ge=1)

    @model_validator(mode="after")
    def _reserve_covers_the_slowest_render(self) -> Self:
        if any(spec.bedrock is not None for spec in self.offered):
            slowest = bedrock_worst_case_seconds(self.bedrock_read_timeout_seconds)
            if self.time_reserve_seconds < slowest:
                raise ValueError(
                    f"RENDER_TIME_RESERVE_SECONDS must be at least {slowest}: a Bedrock render"
                    f" can take that long with BEDROCK_READ_TIMEOUT_SECONDS"
                    f"={self.bedrock_read_timeout_seconds}"
                )
        return self


class WebSettings(ModelSettings):
    """The page and `GET /config`: the limits a client must respect, and where images live."""

    max_image_size: int = Field(alias="MAX_IMAGE_SIZE", ge=64, le=4096)
    job_retention_days: int = Field(alias="JOB_RETENTION_DAYS", ge=1)
    image_url_expiry_seconds: int = Field(alias="IMAGE_URL_EXPIRY_SECONDS", ge=1, le=604_800)
    # Only to name the origin of the presigned image URLs in the page's CSP; never read.
    bucket_name: str = Field(alias="IMAGES_BUCKET_NAME")


class DeadLetterSettings(_WebhookDispatchSettings):
    table_name: str = Field(alias="JOBS_TABLE_NAME")


class SweepSettings(ModelSettings, _LifecycleCheckSettings, _WebhookDispatchSettings):
    """The sweeper's bounds (template parameters Sweep*): when an open job counts as stranded;
    and the offered models, whose lifecycles it watches."""

    table_name: str = Field(alias="JOBS_TABLE_NAME")
    queue_url: str = Field(alias="JOBS_QUEUE_URL")
    # Longer than any legitimate wait in the queue: its message is presumed lost.
    queued_after_seconds: int = Field(alias="SWEEP_QUEUED_AFTER_SECONDS", ge=1)
    # Past the worker's timeout plus its retry backoff: no worker is still on it.
    running_after_seconds: int = Field(alias="SWEEP_RUNNING_AFTER_SECONDS", ge=1)
    # From submission: a job still open this long is failed (`stale`) instead of re-driven.
    give_up_after_seconds: int = Field(alias="SWEEP_GIVE_UP_AFTER_SECONDS", ge=1)
    # At most this many jobs are read, and acted on, per run.
    max_jobs_per_run: int = Field(alias="SWEEP_MAX_JOBS_PER_RUN", ge=1, le=1000)
    # Where Bedrock is called from (Lambda sets AWS_REGION): which models it serves here.
    region: str = Field(validation_alias=AliasChoices("AWS_REGION", "AWS_DEFAULT_REGION"))

    @model_validator(mode="after")
    def _give_up_last(self) -> Self:
        if self.give_up_after_seconds <= max(self.queued_after_seconds, self.running_after_seconds):
            raise ValueError(
                "SWEEP_GIVE_UP_AFTER_SECONDS must be longer than both re-drive bounds:"
                " a job is re-driven at least once before it is given up"
            )
        return self


class WebhookDeliverySettings(_WebhookDispatchSettings):
    """WebhookDeliveryFunction: where jobs, images and secrets are, and how it retries."""

    table_name: str = Field(alias="JOBS_TABLE_NAME")
    bucket_name: str = Field(alias="IMAGES_BUCKET_NAME")
    image_url_expiry_seconds: int = Field(alias="IMAGE_URL_EXPIRY_SECONDS", ge=1, le=604_800)
    secrets_table_name: str = Field(alias="WEBHOOK_SECRETS_TABLE_NAME")
    allow_private: bool = Field(default=False, alias="WEBHOOK_ALLOW_PRIVATE_TARGETS")
    # Seconds before each retry, comma-separated (template parameter WebhookRetrySchedule).
    retry_schedule: tuple[int, ...] = Field(alias="WEBHOOK_RETRY_SCHEDULE")
    timeout_seconds: float = Field(default=10.0, alias="WEBHOOK_TIMEOUT_SECONDS", gt=0, le=30)

    @field_validator("retry_schedule", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(int(part) for part in value.split(",") if part.strip())
        return value

    @model_validator(mode="after")
    def _positive_waits(self) -> Self:
        if any(seconds < 1 for seconds in self.retry_schedule):
            raise ValueError("WEBHOOK_RETRY_SCHEDULE: every wait must be at least 1 second")
        return self


class WebhookSecretSettings(_Settings):
    """WebhookSecretFunction: the tenants' secrets, and how long a rotated one still signs."""

    secrets_table_name: str = Field(alias="WEBHOOK_SECRETS_TABLE_NAME")
    grace_seconds: int = Field(alias="WEBHOOK_SECRET_GRACE_SECONDS", ge=0)
