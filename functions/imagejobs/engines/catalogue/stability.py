"""Stability AI's generation models on Amazon Bedrock: Stable Diffusion 3.5 Large, Stable Image
Core and Stable Image Ultra. Read at their pages on 2026-12-06.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import date
from typing import Any, NamedTuple

from imagejobs.engines.base import ASPECT_RATIOS, IMAGE_FORMATS, MAX_SEED, JobParameters
from imagejobs.engines.catalogue.spec import (
    TEXT_TO_IMAGE,
    Bedrock,
    BodyBuilder,
    InputLimits,
    ModelSpec,
    Price,
    Range,
    TaskSpec,
)
from imagejobs.engines.styles import styled_prompt

PAGES = "https://docs.aws.amazon.com/bedrock/latest/userguide/"
SD35_LARGE_PAGE = PAGES + "model-parameters-diffusion-3-5-large.html"
CORE_PAGE = PAGES + "model-parameters-diffusion-stable-image-core-text-image-request-response.html"
ULTRA_PAGE = PAGES + "model-parameters-diffusion-stable-ultra-text-image-request-response.html"
# The Regions of the models' `us.` cross-Region inference profiles (model-cards-stability-ai.html;
# the profiles' ids and Regions are on each model's card).
US_PROFILE_REGIONS = frozenset({"us-east-1", "us-east-2", "us-west-2"})
# Not on AWS's price page as read here (it renders its prices in the browser); these are the
# per-image figures public price tables carried on 2026-12-06. Verify before relying on them.
PRICE_SOURCE = "public price tables, 2026-12-06; verify at https://aws.amazon.com/bedrock/pricing/"
# "Range 0 to 4294967294. Default 0 (random seed)": 0 asks for a random seed, so a job's seed
# starts at 1, and stays within what every model here can replay.
STABILITY_SEEDS = Range(1, MAX_SEED)
# Every model here answers 1 image a call; a job's images are that many calls.
STABILITY_MAX_IMAGES = 4
IMAGE_TO_IMAGE_OUTPUT = "about one megapixel, in the input image's shape"


def common_body(parameters: JobParameters, seed: int) -> dict[str, Any]:
    """The fields every Stability model takes: the prompt (with the style's words), the seed,
    PNG (the service re-encodes to the job's format: PNG loses nothing first), and the
    negative prompt when there is one."""
    body: dict[str, Any] = {"seed": seed, "output_format": "png"}
    if parameters.prompt is not None:
        body["prompt"] = styled_prompt(parameters.prompt, parameters.style)
    if parameters.negative_prompt:
        body["negative_prompt"] = parameters.negative_prompt
    return body


def encoded(inputs: Mapping[str, bytes], name: str = "image") -> str:
    return base64.b64encode(inputs[name]).decode()


def sd35_body(parameters: JobParameters, seed: int, inputs: Mapping[str, bytes]) -> dict[str, Any]:
    """SD35_LARGE_PAGE: `mode` text-to-image with `aspect_ratio` (valid for text-to-image
    only), or image-to-image with `image` and `strength` (both required there)."""
    body = common_body(parameters, seed)
    if parameters.task == "image-to-image":
        image = {"image": encoded(inputs), "strength": parameters.strength}
        return {**body, "mode": "image-to-image", **image}
    return {**body, "mode": "text-to-image", "aspect_ratio": parameters.aspect_ratio}


def core_body(parameters: JobParameters, seed: int, inputs: Mapping[str, bytes]) -> dict[str, Any]:
    """CORE_PAGE: text-to-image only."""
    return {**common_body(parameters, seed), "aspect_ratio": parameters.aspect_ratio}


def ultra_body(parameters: JobParameters, seed: int, inputs: Mapping[str, bytes]) -> dict[str, Any]:
    """ULTRA_PAGE: `aspect_ratio` for text-to-image only; with an `image`, `strength`."""
    body = common_body(parameters, seed)
    if parameters.task == "image-to-image":
        return {**body, "image": encoded(inputs), "strength": parameters.strength}
    return {**body, "aspect_ratio": parameters.aspect_ratio}


class About(NamedTuple):
    """A model's name and what it is for, as GET /models shows them."""

    name: str
    description: str


def stability_model(
    model_id: str,
    about: About,
    page: str,
    body: BodyBuilder,
    *,
    on_demand: frozenset[str] = frozenset({"us-west-2"}),
    **spec: Any,
) -> ModelSpec:
    """A Stability model's entry: what every one of them shares."""
    return ModelSpec(
        id=model_id,
        name=about.name,
        provider="Stability AI",
        description=about.description,
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
            on_demand_regions=on_demand,
            profile_id=f"us.{model_id}",
            profile_regions=US_PROFILE_REGIONS,
            body=body,
        ),
        **spec,
    )


def _image_to_image(strength: float) -> TaskSpec:
    """Image-to-image on a generator: `strength` in [0, 1] (its default as the model's page
    says) is how far the output may move from the input."""
    return TaskSpec(
        numbers={"strength": Range(0, 1, default=strength)}, output=IMAGE_TO_IMAGE_OUTPUT
    )


SD35_LARGE = stability_model(
    "stability.sd3-5-large-v1:0",
    About(
        "Stable Diffusion 3.5 Large",
        "8 billion parameters, about one megapixel; text-to-image and image-to-image.",
    ),
    SD35_LARGE_PAGE,
    sd35_body,
    tasks={
        "text-to-image": TEXT_TO_IMAGE,
        # "image-to-image requires the prompt, image, and strength parameters"; "Range 0 to 1"
        "image-to-image": _image_to_image(strength=0.5),
    },
    # "Minimum 64 pixels per side. Supported formats: jpeg, png, webp." (no upper bound given:
    # the Image Services' 9,437,184 pixels is taken as the ceiling)
    inputs=InputLimits(IMAGE_FORMATS, 64, 16_384, 64 * 64, 9_437_184),
    price=Price(0.08, date(2026, 12, 6), PRICE_SOURCE, verified=False),
)
STABLE_IMAGE_CORE = stability_model(
    "stability.stable-image-core-v1:1",
    About("Stable Image Core", "Fast and affordable text-to-image, about 1.5 megapixels."),
    CORE_PAGE,
    core_body,
    tasks={"text-to-image": TEXT_TO_IMAGE},
    inputs=None,
    price=Price(0.04, date(2026, 12, 6), PRICE_SOURCE, verified=False),
)
STABLE_IMAGE_ULTRA = stability_model(
    "stability.stable-image-ultra-v1:1",
    About(
        "Stable Image Ultra",
        "Stability AI's highest quality text-to-image, about one megapixel; image-to-image too.",
    ),
    ULTRA_PAGE,
    ultra_body,
    tasks={
        "text-to-image": TEXT_TO_IMAGE,
        # "strength ... Range: 0.0 to 1.0. Default: 0.35"
        "image-to-image": _image_to_image(strength=0.35),
    },
    # Formats from the page; sides and pixels from Stability's reference for Ultra.
    inputs=InputLimits(IMAGE_FORMATS, 64, 16_384, 4096, 9_437_184),
    price=Price(0.14, date(2026, 12, 6), PRICE_SOURCE, verified=False),
)

GENERATORS = (SD35_LARGE, STABLE_IMAGE_CORE, STABLE_IMAGE_ULTRA)
