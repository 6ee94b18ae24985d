"""What a client sends to the `/jobs` API: the text rules, the options of a job, `JobRequest`,
and a `Submission` of one on any route."""

from __future__ import annotations

import unicodedata
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
from imagejobs.models.inputs import MAX_INLINE_IMAGE_BYTES, ImageInput
from imagejobs.models.webhooks import (
    DEFAULT_EVENTS,
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
