"""Stable Diffusion 3.5 Large, Stable Image Core and Stable Image Ultra: their bodies as the AWS
pages document them (pages.SD35_LARGE, pages.IMAGE_CORE, pages.IMAGE_ULTRA, read 2026-12-06).

Only the keys a page lists are accepted: Stability's own API takes more (cfg_scale,
style_preset, model, ...), but whether Bedrock forwards them is not documented, so a client
that sends them is told so here rather than in production.
"""

from __future__ import annotations

from imagejobs_dev.bedrock_standin import pages
from imagejobs_dev.bedrock_standin.images import ImageLimits, at_pixels
from imagejobs_dev.bedrock_standin.schema import Body, Field, choice, image, number, text
from imagejobs_dev.bedrock_standin.spec import (
    ASPECT_RATIOS,
    ONE_MEGAPIXEL,
    RATIO_SIZES,
    ModelSpec,
    Output,
    check_spec,
    output_format,
    prompt,
    refuse,
    seed,
)

TEXT_TO_IMAGE = "text-to-image"
IMAGE_TO_IMAGE = "image-to-image"


def _generator_fields(page: str, max_seed: int, *formats: str) -> dict[str, Field]:
    """The fields every generator's page lists: a prompt, an aspect ratio (1:1 by default), an
    output format (`formats`, else every one), a seed up to `max_seed` and a negative prompt."""
    return {
        "prompt": prompt(page),
        "aspect_ratio": choice(page, *ASPECT_RATIOS, default="1:1"),
        "output_format": output_format(page, *formats),
        "seed": seed(page, max_seed),
        "negative_prompt": text(page),
    }


# --------------------------------------------------------------------------- SD3.5 Large

SD35 = pages.SD35_LARGE
# "image (string) - Base64-encoded input image. Minimum 64 pixels per side. Supported formats:
# jpeg, png, webp." No upper bound is documented (nor on Stability's sd3 reference).
SD35_IMAGE = ImageLimits(SD35, min_side=64)


def _sd35_mode(body: Body) -> str:
    """The page's mode: "image-to-image requires the prompt, image, and strength parameters".
    Its own image-to-image example sends prompt, image and strength without `mode`, so an image
    without a mode is image-to-image too."""
    if "mode" in body:
        return str(body.values["mode"])
    return IMAGE_TO_IMAGE if "image" in body else TEXT_TO_IMAGE


def _sd35_combinations(body: Body) -> None:
    mode = _sd35_mode(body)
    if mode == IMAGE_TO_IMAGE:
        for required in ("image", "strength"):
            if required not in body:
                raise refuse("", f"required key [{required}] not found (mode {mode})", SD35)
        if "aspect_ratio" in body:
            # "aspect_ratio (string) - ... Valid for text-to-image requests only."
            raise refuse("aspect_ratio", "is valid for text-to-image requests only", SD35)
    else:
        for name in ("image", "strength"):
            if name in body:
                raise refuse(name, "is valid for image-to-image requests only", SD35)


def _output(body: Body, image_to_image: bool) -> Output:
    """Text-to-image: the ratio's size. Image-to-image: about 1 MP in the input's shape
    (pages.STABILITY_SD3, pages.STABILITY_ULTRA: "The resolution of the generated image will be
    1MP"; the shape of an image-to-image result follows its input)."""
    if image_to_image:
        picture = body.images["image"]
        return Output(at_pixels(picture.width, picture.height, ONE_MEGAPIXEL, multiple=64))
    return Output(RATIO_SIZES[body.values["aspect_ratio"]])


def _sd35_output(body: Body) -> Output:
    return _output(body, _sd35_mode(body) == IMAGE_TO_IMAGE)


SD35_LARGE = check_spec(
    ModelSpec(
        page=SD35,
        fields={
            **_generator_fields(SD35, 4_294_967_294),
            "mode": choice(SD35, TEXT_TO_IMAGE, IMAGE_TO_IMAGE),
            "image": image(SD35_IMAGE),
            "strength": number(SD35, 0, 1),
        },
        rules=(_sd35_combinations,),
        output=_sd35_output,
    )
)

# --------------------------------------------------------------------------- Stable Image Core

CORE = pages.IMAGE_CORE

STABLE_IMAGE_CORE = check_spec(
    ModelSpec(
        page=CORE,
        # "output_format - ... Supported formats: JPEG, PNG." (no WebP on Bedrock's page);
        # "seed ... Range: 0 to 4294967295."
        fields=_generator_fields(CORE, 4_294_967_295, "jpeg", "png"),
        rules=(),
        output=lambda body: Output(RATIO_SIZES[body.values["aspect_ratio"]]),
    )
)

# --------------------------------------------------------------------------- Stable Image Ultra

ULTRA = pages.IMAGE_ULTRA
# The AWS page gives only "Supported formats: JPEG, PNG, WebP"; Stability's reference for the
# same model adds "Width must be between 64 and 16,384 pixels ... Total pixel count must be at
# least 4,096 pixels" (pages.STABILITY_ULTRA).
ULTRA_IMAGE = ImageLimits(pages.STABILITY_ULTRA, min_side=64, max_side=16_384, min_pixels=4_096)


def _ultra_combinations(body: Body) -> None:
    if "image" in body and "aspect_ratio" in body:
        # "aspect_ratio - ... This parameter is only valid for text-to-image requests."
        raise refuse("aspect_ratio", "is only valid for text-to-image requests", ULTRA)
    if "strength" in body and "image" not in body:
        # `strength` is listed only among the image-to-image fields, as "How much influence the
        # image parameter has"; without an image it has nothing to act on.
        raise refuse("strength", "is valid only with an image (image-to-image)", ULTRA)


def _ultra_output(body: Body) -> Output:
    return _output(body, "image" in body)


STABLE_IMAGE_ULTRA = check_spec(
    ModelSpec(
        page=ULTRA,
        fields={
            **_generator_fields(ULTRA, 4_294_967_295, "jpeg", "png"),
            "mode": choice(ULTRA, TEXT_TO_IMAGE),  # "Enum: text-to-image."
            "image": image(ULTRA_IMAGE),
            "strength": number(ULTRA, 0, 1, default=0.35),  # "Range: 0.0 to 1.0. Default: 0.35."
        },
        rules=(_ultra_combinations,),
        output=_ultra_output,
    )
)
