"""The job as the business logic sees it. No HTTP or DynamoDB shapes in here."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from imagejobs.engines.base import ImageFormat, Style

# Nova Canvas and Titan accept seeds up to 2,147,483,646; staying inside that range keeps a
# recorded seed replayable on every engine, for every image of a job (seed + n).
MAX_SEED = 2_147_483_646


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"

    @property
    def is_terminal(self) -> bool:
        return self in (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELED)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class JobParameters(_Frozen):
    """Fully resolved generation parameters: every default applied, the seed chosen."""

    prompt: str
    negative_prompt: str | None
    width: int
    height: int
    seed: int
    num_images: int
    image_format: ImageFormat
    style: Style = "none"
    # The lossy encoders' quality; None for PNG.
    quality: int | None = None
    # The engine's cfgScale; None only on jobs recorded before guidance existed.
    guidance: float | None = None


class GeneratedImage(_Frozen):
    key: str
    width: int
    height: int
    image_format: ImageFormat
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
    engine: str
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


class JobSpec(_Frozen):
    """What a client asked for, before defaults that depend on the deployment are applied."""

    prompt: str
    negative_prompt: str | None = None
    width: int
    height: int
    seed: int | None = None
    num_images: int
    image_format: ImageFormat
    style: Style = "none"
    quality: int | None = None
    guidance: float | None = None


class PagePosition(_Frozen):
    """Where a page of one owner's jobs ends (exclusive), in newest-first order."""

    owner: str
    created_at: datetime
    job_id: str


class JobPage(_Frozen):
    """One page of a tenant's jobs, newest first; `next_position` is None on the last page."""

    jobs: tuple[Job, ...]
    next_position: PagePosition | None
