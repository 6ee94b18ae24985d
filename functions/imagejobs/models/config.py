"""`GET /config` and `GET /models`: what a client may ask this deployment for, so no client
restates a limit."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel

from imagejobs.engines.base import AspectRatio, ImageField, ImageFormat, Style, Task, UpscaleMode


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
    """The deployment's limits: the API model's bounds, narrowed by the default model's and
    the deployment's settings. Each model's own are in `GET /models`."""

    engine: str
    default_model: str
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
    # null: the default model takes no guidance.
    guidance: FloatRange | None
    # Images and jobs are deleted this long after submission; image URLs live this long.
    job_retention_days: int
    image_url_expiry_seconds: int


class FloatSpan(BaseModel):
    min: float
    max: float
    default: float | None = None


class InputLimitsView(BaseModel):
    """What an input image must be for the model to take it."""

    formats: list[ImageFormat]
    min_side: int
    max_side: int
    min_pixels: int
    max_pixels: int


class ModelParametersView(BaseModel):
    """What the model takes, with its limits: a request outside them is a 422 at submit."""

    prompt: LengthLimit
    negative_prompt: bool
    aspect_ratios: list[AspectRatio]
    # A width and height of any shape within this range (the built-in renderer); null: the
    # model takes only its aspect ratios (a width and height in one of them also work).
    side: IntRange | None
    seed: IntRange
    num_images: IntRange
    formats: list[ImageFormat]
    # null: the model takes no guidance (a job that gives one is refused).
    guidance: FloatSpan | None
    # What an image given to the model must be; null: it takes none.
    image: InputLimitsView | None


class TaskView(BaseModel):
    """What a model takes for one task, and what it gives back."""

    task: Task
    # The images the task needs, and whether it takes a mask (else the image's transparency).
    images: list[ImageField]
    mask: bool
    prompt: Literal["required", "optional", "none"]
    # The task's own numbers (strength, creativity, margins, ...), each with its range and the
    # default a job gets without one.
    numbers: dict[str, FloatSpan]
    # Texts it needs besides the prompt (search_prompt, select_prompt).
    texts: list[str]
    aspect_ratio: bool
    modes: list[UpscaleMode]
    # The output has transparency: png or webp only.
    alpha: bool
    # False: every seed gives the same image, so a job of this task asks for one.
    seeded: bool
    output: str


class PriceView(BaseModel):
    usd_per_image: float | None
    as_of: date
    source: str
    # False: read off a secondary source, not the provider's own price page.
    verified: bool


class LifecycleView(BaseModel):
    """Whether the model can be used: `legacy` models still work until their end of life;
    `unavailable` ones (past it, not offered in this Region, or access not granted) are
    refused at submit."""

    status: Literal["active", "legacy", "unavailable"]
    end_of_life: date | None = None
    checked_at: datetime | None = None
    reason: str | None = None


class ModelView(BaseModel):
    id: str
    name: str
    provider: str
    description: str
    # The model a job gets when it names none.
    default: bool
    tasks: list[TaskView]
    parameters: ModelParametersView
    # null: no price could be read (see `price.source`).
    price_per_image_usd: float | None
    price: PriceView
    lifecycle: LifecycleView


class ModelListView(BaseModel):
    """`GET /models`: the models this deployment offers."""

    models: list[ModelView]
