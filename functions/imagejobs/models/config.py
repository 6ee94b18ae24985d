"""`GET /config`: what a client may ask this deployment for, so no client restates a limit."""

from __future__ import annotations

from pydantic import BaseModel

from imagejobs.engines.base import ImageFormat, Style


class IntRange(BaseModel):
    min: int
    max: int
    default: int | None = None


class FloatRange(BaseModel):
    min: float
    max: float
    default: float


class LengthLimit(BaseModel):
    max_length: int


class ConfigView(BaseModel):
    """The deployment's limits: the API model's bounds, narrowed by the engine and settings."""

    engine: str
    prompt: LengthLimit
    negative_prompt: LengthLimit
    # Either side; an engine may refuse some sizes within it (the 422 says which).
    side: IntRange
    num_images: IntRange
    seed: IntRange
    formats: list[ImageFormat]
    default_format: ImageFormat
    # `quality` applies to these only.
    lossy_formats: list[ImageFormat]
    quality: IntRange
    styles: list[Style]
    default_style: Style
    guidance: FloatRange
    # Images and jobs are deleted this long after submission; image URLs live this long.
    job_retention_days: int
    image_url_expiry_seconds: int
