"""The built-in renderer: no model, no network. What it draws is in engines/pillow, and how it
edits images in engines/pillow/edits.

It does each edit an image algorithm can do honestly. Those that need to recognise things from
words (search-and-replace: "the mug"), or a model's sense of style (style-guide,
style-transfer), are not among its tasks: submit refuses them with a 422 naming `task`, and a
Stability AI Image Service on Bedrock does them. Its search-and-recolor selects by colour, so
its select_prompt must name one.
"""

from __future__ import annotations

from datetime import date

from imagejobs.engines.base import (
    ASPECT_RATIOS,
    BUILT_IN_MODEL,
    DEFAULT_SIDE,
    IMAGE_FORMATS,
    MAX_SEED,
    AspectRatio,
    JobParameters,
)
from imagejobs.engines.catalogue.services import FAST_UPSCALE_INPUTS
from imagejobs.engines.catalogue.spec import (
    MARGINS,
    TEXT_TO_IMAGE,
    InputLimits,
    ModelSpec,
    Price,
    Range,
    TaskSpec,
    Violation,
)
from imagejobs.engines.colour_words import named_shade

# How strongly the prompt's colours dominate (engines/pillow/picture.py: apply_guidance).
BUILT_IN_GUIDANCE = Range(1.1, 10, default=6.5)
GROW_MASK = Range(0, 20, default=5)
# What it takes in, and the largest side it draws.
INPUTS = InputLimits(IMAGE_FORMATS, 64, 4096, 64 * 64, 4096 * 4096, None)


def _upscalable(parameters: JobParameters) -> Violation | None:
    """A x4 upscale takes what Stability's Fast Upscale takes, so a job that runs here runs
    there too, and its result stays within 16.8 megapixels."""
    image = parameters.image
    if image is None or (problem := FAST_UPSCALE_INPUTS.problem(image.width, image.height)) is None:
        return None
    return Violation("image", f"for a x4 upscale on the built-in renderer, {problem}")


def _outpainted_fits(parameters: JobParameters) -> Violation | None:
    """The image and its margins within the largest side the renderer draws."""
    image = parameters.image
    if image is None:
        return None
    for axis, side, margins in (
        ("width", image.width, MARGINS[:2]),
        ("height", image.height, MARGINS[2:]),
    ):
        added = {margin: getattr(parameters, margin) or 0 for margin in margins}
        if side + sum(added.values()) > INPUTS.max_side:
            return Violation(
                max(added, key=added.__getitem__),
                f"the outpainted {axis} would be {side + sum(added.values())} pixels; the"
                f" built-in renderer draws at most {INPUTS.max_side}",
            )
    return None


def _names_a_colour(parameters: JobParameters) -> Violation | None:
    """Without a model it cannot find things by name, only by colour."""
    if parameters.select_prompt is None or named_shade(parameters.select_prompt) is not None:
        return None
    return Violation(
        "select_prompt",
        "the built-in renderer selects what to recolor by its colour: name one, such as red,"
        " blue, white or black (a model finds things by name)",
    )


BUILT_IN = ModelSpec(
    id=BUILT_IN_MODEL,
    name="Built-in renderer",
    provider="imagejobs",
    description="Draws the prompt's words as shapes and colours, and edits images with image"
    " algorithms, with no model and no network: fast, free and repeatable. It finds things by"
    " colour, not by name: its search-and-recolor's select_prompt names a colour. For"
    " development and tests.",
    tasks={
        "text-to-image": TEXT_TO_IMAGE,
        "image-to-image": TaskSpec(numbers={"strength": Range(0, 1, default=0.5)}),
        "inpaint": TaskSpec(prompt="optional", mask=True, numbers={"grow_mask": GROW_MASK}),
        "erase": TaskSpec(prompt="none", mask=True, numbers={"grow_mask": GROW_MASK}, seeded=False),
        "outpaint": TaskSpec(
            prompt="optional",
            numbers={
                margin: Range(0, 2000, default=0) for margin in ("left", "right", "up", "down")
            },
            needs_margin=True,
            output="the input image plus the margins, at most 4096 pixels a side",
            rules=(_outpainted_fits,),
        ),
        "remove-background": TaskSpec(prompt="none", alpha=True, seeded=False),
        "upscale": TaskSpec(
            prompt="none",
            modes=("fast",),
            seeded=False,
            output="4 times the input's width and height; the input at most 1,048,576 pixels",
            rules=(_upscalable,),
        ),
        "search-and-recolor": TaskSpec(
            texts=("select_prompt",),
            numbers={"grow_mask": GROW_MASK},
            rules=(_names_a_colour,),
            seeded=False,
        ),
        "control-sketch": TaskSpec(numbers={"control_strength": Range(0, 1, default=0.7)}),
        "control-structure": TaskSpec(numbers={"control_strength": Range(0, 1, default=0.7)}),
    },
    max_prompt_chars=2000,
    negative_prompt=True,
    aspect_ratios=ASPECT_RATIOS,
    any_size=True,
    seeds=Range(0, MAX_SEED),
    formats=IMAGE_FORMATS,
    max_images=4,
    guidance=BUILT_IN_GUIDANCE,
    inputs=INPUTS,
    price=Price(0.0, date(2026, 12, 6), "built in: no model is paid for", verified=True),
    page="functions/imagejobs/engines/pillow",
    style_in_prompt=False,
)


def size_for(ratio: AspectRatio, area: int = DEFAULT_SIDE * DEFAULT_SIDE) -> tuple[int, int]:
    """The built-in renderer's size for an aspect ratio: about `area` pixels, sides in whole
    multiples of 8, as close to the ratio as that allows."""
    across, down = map(int, ratio.split(":"))
    unit = (area / (across * down)) ** 0.5
    return max(8, round(across * unit / 8) * 8), max(8, round(down * unit / 8) * 8)
