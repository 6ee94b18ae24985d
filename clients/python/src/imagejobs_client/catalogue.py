"""`GET /models`: the models a deployment offers, what each does (its tasks) and takes, as
typed answers. `client.models.list()` reads them; see `imagejobs_client.models` for jobs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from imagejobs_client.models import (
    AspectRatio,
    ImageField,
    ImageFormat,
    Task,
    UpscaleMode,
    _Answer,
)

LifecycleStatus = Literal["active", "legacy", "unavailable"]
# Whether a task takes a prompt: it needs one, may take one, or is refused one.
PromptUse = Literal["required", "optional", "none"]


class IntRange(_Answer):
    min: int
    max: int
    default: int | None = None


class FloatSpan(_Answer):
    min: float
    max: float
    default: float | None = None


class LengthLimit(_Answer):
    max_length: int


class InputLimits(_Answer):
    """What an input image must be for the model to take it."""

    formats: list[ImageFormat]
    min_side: int
    max_side: int
    min_pixels: int
    max_pixels: int


class ModelTask(_Answer):
    """What a model takes for one task, and what it gives back: the fields to offer for it."""

    task: Task
    # The images the task needs (`image`, `style_image`).
    images: list[ImageField]
    # It takes a `mask` (else the image's transparency says where).
    mask: bool
    prompt: PromptUse
    # The numbers it takes (strength, left, grow_mask, ...), each with its range and default.
    numbers: dict[str, FloatSpan]
    # The texts it needs besides the prompt (search_prompt, select_prompt).
    texts: list[str]
    # It draws in one of the model's aspect ratios (else in the input image's shape).
    aspect_ratio: bool
    # upscale: the modes the model does.
    modes: list[UpscaleMode]
    # The output has transparency: png or webp only.
    alpha: bool
    # False: every seed gives the same image, so a job of this task asks for one.
    seeded: bool
    # What size the output is, in words.
    output: str


class ModelParameters(_Answer):
    """What a model takes, with its limits: a request outside them is refused (422)."""

    prompt: LengthLimit
    negative_prompt: bool
    aspect_ratios: list[AspectRatio]
    # Any width and height within this range (the built-in renderer); None: only the
    # aspect ratios (a width and height in one of them also work).
    side: IntRange | None = None
    seed: IntRange
    num_images: IntRange
    formats: list[ImageFormat]
    # None: the model takes no guidance.
    guidance: FloatSpan | None = None
    # What an input image must be; None: the model takes none.
    image: InputLimits | None = None


class Price(_Answer):
    # None: no figure could be read, at its source or elsewhere.
    usd_per_image: float | None = None
    as_of: date
    source: str
    # False: read off a secondary source, not the provider's own price page.
    verified: bool


class Lifecycle(_Answer):
    """`legacy` models work until their `end_of_life`; `unavailable` ones are refused."""

    status: LifecycleStatus
    end_of_life: date | None = None
    checked_at: datetime | None = None
    reason: str | None = None


class Model(_Answer):
    """A model this deployment offers, as `GET /models` lists it: pass its `id` as `model=`."""

    id: str
    name: str
    provider: str
    description: str
    # The model a job gets when it names none.
    default: bool
    tasks: list[ModelTask]
    parameters: ModelParameters
    price_per_image_usd: float | None = None
    price: Price
    lifecycle: Lifecycle

    def task(self, name: Task) -> ModelTask | None:
        """What the model takes for the task `name`; None if it does not do it."""
        return next((task for task in self.tasks if task.task == name), None)


class ModelList(_Answer):
    """`GET /models`."""

    models: list[Model]
