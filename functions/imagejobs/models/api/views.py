"""What the `/jobs` API answers: a job, a list of jobs, an error, a webhook's body, an upload;
and the mapping from the domain to them."""

from __future__ import annotations

from datetime import datetime

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
)

from imagejobs.engines.base import (
    ImageFormat,
    JobParameters,
)
from imagejobs.models.cost import JobCost, job_cost
from imagejobs.models.domain import (
    GeneratedImage,
    Job,
    JobError,
    JobMetrics,
    JobStatus,
    QueueEstimate,
)
from imagejobs.models.webhooks import (
    DeliveryState,
    WebhookEvent,
)


class ImageView(BaseModel):
    url: str
    width: int
    height: int
    format: ImageFormat
    seed: int


class DeliveryView(BaseModel):
    event: WebhookEvent
    webhook_id: str
    occurred_at: datetime
    state: DeliveryState
    attempts: int
    last_status_code: int | None
    last_error: str | None


class JobView(BaseModel):
    """A job as `GET /jobs/{job_id}` and `POST /jobs` show it."""

    model_config = ConfigDict(
        validate_by_name=True, validate_by_alias=True, serialize_by_alias=True
    )

    job_id: str
    status: JobStatus
    # Every parameter as the job will be rendered: defaults applied, the seed chosen.
    parameters: JobParameters
    engine_id: str = Field(alias="engine")
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    expires_at: datetime
    images: list[ImageView]
    error: JobError | None
    # True once a cancel reached a running job; it ends `canceled` shortly.
    cancel_requested: bool
    # What a drop-in route ignored of the request, as the service it replaces did: names only.
    ignored_parameters: list[str]
    webhook: str | None = None
    webhook_events_filter: list[WebhookEvent] | None = None
    # Per event that happened: its attempts so far and whether it was delivered.
    webhook_deliveries: list[DeliveryView] = []
    # `Cancel-After`: when the job is canceled if it has not ended.
    deadline_at: datetime | None = None
    # A queued job read alone (GET /jobs/{job_id}): the queued jobs ahead of it, and when it
    # should start at the rate jobs left the queue in the last minute or two.
    queue_position: int | None = None
    estimated_start_at: datetime | None = None
    metrics: JobMetrics
    # Once it has ended: what it cost, in US dollars at list prices.
    cost_usd: JobCost | None = None


class JobListView(BaseModel):
    """`GET /jobs`: the tenant's jobs, newest first. Pass `next_cursor` back as `cursor`."""

    jobs: list[JobView]
    next_cursor: str | None


class FieldErrorView(BaseModel):
    loc: list[str | int]
    field: str
    msg: str
    type: str


class ErrorResponse(BaseModel):
    """Every 4xx/5xx body. `detail` has FastAPI's shape, for clients of the systems we replace."""

    error: str
    message: str
    detail: list[FieldErrorView] = []


def job_view(
    job: Job, image_urls: dict[str, str], queue: QueueEstimate | None = None, *, now: datetime
) -> JobView:
    """`image_urls` maps each image's storage key to the URL the client may fetch it from;
    `queue` is where a queued job stands; `now` is when the view is made (an open job's
    metrics run to it)."""
    images = [_image_view(image, image_urls[image.key]) for image in job.images]
    webhook = job.webhook
    return JobView.model_validate(
        {
            **dict(job),
            "images": images,
            "webhook": webhook.url if webhook else None,
            "webhook_events_filter": list(webhook.events) if webhook else None,
            "webhook_deliveries": [dict(delivery) for delivery in job.deliveries],
            "metrics": job.metrics(now),
            "cost_usd": job_cost(job),
            "queue_position": queue.position if queue else None,
            "estimated_start_at": queue.estimated_start_at if queue else None,
        }
    )


def _image_view(image: GeneratedImage, url: str) -> ImageView:
    return ImageView.model_validate({**image.model_dump(exclude={"key"}), "url": url})


class WebhookBody(BaseModel):
    """What a webhook POSTs: the event, when it happened, and the job as its tenant sees it."""

    type: str
    timestamp: datetime
    data: JobView


class WebhookSecretView(BaseModel):
    """`GET /webhooks/secret` and `POST /webhooks/secret/rotate`."""

    secret: str
    # After a rotation, until when deliveries are also signed with the previous secret.
    previous_valid_until: datetime | None = None


class UploadView(BaseModel):
    """`POST /uploads`: POST the file to `url` as multipart/form-data, with every one of `fields`
    and a `Content-Type` field (image/png, image/jpeg or image/webp) before the `file` field;
    then name it in a job as `{"upload_id": ...}` before `expires_at`."""

    upload_id: str
    url: str
    fields: dict[str, str]
    expires_at: datetime
    max_bytes: int
