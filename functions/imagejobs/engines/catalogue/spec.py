"""What a catalogue entry says of a model: the tasks it does and, per task, what it takes.

`ModelSpec.check` is what submit refuses (a 422 naming the field) and what the Bedrock engine
checks again before it calls a model: a parameter a model does not take is never sent to it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any, Literal

from imagejobs.engines.base import (
    LOSSY_FORMATS,
    AspectRatio,
    ImageField,
    ImageFormat,
    JobParameters,
    Task,
    UpscaleMode,
)
from imagejobs.engines.styles import styled_prompt

# The parameters that only some tasks take: numbers (with a range per model and task) and texts.
NUMBER_FIELDS = (
    "strength",
    "creativity",
    "control_strength",
    "fidelity",
    "grow_mask",
    "left",
    "right",
    "up",
    "down",
)
TEXT_FIELDS = ("search_prompt", "select_prompt")
MARGINS = ("left", "right", "up", "down")


@dataclass(frozen=True, slots=True)
class Violation:
    """A request a model cannot render. `field` is the API's name for the parameter."""

    field: str
    message: str


@dataclass(frozen=True, slots=True)
class Range:
    low: float
    high: float
    default: float | None = None

    def __contains__(self, value: object) -> bool:
        return isinstance(value, int | float) and self.low <= value <= self.high


@dataclass(frozen=True, slots=True)
class Price:
    # None: no figure could be read, at its source or elsewhere.
    usd_per_image: float | None
    as_of: date
    source: str
    # True when the figure was read off the provider's own price page.
    verified: bool


@dataclass(frozen=True, slots=True)
class InputLimits:
    """What an input image must be for the model to take it."""

    formats: tuple[ImageFormat, ...]
    min_side: int
    max_side: int
    min_pixels: int
    max_pixels: int
    # The widest shape as width / height (and its inverse the tallest); None: any.
    max_aspect: float | None = None

    def problem(self, width: int, height: int) -> str | None:
        """What is wrong with an image of width x height for these limits, or None."""
        if min(width, height) < self.min_side or max(width, height) > self.max_side:
            return (
                f"each side must be {self.min_side} to {self.max_side} pixels; this is"
                f" {width}x{height}"
            )
        if not self.min_pixels <= width * height <= self.max_pixels:
            return (
                f"must have {self.min_pixels:,} to {self.max_pixels:,} pixels; this has"
                f" {width * height:,}"
            )
        shape = max(width / height, height / width)
        if self.max_aspect is not None and shape > self.max_aspect:
            return f"must be no wider or taller than {self.max_aspect}:1; this is {shape:.2f}:1"
        return None


# A check of a task's parameters that a range or a list cannot say: the first thing wrong,
# naming the field, or None.
Rule = Callable[[JobParameters], Violation | None]


@dataclass(frozen=True, slots=True)
class TaskSpec:
    """What a model takes for one task, and what it gives back."""

    # The images the task needs.
    images: tuple[ImageField, ...] = ("image",)
    # Takes a mask (else the image's transparency says where).
    mask: bool = False
    prompt: Literal["required", "optional", "none"] = "required"
    # A task without a prompt takes no negative prompt either.
    negative_prompt: bool = True
    numbers: Mapping[str, Range] = field(default_factory=dict)
    # Texts the task needs besides the prompt (search_prompt, select_prompt).
    texts: tuple[str, ...] = ()
    # The task draws in one of the model's aspect ratios (else in the input's shape).
    aspect_ratio: bool = False
    modes: tuple[UpscaleMode, ...] = ()
    # The output has transparency: png or webp only.
    alpha: bool = False
    # Outpaint: at least one margin must be more than 0.
    needs_margin: bool = False
    # False: every seed gives the same image, so a job asks for one.
    seeded: bool = True
    # What size the output is, in words (GET /models shows it).
    output: str = "the input image's size"
    # Checks beyond the fields above (`Rule`), run last.
    rules: tuple[Rule, ...] = ()


TEXT_TO_IMAGE = TaskSpec(images=(), aspect_ratio=True, output="the aspect ratio's size")


# A model's request body for one image: the job's parameters, that image's seed, and the
# bytes of the job's input images by parameter name.
BodyBuilder = Callable[[JobParameters, int, Mapping[str, bytes]], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Bedrock:
    """How Amazon Bedrock serves a model."""

    # Regions that serve the model's own id on demand.
    on_demand_regions: frozenset[str]
    # The cross-Region inference profile, and the Regions that may call it (and that it routes
    # to): where the model is not served on demand, calls must name the profile.
    profile_id: str | None
    profile_regions: frozenset[str]
    body: BodyBuilder

    def invoke_id(self, model_id: str, region: str) -> str | None:
        """What InvokeModel must name in `region`, or None where the model is not served."""
        if region in self.on_demand_regions:
            return model_id
        if self.profile_id is not None and region in self.profile_regions:
            return self.profile_id
        return None


@dataclass(frozen=True, slots=True)
class ModelSpec:
    id: str
    name: str
    provider: str
    description: str
    tasks: Mapping[Task, TaskSpec]
    max_prompt_chars: int
    negative_prompt: bool
    aspect_ratios: tuple[AspectRatio, ...]
    # The built-in renderer draws any width and height; hosted models take only their ratios.
    any_size: bool
    seeds: Range
    formats: tuple[ImageFormat, ...]
    max_images: int
    guidance: Range | None
    inputs: InputLimits | None
    price: Price
    # The page every fact above was read from.
    page: str
    bedrock: Bedrock | None = None
    # The model's words for each of our style presets ride on the prompt.
    style_in_prompt: bool = True

    @property
    def engine_id(self) -> str:
        return f"bedrock:{self.id}" if self.bedrock is not None else "pillow"

    def does(self, task: Task, mode: UpscaleMode | None = None) -> bool:
        spec = self.tasks.get(task)
        return spec is not None and (mode is None or not spec.modes or mode in spec.modes)

    def task_violation(self, task: Task) -> Violation | None:
        if task not in self.tasks:
            return Violation("task", f"{self.id} does {either(tuple(self.tasks))}")
        return None

    def check(self, parameters: JobParameters) -> Violation | None:
        """The first thing about a job's parameters this model cannot do, or None."""
        if (violation := self.task_violation(parameters.task)) is not None:
            return violation
        task = self.tasks[parameters.task]
        for check in (
            _images,
            _prompt,
            _negative_prompt,
            _shape,
            _count_and_seed,
            _guidance,
            _numbers,
            _texts,
            _mode,
            _format,
            _rules,
        ):
            if (violation := check(self, task, parameters)) is not None:
                return violation
        return None


def _images(model: ModelSpec, task: TaskSpec, parameters: JobParameters) -> Violation | None:
    for name in task.images:
        if getattr(parameters, name) is None:
            return Violation(name, f"{parameters.task} needs an {name.replace('_', ' ')}")
    taken = (*task.images, *(("mask",) if task.mask else ()))
    for name in ("image", "mask", "style_image"):
        if name not in taken and getattr(parameters, name) is not None:
            return Violation(name, f"{parameters.task} takes no {name.replace('_', ' ')}")
    return None


def _prompt(model: ModelSpec, task: TaskSpec, parameters: JobParameters) -> Violation | None:
    text = parameters.prompt
    if text is None:
        if task.prompt == "required":
            return Violation("prompt", f"{parameters.task} needs a prompt")
        return None
    if task.prompt == "none":
        return Violation("prompt", f"{parameters.task} takes no prompt on {model.id}")
    if model.style_in_prompt:
        text = styled_prompt(text, parameters.style)
    if len(text) > model.max_prompt_chars:
        styled = "" if text == parameters.prompt else f" with {parameters.style}'s words"
        return Violation(
            "prompt",
            f"{model.id} takes at most {model.max_prompt_chars} characters{styled};"
            f" this prompt has {len(text)}",
        )
    return None


def _negative_prompt(
    model: ModelSpec, task: TaskSpec, parameters: JobParameters
) -> Violation | None:
    takes = model.negative_prompt and task.negative_prompt and task.prompt != "none"
    if parameters.negative_prompt and not takes:
        return Violation("negative_prompt", f"{parameters.task} on {model.id} takes none")
    return None


def _shape(model: ModelSpec, task: TaskSpec, parameters: JobParameters) -> Violation | None:
    ratio = parameters.aspect_ratio
    if ratio is not None:
        if not task.aspect_ratio:
            return Violation("aspect_ratio", f"{parameters.task} keeps the input image's shape")
        if ratio not in model.aspect_ratios:
            return Violation("aspect_ratio", f"{model.id} takes {either(model.aspect_ratios)}")
    sized = parameters.width is not None or parameters.height is not None
    if sized and not (model.any_size and task.aspect_ratio):
        if not task.aspect_ratio:
            return Violation("width", f"{parameters.task} keeps the input image's size")
        return Violation(
            "width",
            f"{model.id} draws the aspect ratios {either(model.aspect_ratios)}; give"
            " aspect_ratio, or a width and height in one of those ratios",
        )
    return None


def _count_and_seed(
    model: ModelSpec, task: TaskSpec, parameters: JobParameters
) -> Violation | None:
    if not 1 <= parameters.num_images <= model.max_images:
        return Violation("num_images", f"{model.id} renders 1 to {model.max_images}")
    if not task.seeded and parameters.num_images > 1:
        return Violation(
            "num_images", f"{parameters.task} gives the same image whatever the seed: ask for 1"
        )
    last = parameters.seed + parameters.num_images - 1
    if parameters.seed < model.seeds.low or last > model.seeds.high:
        return Violation(
            "seed",
            f"seed to seed + num_images - 1 must be within {model.seeds.low:g} and"
            f" {model.seeds.high:g} on {model.id}",
        )
    return None


def _guidance(model: ModelSpec, task: TaskSpec, parameters: JobParameters) -> Violation | None:
    if parameters.guidance is None:
        return None
    if model.guidance is None:
        return Violation("guidance", f"{model.id} takes no guidance")
    if parameters.guidance not in model.guidance:
        return Violation(
            "guidance",
            f"must be within {model.guidance.low:g} and {model.guidance.high:g} on {model.id}",
        )
    return None


def _numbers(model: ModelSpec, task: TaskSpec, parameters: JobParameters) -> Violation | None:
    for name in NUMBER_FIELDS:
        value = getattr(parameters, name)
        if value is None:
            continue
        span = task.numbers.get(name)
        if span is None:
            return Violation(name, f"{parameters.task} takes no {name} on {model.id}")
        if value not in span:
            return Violation(name, f"must be within {span.low:g} and {span.high:g} on {model.id}")
    if task.needs_margin and not any(getattr(parameters, margin) for margin in MARGINS):
        return Violation("left", "outpaint needs a margin: left, right, up or down above 0")
    return None


def _texts(model: ModelSpec, task: TaskSpec, parameters: JobParameters) -> Violation | None:
    for name in TEXT_FIELDS:
        given = getattr(parameters, name)
        if name in task.texts and not given:
            return Violation(name, f"{parameters.task} needs a {name}")
        if name not in task.texts and given is not None:
            return Violation(name, f"{parameters.task} takes no {name}")
    return None


def _mode(model: ModelSpec, task: TaskSpec, parameters: JobParameters) -> Violation | None:
    if parameters.mode is not None and parameters.mode not in task.modes:
        if not task.modes:
            return Violation("mode", f"{parameters.task} takes no mode")
        return Violation("mode", f"{model.id} upscales {either(task.modes)}")
    return None


def _format(model: ModelSpec, task: TaskSpec, parameters: JobParameters) -> Violation | None:
    if parameters.image_format not in model.formats:
        return Violation("format", f"{model.id} returns {either(model.formats)}")
    if task.alpha and parameters.image_format == "jpeg":
        return Violation("format", f"{parameters.task} gives transparency: png or webp")
    if parameters.quality is not None and parameters.image_format not in LOSSY_FORMATS:
        return Violation("quality", "only for the lossy formats, jpeg and webp")
    return None


def _rules(model: ModelSpec, task: TaskSpec, parameters: JobParameters) -> Violation | None:
    return next((v for rule in task.rules if (v := rule(parameters)) is not None), None)


def either(values: tuple[str, ...]) -> str:
    return ", ".join(values[:-1]) + f" or {values[-1]}" if len(values) > 1 else values[0]


def ratio_of(width: int, height: int, ratios: tuple[AspectRatio, ...]) -> AspectRatio | None:
    """The aspect ratio among `ratios` that width x height is exactly, if any."""
    shape = Fraction(width, height)
    return next((r for r in ratios if Fraction(*map(int, r.split(":"))) == shape), None)
