"""The image engine interface every renderer implements, and the generation parameters.

The worker depends only on this module; engines are chosen by kind at cold start
(see `imagejobs.engines.get_engine`), so adding a hosted model never touches the worker.

The generation parameters are defined here, once: the API's requests, the job's resolved
parameters, its DynamoDB item, the engines' `RenderRequest` and the CLI all reuse
`ImageOptions`. A new parameter is one field below, its range in `models/api.py` if it has
one, and the engine code that uses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol, get_args

from pydantic import BaseModel, ConfigDict, Field

ImageFormat = Literal["png", "jpeg", "webp"]
IMAGE_FORMATS: tuple[ImageFormat, ...] = get_args(ImageFormat)
# Style presets, named as in the system this project grew from; "none" leaves the prompt alone.
Style = Literal["none", "product_ad", "lifestyle", "minimalist", "vibrant", "luxury"]
STYLES: tuple[Style, ...] = get_args(Style)

LOSSY_FORMATS: frozenset[str] = frozenset({"jpeg", "webp"})
DEFAULT_QUALITY = 90  # of the lossy encoders, 1-100

CONTENT_TYPES: dict[str, str] = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}
FILE_EXTENSIONS: dict[str, str] = {"png": "png", "jpeg": "jpg", "webp": "webp"}

# The seeds a job may have (Titan's range, and the built-in renderer's): a recorded seed stays
# replayable, for every image of a job (seed + n). An engine with a smaller range (Nova
# Canvas) checks its own, `EngineLimits.max_seed`.
MAX_SEED = 2_147_483_646
DEFAULT_SIDE = 512


class _Parameters(BaseModel):
    # `image_format` is spelled `format` in the API and the item: written so, read either way.
    model_config = ConfigDict(
        frozen=True, validate_by_name=True, validate_by_alias=True, serialize_by_alias=True
    )


class PromptOption(_Parameters):
    prompt: str = Field(description="what to draw: visible text, at most 2,000 characters")


class ImageOptions(_Parameters):
    """How to draw a prompt: every generation parameter but the prompt, as a client gives it."""

    negative_prompt: str | None = Field(
        default=None, description="what to leave out, at most 2,000 characters"
    )
    width: int = Field(default=DEFAULT_SIDE, description="in pixels")
    height: int = Field(default=DEFAULT_SIDE, description="in pixels")
    # None: the job chooses one, 0 to MAX_SEED.
    seed: int | None = Field(
        default=None,
        description="of the first image (image n uses seed + n); chosen if left out",
    )
    num_images: int = Field(default=1, description="how many images to draw")
    image_format: ImageFormat = Field(default="png", alias="format", description="file format")
    # None: DEFAULT_QUALITY for JPEG and WebP, nothing for PNG.
    quality: int | None = Field(
        default=None,
        description=f"1-100, for jpeg and webp (default {DEFAULT_QUALITY}); not for png",
    )
    style: Style = Field(default="none", description="a style preset; none leaves the prompt as is")
    # A model's cfgScale. None: the engine's default.
    guidance: float | None = Field(
        default=None, description="how closely to follow the prompt, 1.1-10; the engine's default"
    )


class GenerationOptions(ImageOptions, PromptOption):
    """Every generation parameter, as a client gives it. (The prompt comes first: a model's
    fields follow its bases in reverse order.)"""


class RenderRequest(GenerationOptions):
    """What to draw. `seed` is the seed of the first image; image n uses `seed + n`.

    Only typed, not range-checked: the API checks ranges at submit, and each engine refuses
    what it cannot render (`EngineLimits`), so a job stored before a limit changed still reads.
    """

    seed: int


@dataclass(frozen=True, slots=True)
class RenderedImage:
    data: bytes
    width: int
    height: int
    image_format: ImageFormat
    seed: int

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.image_format]


class ImageEngine(Protocol):
    """Renders every image of a request, in order, or raises an `EngineError` subclass."""

    @property
    def engine_id(self) -> str:
        """The engine's identity, which a job records as the engine that rendered it:
        "pillow", "bedrock:<model id>"."""
        ...

    def render(self, request: RenderRequest) -> list[RenderedImage]: ...
