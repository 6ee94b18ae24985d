"""Every model a deployment can offer: one entry each, with what it does, takes and costs.

Adding a model is one `ModelSpec` in `CATALOGUE`: its id, tasks, parameters and their limits,
price, where Bedrock serves it, and the request body it needs. Submit checks a job against its
model's entry (a refusal is a 422 naming the field), `GET /models` shows the entries a deployment
offers, and the Bedrock engine builds its calls from them. Submit imports this module, so it
stays cheap: no Pillow, no SDK client.

Facts about hosted models were read at their source on 2026-12-06; each entry names its page.
Models retire: Titan Image Generator v2 (end of life 2026-06-30, its model card) and Nova Canvas
(end of life 2026-09-30) were this service's engine and are gone from Bedrock, so they are not
in the catalogue; a stored job that names one still reads.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any

from imagejobs.engines.base import (
    ASPECT_RATIOS,
    BUILT_IN_MODEL,
    DEFAULT_SIDE,
    IMAGE_FORMATS,
    LOSSY_FORMATS,
    MAX_SEED,
    AspectRatio,
    ImageFormat,
    JobParameters,
    Task,
)
from imagejobs.engines.styles import styled_prompt


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
    usd_per_image: float
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
    tasks: tuple[Task, ...]
    max_prompt_chars: int
    negative_prompt: bool
    aspect_ratios: tuple[AspectRatio, ...]
    # The built-in renderer draws any width and height; hosted models take only their ratios.
    any_size: bool
    seeds: Range
    formats: tuple[ImageFormat, ...]
    max_images: int
    guidance: Range | None
    # image-to-image's strength; its default when a request leaves it out.
    strength: Range | None
    inputs: InputLimits | None
    price: Price
    # The page every fact above was read from.
    page: str
    bedrock: Bedrock | None = None
    # The model's words for each of our style presets ride on the prompt.
    style_in_prompt: bool = True
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def engine_kind(self) -> str:
        return "bedrock" if self.bedrock is not None else BUILT_IN_MODEL

    @property
    def engine_id(self) -> str:
        return f"bedrock:{self.id}" if self.bedrock is not None else BUILT_IN_MODEL

    def check(self, parameters: JobParameters) -> Violation | None:
        """The first thing about a job's parameters this model cannot do, or None."""
        for check in (
            self._task,
            self._prompt,
            self._shape,
            self._count_and_seed,
            self._guidance,
            self._strength,
            self._format,
        ):
            if (violation := check(parameters)) is not None:
                return violation
        return None

    def task_violation(self, task: Task) -> Violation | None:
        if task not in self.tasks:
            return Violation("task", f"{self.id} does {_either(self.tasks)}")
        return None

    def _task(self, parameters: JobParameters) -> Violation | None:
        if (violation := self.task_violation(parameters.task)) is not None:
            return violation
        if parameters.task == "image-to-image" and parameters.image is None:
            return Violation("image", "image-to-image needs an image to start from")
        if parameters.task != "image-to-image" and parameters.image is not None:
            return Violation("image", f"{parameters.task} takes no image")
        return None

    def _prompt(self, parameters: JobParameters) -> Violation | None:
        text = parameters.prompt
        if self.style_in_prompt:
            text = styled_prompt(parameters.prompt, parameters.style)
        if len(text) > self.max_prompt_chars:
            styled = (
                f" with the {parameters.style!r} style's words" if text != parameters.prompt else ""
            )
            return Violation(
                "prompt",
                f"{self.id} takes at most {self.max_prompt_chars} characters{styled};"
                f" this prompt has {len(text)}",
            )
        if parameters.negative_prompt and not self.negative_prompt:
            return Violation("negative_prompt", f"{self.id} takes no negative prompt")
        return None

    def _shape(self, parameters: JobParameters) -> Violation | None:
        if parameters.task == "image-to-image" and not self.any_size:
            # The output takes the input's shape.
            if parameters.aspect_ratio is not None:
                return Violation("aspect_ratio", "image-to-image takes the input image's shape")
            return None
        ratio = parameters.aspect_ratio
        if ratio is not None and ratio not in self.aspect_ratios:
            return Violation("aspect_ratio", f"{self.id} takes {_either(self.aspect_ratios)}")
        if not self.any_size and (parameters.width is not None or parameters.height is not None):
            return Violation(
                "width",
                f"{self.id} draws the aspect ratios {_either(self.aspect_ratios)}; give"
                " aspect_ratio, or a width and height in one of those ratios",
            )
        return None

    def _count_and_seed(self, parameters: JobParameters) -> Violation | None:
        if not 1 <= parameters.num_images <= self.max_images:
            return Violation("num_images", f"{self.id} renders 1 to {self.max_images}")
        last = parameters.seed + parameters.num_images - 1
        if parameters.seed < self.seeds.low or last > self.seeds.high:
            return Violation(
                "seed",
                f"seed to seed + num_images - 1 must be within {self.seeds.low:g} and"
                f" {self.seeds.high:g} on {self.id}",
            )
        return None

    def _guidance(self, parameters: JobParameters) -> Violation | None:
        if parameters.guidance is None:
            return None
        if self.guidance is None:
            return Violation("guidance", f"{self.id} takes no guidance")
        if parameters.guidance not in self.guidance:
            return Violation(
                "guidance",
                f"must be within {self.guidance.low:g} and {self.guidance.high:g} on {self.id}",
            )
        return None

    def _strength(self, parameters: JobParameters) -> Violation | None:
        if parameters.strength is None:
            return None
        if parameters.task != "image-to-image" or self.strength is None:
            return Violation("strength", "strength is for image-to-image only")
        if parameters.strength not in self.strength:
            return Violation(
                "strength",
                f"must be within {self.strength.low:g} and {self.strength.high:g} on {self.id}",
            )
        return None

    def _format(self, parameters: JobParameters) -> Violation | None:
        if parameters.image_format not in self.formats:
            return Violation("format", f"{self.id} delivers {_either(self.formats)}")
        if parameters.quality is not None and parameters.image_format not in LOSSY_FORMATS:
            return Violation("quality", "only for the lossy formats, jpeg and webp")
        return None


def _either(values: tuple[str, ...]) -> str:
    return ", ".join(values[:-1]) + f" or {values[-1]}" if len(values) > 1 else values[0]


def ratio_of(width: int, height: int, ratios: tuple[AspectRatio, ...]) -> AspectRatio | None:
    """The aspect ratio among `ratios` that width x height is exactly, if any."""
    shape = Fraction(width, height)
    return next((r for r in ratios if Fraction(*map(int, r.split(":"))) == shape), None)


def size_for(ratio: AspectRatio, area: int = DEFAULT_SIDE * DEFAULT_SIDE) -> tuple[int, int]:
    """The built-in renderer's size for an aspect ratio: about `area` pixels, sides in whole
    multiples of 8, as close to the ratio as that allows."""
    across, down = map(int, ratio.split(":"))
    unit = (area / (across * down)) ** 0.5
    return max(8, round(across * unit / 8) * 8), max(8, round(down * unit / 8) * 8)


# --- the built-in renderer ---------------------------------------------------------------

# How strongly the prompt's colours dominate (engines/pillow/engine.py: apply_guidance).
BUILT_IN_GUIDANCE = Range(1.1, 10, default=6.5)

BUILT_IN = ModelSpec(
    id=BUILT_IN_MODEL,
    name="Built-in renderer",
    provider="imagejobs",
    description="Draws the prompt's words as shapes and colours, with no model and no network:"
    " fast, free and repeatable. For development and tests.",
    tasks=("text-to-image", "image-to-image"),
    max_prompt_chars=2000,
    negative_prompt=True,
    aspect_ratios=ASPECT_RATIOS,
    any_size=True,
    seeds=Range(0, MAX_SEED),
    formats=IMAGE_FORMATS,
    max_images=4,
    guidance=BUILT_IN_GUIDANCE,
    strength=Range(0, 1, default=0.5),
    inputs=InputLimits(
        formats=IMAGE_FORMATS,
        min_side=64,
        max_side=4096,
        min_pixels=64 * 64,
        max_pixels=4096 * 4096,
    ),
    price=Price(0.0, date(2026, 12, 6), "built in: no model is paid for", verified=True),
    page="functions/imagejobs/engines/pillow",
    style_in_prompt=False,
)

# --- Stability AI on Amazon Bedrock ------------------------------------------------------

_PAGES = "https://docs.aws.amazon.com/bedrock/latest/userguide/"
SD35_LARGE_PAGE = _PAGES + "model-parameters-diffusion-3-5-large.html"
CORE_PAGE = _PAGES + "model-parameters-diffusion-stable-image-core-text-image-request-response.html"
ULTRA_PAGE = _PAGES + "model-parameters-diffusion-stable-ultra-text-image-request-response.html"
# The Regions of the models' `us.` cross-Region inference profiles (model-cards-stability-ai.html;
# the profiles' ids and Regions are on each model's card): SD3.5 Large, Core and Ultra are served
# on demand only in us-west-2, so from us-east-1 and us-east-2 calls name the profile.
US_PROFILE_REGIONS = frozenset({"us-east-1", "us-east-2", "us-west-2"})
# Not on AWS's price page as read here (it renders its prices in the browser); these are the
# per-image figures public price tables carried on 2026-12-06. Verify before relying on them:
# https://aws.amazon.com/bedrock/pricing/
_PRICE_SOURCE = (
    "secondary: public price tables on 2026-12-06; verify at aws.amazon.com/bedrock/pricing"
)
# "Range 0 to 4294967294. Default 0 (random seed)": 0 asks for a random seed, so a job's seed
# starts at 1, and stays within what every model here can replay.
STABILITY_SEEDS = Range(1, MAX_SEED)
# Every model here answers 1 image a call (`images` holds one); a job's images are that many calls.
STABILITY_MAX_IMAGES = 4


def _common(parameters: JobParameters, seed: int) -> dict[str, Any]:
    body: dict[str, Any] = {
        "prompt": styled_prompt(parameters.prompt, parameters.style),
        "seed": seed,
        # The service re-encodes to the job's format at its quality: PNG loses nothing first.
        "output_format": "png",
    }
    if parameters.negative_prompt:
        body["negative_prompt"] = parameters.negative_prompt
    return body


def _image_to_image(
    parameters: JobParameters, inputs: Mapping[str, bytes], body: dict[str, Any]
) -> dict[str, Any]:
    body["image"] = base64.b64encode(inputs["image"]).decode()
    body["strength"] = parameters.strength
    return body


def sd35_body(parameters: JobParameters, seed: int, inputs: Mapping[str, bytes]) -> dict[str, Any]:
    """SD3_5_LARGE_PAGE: `mode` text-to-image with `aspect_ratio` (valid for text-to-image
    only), or image-to-image with `image` and `strength` (both required there)."""
    body = _common(parameters, seed)
    if parameters.task == "image-to-image":
        return _image_to_image(parameters, inputs, {**body, "mode": "image-to-image"})
    return {**body, "mode": "text-to-image", "aspect_ratio": parameters.aspect_ratio}


def core_body(parameters: JobParameters, seed: int, inputs: Mapping[str, bytes]) -> dict[str, Any]:
    """CORE_PAGE: text-to-image only."""
    return {**_common(parameters, seed), "aspect_ratio": parameters.aspect_ratio}


def ultra_body(parameters: JobParameters, seed: int, inputs: Mapping[str, bytes]) -> dict[str, Any]:
    """ULTRA_PAGE: `aspect_ratio` for text-to-image only; with an `image`, `strength`."""
    body = _common(parameters, seed)
    if parameters.task == "image-to-image":
        return _image_to_image(parameters, inputs, body)
    return {**body, "aspect_ratio": parameters.aspect_ratio}


def _stability(
    model_id: str, name: str, description: str, page: str, body: BodyBuilder, **spec: Any
) -> ModelSpec:
    return ModelSpec(
        id=model_id,
        name=name,
        provider="Stability AI",
        description=description,
        max_prompt_chars=2000,  # the API's own bound; the models take 10,000
        negative_prompt=True,
        aspect_ratios=ASPECT_RATIOS,
        any_size=False,
        seeds=STABILITY_SEEDS,
        formats=IMAGE_FORMATS,
        max_images=STABILITY_MAX_IMAGES,
        guidance=None,  # not among the pages' body fields
        page=page,
        bedrock=Bedrock(
            on_demand_regions=frozenset({"us-west-2"}),
            profile_id=f"us.{model_id}",
            profile_regions=US_PROFILE_REGIONS,
            body=body,
        ),
        **spec,
    )


SD35_LARGE = _stability(
    "stability.sd3-5-large-v1:0",
    "Stable Diffusion 3.5 Large",
    "8 billion parameters, about one megapixel; text-to-image and image-to-image.",
    SD35_LARGE_PAGE,
    sd35_body,
    tasks=("text-to-image", "image-to-image"),
    strength=Range(0, 1, default=0.5),
    # "Minimum 64 pixels per side. Supported formats: jpeg, png, webp."
    inputs=InputLimits(IMAGE_FORMATS, 64, 16_384, 64 * 64, 9_437_184),
    price=Price(0.08, date(2026, 12, 6), _PRICE_SOURCE, verified=False),
)
STABLE_IMAGE_CORE = _stability(
    "stability.stable-image-core-v1:1",
    "Stable Image Core",
    "Fast and affordable text-to-image, about one and a half megapixels.",
    CORE_PAGE,
    core_body,
    tasks=("text-to-image",),
    strength=None,
    inputs=None,
    price=Price(0.04, date(2026, 12, 6), _PRICE_SOURCE, verified=False),
)
STABLE_IMAGE_ULTRA = _stability(
    "stability.stable-image-ultra-v1:1",
    "Stable Image Ultra",
    "Stability AI's highest quality text-to-image, about one megapixel; image-to-image too.",
    ULTRA_PAGE,
    ultra_body,
    tasks=("text-to-image", "image-to-image"),
    # "Range: 0.0 to 1.0. Default: 0.35"
    strength=Range(0, 1, default=0.35),
    # Formats from the page; sides and pixels from Stability's reference for Ultra.
    inputs=InputLimits(IMAGE_FORMATS, 64, 16_384, 4096, 9_437_184),
    price=Price(0.14, date(2026, 12, 6), _PRICE_SOURCE, verified=False),
)

CATALOGUE: dict[str, ModelSpec] = {
    spec.id: spec for spec in (BUILT_IN, SD35_LARGE, STABLE_IMAGE_CORE, STABLE_IMAGE_ULTRA)
}


def model_spec(model_id: str) -> ModelSpec:
    """The catalogue's entry; a `ValueError` naming the known models if there is none."""
    try:
        return CATALOGUE[model_id]
    except KeyError:
        raise ValueError(
            f"unknown model {model_id!r}; the catalogue has {', '.join(sorted(CATALOGUE))}"
        ) from None
