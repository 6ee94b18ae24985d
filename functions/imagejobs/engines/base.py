"""The image engine interface every renderer implements, and the generation parameters.

The parameters are defined here, once, as `JobParameters`: what a job records and what its
engine renders, every default applied. The API's request (`models.api.JobRequest`) restates a
field only to bound it or to let a client leave it out; the DynamoDB item, the status, the
OpenAPI document and the SDK take the fields and their descriptions from here. A new parameter
is a field below, its bound in `models/api/requests.py`, its rule in the model catalogue
(`engines.catalogue`) and the engine code that uses it.

The worker depends only on this module and the catalogue; an engine is chosen per job by its
model (`imagejobs.engines.engine_for`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, Protocol, get_args

from pydantic import BaseModel, ConfigDict, Field

ImageFormat = Literal["png", "jpeg", "webp"]
IMAGE_FORMATS: tuple[ImageFormat, ...] = get_args(ImageFormat)
# Style presets, named as in the system this project grew from; "none" leaves the prompt alone.
Style = Literal["none", "product_ad", "lifestyle", "minimalist", "vibrant", "luxury"]
STYLES: tuple[Style, ...] = get_args(Style)
# What a job does: draw from words, or edit the images it takes in.
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
TASKS: tuple[Task, ...] = get_args(Task)
UpscaleMode = Literal["fast", "conservative", "creative"]
# The images a job may take in, by the parameter that names each.
ImageField = Literal["image", "mask", "style_image"]
IMAGE_FIELDS: tuple[ImageField, ...] = get_args(ImageField)
# Where an input image came from: sent inline, uploaded, or an image of one of the tenant's jobs.
ImageSource = Literal["inline", "upload", "job"]
# The shapes the models take (the aspect_ratio enum of Stability AI's models on Bedrock).
AspectRatio = Literal["1:1", "16:9", "21:9", "2:3", "3:2", "4:5", "5:4", "9:16", "9:21"]
ASPECT_RATIOS: tuple[AspectRatio, ...] = get_args(AspectRatio)

LOSSY_FORMATS: frozenset[str] = frozenset({"jpeg", "webp"})
DEFAULT_QUALITY = 90  # of the lossy encoders, 1-100

CONTENT_TYPES: dict[str, str] = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}
FILE_EXTENSIONS: dict[str, str] = {"png": "png", "jpeg": "jpg", "webp": "webp"}

# The seeds a job may have: a recorded seed stays replayable, for every image of a job
# (seed + n). A model with a smaller range checks its own (`ModelSpec.seeds`).
MAX_SEED = 2_147_483_646
DEFAULT_SIDE = 512
# The built-in renderer's model id; every other model is a hosted one.
BUILT_IN_MODEL = "pillow"


class _Parameters(BaseModel):
    # `image_format` is spelled `format` in the API and the item: written so, read either way.
    model_config = ConfigDict(
        frozen=True, validate_by_name=True, validate_by_alias=True, serialize_by_alias=True
    )


class InputImage(_Parameters):
    """An image a job takes in, as the job records it: where it came from and what it is, read
    from its bytes; never the bytes."""

    source: ImageSource = "inline"
    key: str = Field(description="where the bytes are stored")
    width: int
    height: int
    image_format: ImageFormat = Field(alias="format", description="read from the bytes")
    # As sent; None for an image of a job.
    size_bytes: int | None = None
    # The upload, or the job and image index, it came from.
    upload_id: str | None = None
    job_id: str | None = None
    index: int | None = None


class JobParameters(_Parameters):
    """Everything a job is rendered with, every default applied and the seed chosen.

    Only typed, not range-checked: the API bounds a request and the model catalogue refuses
    what a model cannot do, both at submit, so a job stored before a limit changed still reads.
    """

    # None only for a task that takes no prompt (remove-background, erase, a fast upscale).
    prompt: str | None = Field(
        default=None, description="what to draw: visible text, at most 2,000 characters"
    )
    negative_prompt: str | None = Field(
        default=None, description="what to leave out, at most 2,000 characters"
    )
    model: str = Field(
        default=BUILT_IN_MODEL,
        description="a model id from GET /models; the deployment's default if left out",
    )
    task: Task = Field(
        default="text-to-image",
        description="what the job does; GET /models lists which model does which task",
    )
    aspect_ratio: AspectRatio | None = Field(
        default=None,
        description="the image's shape, one of the model's (GET /models); or give width and height",
    )
    width: int | None = Field(
        default=None,
        description="in pixels; with a model that takes aspect ratios, it must fit one",
    )
    height: int | None = Field(default=None, description="in pixels; see width")
    seed: int = Field(description="of the first image (image n uses seed + n); chosen if left out")
    num_images: int = Field(default=1, description="how many images to draw")
    image_format: ImageFormat = Field(default="png", alias="format", description="file format")
    # None: DEFAULT_QUALITY for JPEG and WebP, nothing for PNG.
    quality: int | None = Field(
        default=None,
        description=f"1-100, for jpeg and webp (default {DEFAULT_QUALITY}); not for png",
    )
    style: Style = Field(default="none", description="a style preset; none leaves the prompt as is")
    # A model's cfg_scale. None: the model takes none.
    guidance: float | None = Field(
        default=None,
        description="how closely to follow the prompt, within the model's range (GET /models);"
        " only for models that take it",
    )
    strength: float | None = Field(
        default=None,
        description="image-to-image: 0 keeps the input image, 1 ignores it",
    )
    image: InputImage | None = Field(default=None, description="the image to start from or edit")
    mask: InputImage | None = Field(
        default=None,
        description="inpaint, erase: white where to change, black where to keep (else the"
        " image's transparency)",
    )
    style_image: InputImage | None = Field(
        default=None, description="style-transfer: the image whose style to take"
    )
    left: int | None = Field(default=None, description="outpaint: pixels to add on the left")
    right: int | None = Field(default=None, description="outpaint: pixels to add on the right")
    up: int | None = Field(default=None, description="outpaint: pixels to add above")
    down: int | None = Field(default=None, description="outpaint: pixels to add below")
    search_prompt: str | None = Field(
        default=None, description="search-and-replace: what in the image to replace"
    )
    select_prompt: str | None = Field(
        default=None, description="search-and-recolor: what in the image to recolor"
    )
    mode: UpscaleMode | None = Field(
        default=None, description="upscale: fast (x4), conservative or creative"
    )
    creativity: float | None = Field(
        default=None, description="outpaint, upscale: how much the model may invent"
    )
    control_strength: float | None = Field(
        default=None, description="control-sketch, control-structure: how closely to follow"
    )
    fidelity: float | None = Field(
        default=None, description="style-guide: how closely to keep the style image's style"
    )
    grow_mask: int | None = Field(
        default=None, description="inpaint, erase, search-and-*: pixels to widen the mask by"
    )


@dataclass(frozen=True, slots=True)
class RenderedImage:
    data: bytes
    width: int
    height: int
    image_format: ImageFormat
    seed: int
    # How long this image took in the engine (its model call), as the engine measured it.
    seconds: float | None = None

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.image_format]


# The bytes of a job's input images, by the parameter that names each ("image", "mask", ...).
Inputs = Mapping[str, bytes]


class ImageEngine(Protocol):
    """Renders every image of a job, in order, or raises an `EngineError` subclass."""

    @property
    def engine_id(self) -> str:
        """The engine's identity, which a job records: "pillow", "bedrock:<model id>"."""
        ...

    def render(self, parameters: JobParameters, inputs: Inputs) -> list[RenderedImage]: ...
