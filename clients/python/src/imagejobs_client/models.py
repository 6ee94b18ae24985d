"""The API's requests and answers as typed models.

They restate the service's OpenAPI document (a test in the service's repository compares them,
field by field, so the two cannot drift). Answers ignore fields this version does not know, so
an older SDK keeps working against a newer API; requests refuse unknown ones. Ranges are left
to the API: a deployment narrows them (its engine, its MaxImageSize), and its 422 names the
field (`ValidationError.field`).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import anyio
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from imagejobs_client._http import AsyncTransport, SyncTransport
from imagejobs_client.images import JobImageRef

if TYPE_CHECKING:
    from imagejobs_client._transport import Transport

JobStatus = Literal["queued", "running", "succeeded", "failed", "canceled"]
TERMINAL_STATUSES: frozenset[str] = frozenset({"succeeded", "failed", "canceled"})
ImageFormat = Literal["png", "jpeg", "webp"]
Style = Literal["none", "product_ad", "lifestyle", "minimalist", "vibrant", "luxury"]
WebhookEvent = Literal["started", "completed"]
# What a job does: draw from words, or edit the images it takes in (GET /models says which
# model does which, with what each task takes).
Task = Literal[
    "text-to-image",
    "image-to-image",
    "inpaint",
    "outpaint",
    "erase",
    "remove-background",
    "search-and-replace",
    "search-and-recolor",
    "upscale",
    "control-sketch",
    "control-structure",
    "style-guide",
    "style-transfer",
]
UpscaleMode = Literal["fast", "conservative", "creative"]
ImageField = Literal["image", "mask", "style_image"]
ImageOrigin = Literal["inline", "upload", "job"]
AspectRatio = Literal["1:1", "16:9", "21:9", "2:3", "3:2", "4:5", "5:4", "9:16", "9:21"]
DeliveryState = Literal["pending", "delivered", "given_up"]


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class InputImage(_Answer):
    """An image a job takes in, as the job records it: where it came from and what it is, read
    from its bytes; never the bytes."""

    source: ImageOrigin = "inline"
    key: str
    width: int
    height: int
    image_format: ImageFormat = Field(alias="format")
    # As sent; None for an image of a job.
    size_bytes: int | None = None
    # The upload, or the job and image index, it came from.
    upload_id: str | None = None
    job_id: str | None = None
    index: int | None = None


class JobParameters(_Answer):
    """Every parameter as the job is rendered: defaults applied, the seed chosen. A model
    that takes aspect ratios has no `width` and `height` here: each image has its own."""

    # None for a task that takes no prompt (remove-background, erase, a fast upscale).
    prompt: str | None = None
    negative_prompt: str | None = None
    model: str
    task: Task
    aspect_ratio: AspectRatio | None = None
    width: int | None = None
    height: int | None = None
    seed: int
    num_images: int
    image_format: ImageFormat = Field(alias="format")
    quality: int | None = None
    style: Style
    guidance: float | None = None
    strength: float | None = None
    image: InputImage | None = None
    mask: InputImage | None = None
    style_image: InputImage | None = None
    left: int | None = None
    right: int | None = None
    up: int | None = None
    down: int | None = None
    search_prompt: str | None = None
    select_prompt: str | None = None
    mode: UpscaleMode | None = None
    creativity: float | None = None
    control_strength: float | None = None
    fidelity: float | None = None
    grow_mask: int | None = None


class JobError(_Answer):
    type: str
    message: str


class Image(_Answer):
    """One image of a succeeded job: `url` is presigned and expires (IMAGE_URL_EXPIRY_SECONDS)."""

    url: str
    width: int
    height: int
    image_format: ImageFormat = Field(alias="format")
    seed: int
    _transport: Transport | None = PrivateAttr(default=None)
    # The job it belongs to and its place there (set by its `Job`), so it can start an edit.
    _source: JobImageRef | None = PrivateAttr(default=None)

    def as_input(self) -> JobImageRef:
        """This image as a job's input (`{"job_id", "index"}`): what `image=self` sends."""
        if self._source is None:
            raise ValueError("this image was not read as part of a job")
        return self._source

    def download(self, path: str | Path) -> Path:
        """Saves the image to `path` (a file, or a directory to put `<seed>.<ext>` in)."""
        if not isinstance(self._transport, SyncTransport):
            raise RuntimeError(
                "this image was not read through a Client (from an AsyncClient, use"
                " `await image.adownload(path)`)"
            )
        target = self._target(path)
        target.write_bytes(self._transport.run(self._transport.download(self.url)))
        return target

    async def adownload(self, path: str | Path) -> Path:
        """`download`, for an image read through an `AsyncClient`."""
        if not isinstance(self._transport, AsyncTransport):
            raise RuntimeError(
                "this image was not read through an AsyncClient (from a Client, use"
                " `image.download(path)`)"
            )
        data = await self._transport.run(self._transport.download(self.url))
        target = self._target(path)
        await anyio.Path(target).write_bytes(data)
        return target

    def _target(self, path: str | Path) -> Path:
        target = Path(path)
        if target.is_dir():
            target = target / f"{self.seed}.{self.extension}"
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    @property
    def extension(self) -> str:
        return _EXTENSIONS[self.image_format]


_EXTENSIONS = {"png": "png", "jpeg": "jpg", "webp": "webp"}


class Delivery(_Answer):
    """One webhook event of a job and how its delivery went."""

    event: WebhookEvent
    webhook_id: str
    occurred_at: datetime
    state: DeliveryState
    attempts: int
    last_status_code: int | None = None
    last_error: str | None = None


class JobMetrics(_Answer):
    """Where a job's time went, in seconds; while it is open, each figure runs to now."""

    queued_seconds: float = Field(description="from submit to its first start")
    running_seconds: float | None = Field(
        default=None, description="from its first start to its end; None if it never started"
    )
    model_seconds: float = Field(description="inside the model calls, every attempt's")
    model_seconds_per_image: list[float] = Field(description="each image's own model call")
    total_seconds: float = Field(description="from submit to its end")
    attempts: int = Field(description="times a worker started it")
    throttled_waits: int = Field(description="times the model's quota sent it back to wait")


class JobCost(_Answer):
    """What a finished job cost, in US dollars at list prices."""

    model: float | None = Field(
        description="the model's price per image, times the images it made; None when no price"
        " for the model could be read"
    )
    platform: float = Field(description="the job's share of AWS (Lambda, requests, storage)")
    total: float | None = Field(description="model and platform; None when the model's is")


class Job(_Answer):
    """A job as `GET /jobs/{job_id}` and `POST /jobs` answer it."""

    job_id: str
    status: JobStatus
    parameters: JobParameters
    engine: str
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    expires_at: datetime
    images: list[Image]
    error: JobError | None = None
    # True once a cancel reached a running job; it ends `canceled` shortly.
    cancel_requested: bool
    ignored_parameters: list[str]
    webhook: str | None = None
    webhook_events_filter: list[WebhookEvent] | None = None
    webhook_deliveries: list[Delivery] = []
    # `cancel_after` of `jobs.create`: when it is canceled (`deadline_exceeded`) if not ended.
    deadline_at: datetime | None = None
    # A queued job read alone: the queued jobs ahead of it, and when it should start.
    queue_position: int | None = None
    estimated_start_at: datetime | None = None
    metrics: JobMetrics
    cost_usd: JobCost | None = None

    def model_post_init(self, context: object, /) -> None:
        for index, image in enumerate(self.images):
            image._source = JobImageRef(job_id=self.job_id, index=index)

    @property
    def is_terminal(self) -> bool:
        """succeeded, failed or canceled: the job never changes again."""
        return self.status in TERMINAL_STATUSES


class JobList(_Answer):
    """One page of `GET /jobs`, newest first."""

    jobs: list[Job]
    next_cursor: str | None = None


class FieldError(_Answer):
    loc: list[str | int]
    field: str
    msg: str
    type: str


class ErrorBody(_Answer):
    """Every 4xx/5xx body of the API."""

    error: str
    message: str
    detail: list[FieldError] = []


class Upload(_Answer):
    """`POST /uploads`: a presigned S3 POST for one image file. `uploads.create` sends the file
    there (every one of `fields`, a `Content-Type`, then the file); name it in a job as its
    `upload_id` before `expires_at`. S3 refuses a file over `max_bytes` itself."""

    upload_id: str
    url: str
    fields: dict[str, str]
    expires_at: datetime
    max_bytes: int
