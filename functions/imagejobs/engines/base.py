"""The image engine interface every renderer implements.

The worker depends only on this module; engines are chosen by kind at cold start
(see `imagejobs.engines.get_engine`), so adding a hosted model never touches the worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

ImageFormat = Literal["png", "jpeg", "webp"]
# Style presets, named as in the system this project grew from; "none" leaves the prompt alone.
Style = Literal["none", "product_ad", "lifestyle", "minimalist", "vibrant", "luxury"]
STYLES: tuple[Style, ...] = ("none", "product_ad", "lifestyle", "minimalist", "vibrant", "luxury")

LOSSY_FORMATS: frozenset[str] = frozenset({"jpeg", "webp"})
DEFAULT_QUALITY = 90  # of the lossy encoders, 1-100

CONTENT_TYPES: dict[str, str] = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}
FILE_EXTENSIONS: dict[str, str] = {"png": "png", "jpeg": "jpg", "webp": "webp"}


@dataclass(frozen=True, slots=True)
class RenderRequest:
    """What to draw. `seed` is the seed of the first image; image n uses `seed + n`.

    `quality` is the lossy encoders' quality (None for PNG); `guidance` is how closely to
    follow the prompt (a model's cfgScale), None for the engine's own default.
    """

    prompt: str
    width: int
    height: int
    seed: int
    num_images: int = 1
    image_format: ImageFormat = "png"
    negative_prompt: str | None = None
    style: Style = "none"
    quality: int | None = None
    guidance: float | None = None


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
