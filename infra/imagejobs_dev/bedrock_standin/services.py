"""The thirteen Stability AI Image Services: their bodies as pages.IMAGE_SERVICES documents them
(read 2026-12-06), and the size of what each returns.

The page does not give output sizes beyond "upscales them to 4K resolution" and "by 4 times";
the rest follows Stability's reference for the same services (pages.STABILITY_EDIT, _UPSCALE,
_CONTROL): recolor and sketch answer "the resolution of the input image", the conservative and
creative upscalers "4 megapixels", style transfer "1MP, with the same aspect ratio as the
init_image", style guide 1 MP at its `aspect_ratio`. Outpaint adds its margins. For inpaint,
erase and search-and-replace Stability's reference says "4 megapixels", which cannot hold for a
9.4 MP input they accept; the stand-in answers the input's size (recorded in
docs/bedrock-sources.md).
"""

from __future__ import annotations

from collections.abc import Callable

from imagejobs_dev.bedrock_standin import pages
from imagejobs_dev.bedrock_standin.images import ImageLimits, at_pixels
from imagejobs_dev.bedrock_standin.schema import Body, Field, choice, image, integer, number, text
from imagejobs_dev.bedrock_standin.spec import (
    ASPECT_RATIOS,
    FOUR_MEGAPIXELS,
    ONE_MEGAPIXEL,
    RATIO_SIZES,
    STYLE_PRESETS,
    ModelSpec,
    Output,
    Rule,
    check_spec,
    one_image_size,
    output_format,
    prompt,
    refuse,
    seed,
)

UPSCALE, EDIT, CONTROL = pages.UPSCALE, pages.EDIT, pages.CONTROL
SEED_MAX = 4_294_967_294  # "Range 0 to 4294967294. Default 0." on every service


def _limits(source: str) -> ImageLimits:
    """ "Every side of the image must be at least 64 pixels. The total pixel count cannot exceed
    9,437,184 pixels. Image aspect ratio must be between 1:2.5 and 2.5:1. Supported formats:
    jpeg, png, webp." (every edit and control service, and Conservative Upscale)"""
    return ImageLimits(source, min_side=64, max_pixels=9_437_184, max_aspect=2.5)


# The mask's own limits are not documented; it is an image like the others, and "In the event
# the mask is a different size than the image parameter, it will be automatically resized."
MASK = ImageLimits(EDIT)


def _common(source: str, *, style: bool = True, negative: bool = True) -> dict[str, Field]:
    fields: dict[str, Field] = {
        "seed": seed(source, SEED_MAX),
        "output_format": output_format(source),
    }
    if negative:
        fields["negative_prompt"] = text(source)
    if style:
        fields["style_preset"] = choice(source, *STYLE_PRESETS)
    return fields


def _grow_mask() -> Field:
    # "grow_mask - ... Range between 0 and 20. Default 5."
    return integer(EDIT, 0, 20, default=5)


def _mask_or_alpha(body: Body) -> None:
    """ "If you don't provide an explicit mask, one will be derived from the alpha channel of the
    image parameter." An image without alpha and no mask leaves nothing to inpaint or erase:
    the page does not say what Bedrock answers then; the stand-in refuses it."""
    if "mask" not in body and not body.images["image"].has_alpha:
        raise refuse("mask", "is required when the image has no alpha channel", EDIT)


def _same_size(body: Body) -> Output:
    return Output(one_image_size(body, "image"))


def _spec(
    page: str,
    fields: dict[str, Field],
    output: Callable[[Body], Output] = _same_size,
    rules: tuple[Rule, ...] = (),
    mask_fields: tuple[str, ...] = (),
) -> ModelSpec:
    return check_spec(ModelSpec(page, fields, rules, output, mask_fields))


# --------------------------------------------------------------------------- upscale


def _four_megapixels(body: Body) -> Output:
    picture = body.images["image"]
    return Output(at_pixels(picture.width, picture.height, FOUR_MEGAPIXELS))


CREATIVE_UPSCALE = _spec(
    UPSCALE,
    {
        "prompt": prompt(UPSCALE),
        # "Every side of the image must be at least 64 pixels. Total pixel count must be between
        # 4,096 and 1,048,576 pixels."
        "image": image(
            ImageLimits(UPSCALE, min_side=64, min_pixels=4_096, max_pixels=1_048_576), required=True
        ),
        "creativity": number(UPSCALE, 0.1, 0.5, default=0.3),
        **_common(UPSCALE),
    },
    output=_four_megapixels,
)

CONSERVATIVE_UPSCALE = _spec(
    UPSCALE,
    {
        "prompt": prompt(UPSCALE),
        "image": image(_limits(UPSCALE), required=True),
        "creativity": number(UPSCALE, 0.1, 0.5, default=0.35),
        **_common(UPSCALE, style=False),
    },
    output=_four_megapixels,
)


def _four_times(body: Body) -> Output:
    width, height = one_image_size(body, "image")
    return Output((4 * width, 4 * height))


FAST_UPSCALE = _spec(
    UPSCALE,
    {
        # "Width must be between 32 and 1,536 pixels. Height must be between 32 and 1,536
        # pixels. Total pixel count must be between 1,024 and 1,048,576 pixels."
        "image": image(
            ImageLimits(
                UPSCALE, min_side=32, max_side=1_536, min_pixels=1_024, max_pixels=1_048_576
            ),
            required=True,
        ),
        # Listed among the "required parameters", yet with "Default png": optional here.
        "output_format": output_format(UPSCALE),
    },
    # "Fast Upscale enhances image resolution by 4 times"
    output=_four_times,
)

# --------------------------------------------------------------------------- edit

INPAINT = _spec(
    EDIT,
    {
        "prompt": prompt(EDIT),
        "image": image(_limits(EDIT), required=True),
        "mask": image(MASK),
        "grow_mask": _grow_mask(),
        **_common(EDIT),
    },
    rules=(_mask_or_alpha,),
    mask_fields=("mask",),
)


def _outpaint_direction(body: Body) -> None:
    # "At least one outpaint direction: (left, right, up, or down) must be supplied with a
    # non-zero value."
    if not any(body.values.get(side, 0) for side in ("left", "right", "up", "down")):
        raise refuse("", "at least one of left, right, up, down must be non-zero", EDIT)


def _outpaint_output(body: Body) -> Output:
    picture = body.images["image"]
    left, right = body.values.get("left", 0), body.values.get("right", 0)
    up, down = body.values.get("up", 0), body.values.get("down", 0)
    size = (picture.width + left + right, picture.height + up + down)
    inset = None if picture.picture is None else (picture.picture, left, up)
    return Output(size, inset=inset)


OUTPAINT = _spec(
    EDIT,
    {
        "image": image(_limits(EDIT), required=True),
        "prompt": prompt(EDIT, required=False),
        "creativity": number(EDIT, 0.1, 1.0, default=0.5),  # "Range between 0.1 and 1.0."
        **{side: integer(EDIT, 0, 2_000, default=0) for side in ("left", "right", "up", "down")},
        **_common(EDIT, negative=False),
    },
    output=_outpaint_output,
    rules=(_outpaint_direction,),
)


def _search(prompt_field: str) -> ModelSpec:
    """Search and Recolor (`select_prompt`) and Search and Replace (`search_prompt`): "Short
    description of what to search for in the image. Maximum 10000 characters." """
    return _spec(
        EDIT,
        {
            "prompt": prompt(EDIT),
            "image": image(_limits(EDIT), required=True),
            prompt_field: text(EDIT, required=True),
            "grow_mask": _grow_mask(),
            **_common(EDIT),
        },
    )


SEARCH_RECOLOR = _search("select_prompt")
SEARCH_REPLACE = _search("search_prompt")

ERASE_OBJECT = _spec(
    EDIT,
    {
        "image": image(_limits(EDIT), required=True),
        "mask": image(MASK),
        "grow_mask": _grow_mask(),
        **_common(EDIT, style=False, negative=False),
    },
    rules=(_mask_or_alpha,),
    mask_fields=("mask",),
)

REMOVE_BACKGROUND = _spec(
    EDIT,
    {
        "image": image(_limits(EDIT), required=True),
        # "output_format ... Enum: jpeg, png, webp." (a JPEG cannot carry the alpha channel;
        # Stability's own reference offers png and webp only)
        "output_format": output_format(EDIT),
    },
    output=lambda body: Output(one_image_size(body, "image"), alpha=True),
)

# --------------------------------------------------------------------------- control


def _control() -> ModelSpec:
    return _spec(
        CONTROL,
        {
            "prompt": prompt(CONTROL),
            "image": image(_limits(CONTROL), required=True),
            "control_strength": number(CONTROL, 0, 1, default=0.7),
            **_common(CONTROL),
        },
    )


CONTROL_SKETCH = _control()
CONTROL_STRUCTURE = _control()

STYLE_GUIDE = _spec(
    CONTROL,
    {
        "prompt": prompt(CONTROL),
        "image": image(_limits(CONTROL), required=True),
        "aspect_ratio": choice(CONTROL, *ASPECT_RATIOS, default="1:1"),
        "fidelity": number(CONTROL, 0, 1, default=0.5),
        **_common(CONTROL),
    },
    output=lambda body: Output(RATIO_SIZES[body.values["aspect_ratio"]]),
)


def _style_transfer_output(body: Body) -> Output:
    picture = body.images["init_image"]
    return Output(at_pixels(picture.width, picture.height, ONE_MEGAPIXEL, multiple=64))


STYLE_TRANSFER = _spec(
    CONTROL,
    {
        "init_image": image(_limits(CONTROL), required=True),
        "style_image": image(_limits(CONTROL), required=True),
        "prompt": prompt(CONTROL, required=False),
        "composition_fidelity": number(CONTROL, 0, 1, default=0.9),
        "style_strength": number(CONTROL, 0, 1, default=1),
        "change_strength": number(CONTROL, 0.1, 1, default=0.9),
        **_common(CONTROL, style=False),
    },
    output=_style_transfer_output,
)
