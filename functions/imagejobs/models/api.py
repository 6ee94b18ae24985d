"""Input and output models of the `/jobs` API, and their mapping to and from the domain."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from imagejobs.engines.base import (
    MAX_SEED,
    AspectRatio,
    ImageFormat,
    JobParameters,
    Style,
    Task,
    UpscaleMode,
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
from imagejobs.models.inputs import MAX_INLINE_IMAGE_BYTES, ImageInput
from imagejobs.models.webhooks import (
    DEFAULT_EVENTS,
    DeliveryState,
    WebhookEvent,
    WebhookSubscription,
)

# Text a client may send: control characters other than tab, CR and LF are refused, and so
# are lone surrogates (JSON's "\ud800" escape), which are not text and no store can encode.
_ALLOWED_CONTROLS = frozenset("\t\r\n")


def _is_control(character: str) -> bool:
    category = unicodedata.category(character)
    return category == "Cs" or (category == "Cc" and character not in _ALLOWED_CONTROLS)


def _plain_text(value: object) -> object:
    # Before the whitespace is stripped: Python counts some controls (U+0085) as whitespace.
    if isinstance(value, str) and any(map(_is_control, value)):
        raise ValueError("must not contain control characters")
    return value


def _visible_text(value: str) -> str:
    # Letters, marks, numbers, punctuation, symbols: not separators, controls, format
    # characters (zero-width spaces, joiners) or unassigned code points.
    if not any(unicodedata.category(character)[0] not in "CZ" for character in value):
        raise ValueError("must contain visible text")
    return value


# A name a client chose (an unknown field) is echoed only when it is this short and printable;
# any other is "an unknown field", so that no answer or job repeats much of a request, or
# control characters, or code points no terminal shows.
MAX_SHOWN_NAME_CHARS = 64
UNKNOWN_FIELD = "an unknown field"


def shown_name(name: str) -> str:
    if len(name) <= MAX_SHOWN_NAME_CHARS and name.isprintable():
        return name
    return UNKNOWN_FIELD


# The range of each parameter a client may send, on every submit route. Numbers are checked
# strictly on `/jobs` and as the replaced services did on the drop-ins (each model's `strict`).
Prompt = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=2000),
    BeforeValidator(_plain_text),
    AfterValidator(_visible_text),
]
NegativePrompt = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=2000),
    BeforeValidator(_plain_text),
]
# 4096 is the hard ceiling of every engine; the deployment's MaxImageSize is checked in logic.
ImageSide = Annotated[int, Field(ge=64, le=4096)]
Seed = Annotated[int, Field(ge=0, le=MAX_SEED)]
ImageCount = Annotated[int, Field(ge=1, le=4)]
Quality = Annotated[int, Field(ge=1, le=100)]
# The model's own range is checked in logic (GET /models); this only keeps nonsense out of the
# item.
Guidance = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
ModelId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[\w.:-]+$")]
Strength = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Fraction = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Margin = Annotated[int, Field(ge=0, le=2000)]
SearchText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=2000),
    BeforeValidator(_plain_text),
    AfterValidator(_visible_text),
]


def _schema_extra(schema: dict[str, Any]) -> None:
    """The submit routes' JSON Schema: the wording of each parameter is `JobParameters'` (the
    fields restated here add ranges, not meaning), and "not both guidance and cfg_scale" (the
    contract test found it missing)."""
    for name, field in JobParameters.model_fields.items():
        described = schema.get("properties", {}).get(field.alias or name)
        if described is not None and field.description:
            described.setdefault("description", field.description)
    for name in ("image", "mask", "style_image"):
        described = schema.get("properties", {}).get(name)
        if described is not None:
            described["description"] = (
                f"{JobParameters.model_fields[name].description}: a data: URL (png, jpeg or webp,"
                f" at most {MAX_INLINE_IMAGE_BYTES} bytes), an upload ({{upload_id}}) or an image"
                " of one of your jobs ({job_id, index})"
            )
    schema["not"] = {
        "required": ["guidance", "cfg_scale"],
        "properties": {"guidance": {"type": "number"}, "cfg_scale": {"type": "number"}},
    }


class JobOptions(BaseModel):
    """Every generation parameter but the prompt, as every submit route takes them (the
    drop-ins' included). Each is `JobParameters'` field, bounded here; one left out takes the
    model's or the deployment's default at submit. `guidance` is also taken as `cfg_scale`
    (what Bedrock and most diffusion APIs call it). What only edits take is `EditOptions`."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra=_schema_extra,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
    )

    negative_prompt: NegativePrompt | None = None
    model: ModelId | None = None
    aspect_ratio: AspectRatio | None = None
    width: ImageSide | None = None
    height: ImageSide | None = None
    seed: Seed | None = None
    num_images: ImageCount = 1
    image_format: ImageFormat = Field(default="png", alias="format")
    quality: Quality | None = None
    style: Style = "none"
    guidance: Guidance | None = None
    cfg_scale: Guidance | None = Field(default=None, description="another name for guidance")

    @field_validator("cfg_scale")
    @classmethod
    def _not_both(cls, value: float | None, info: ValidationInfo) -> float | None:
        if value is not None and info.data.get("guidance") is not None:
            raise ValueError("give guidance or cfg_scale, not both")
        return value

    @model_validator(mode="after")
    def _cfg_scale_is_guidance(self) -> Self:
        if self.cfg_scale is not None:
            self.guidance, self.cfg_scale = self.cfg_scale, None
        return self

    def declared(self) -> dict[str, Any]:
        """The options by their API names, the declared ones only (a drop-in keeps the keys
        it ignores in `model_extra`)."""
        return {
            field.alias or name: getattr(self, name)
            for name, field in type(self).model_fields.items()
            if name != "cfg_scale"
        }


class EditOptions(BaseModel):
    """What a task that edits images takes, on `POST /jobs` only (the drop-ins keep the shapes
    of the services they replace). Each is `JobParameters'` field, bounded here."""

    model_config = ConfigDict(extra="forbid")

    task: Task | None = None
    strength: Strength | None = None
    image: ImageInput | None = None
    mask: ImageInput | None = None
    style_image: ImageInput | None = None
    left: Margin | None = None
    right: Margin | None = None
    up: Margin | None = None
    down: Margin | None = None
    search_prompt: SearchText | None = None
    select_prompt: SearchText | None = None
    mode: UpscaleMode | None = None
    creativity: Fraction | None = None
    control_strength: Fraction | None = None
    fidelity: Fraction | None = None
    grow_mask: Annotated[int, Field(ge=0, le=20)] | None = None


# Longer URLs are refused at submit; what else a URL must be is checked by models.webhook_targets,
# which knows whether this deployment allows plain http and private targets.
MAX_WEBHOOK_URL_CHARS = 2048


class WebhookOptions(BaseModel):
    """`webhook` and `webhook_events_filter`, as `POST /jobs` and the drop-ins take them."""

    webhook: Annotated[str, StringConstraints(max_length=MAX_WEBHOOK_URL_CHARS)] | None = Field(
        default=None,
        description="a URL to POST the job to as it starts or ends, signed (Standard Webhooks)",
    )
    # Literal, not the enum: the strict validation of a JSON body wants a name, not a member.
    webhook_events_filter: (
        Annotated[list[Literal["started", "completed"]], Field(min_length=1, max_length=2)] | None
    ) = Field(default=None, description='the events to send (default ["completed"])')

    @field_validator("webhook_events_filter")
    @classmethod
    def _only_with_a_webhook(
        cls, value: list[str] | None, info: ValidationInfo
    ) -> list[str] | None:
        # (Only when `webhook` was valid and left out: a bad one is its own error.)
        if value is not None and "webhook" in info.data and info.data["webhook"] is None:
            raise ValueError("give a webhook to send events to")
        return value

    def subscription(self) -> WebhookSubscription | None:
        if self.webhook is None:
            return None
        names = self.webhook_events_filter or DEFAULT_EVENTS
        events = tuple(dict.fromkeys(WebhookEvent(name) for name in names))
        return WebhookSubscription(url=self.webhook, events=events)


class JobRequest(JobOptions, EditOptions, WebhookOptions):
    """Body of `POST /jobs`: strict, a number is a JSON number and a text a JSON string. The
    prompt is needed by every task but those that take none (GET /models says which)."""

    model_config = ConfigDict(strict=True)

    prompt: Prompt | None = None


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


class Submission(BaseModel):
    """One submit, on any route: the tenant's request as `JobRequest`, and what makes two
    submissions the same for an Idempotency-Key (the tenant, the route, the key, the body)."""

    tenant: str
    route: str
    key: str | None = None
    body: dict[str, Any]
    request: JobRequest
    # What a drop-in route ignored of the body, as the service it replaces did: names only.
    ignored_parameters: tuple[str, ...] = ()
    # `Cancel-After`, in seconds: the job ends `canceled` if not finished this long after submit.
    cancel_after_seconds: int | None = None
