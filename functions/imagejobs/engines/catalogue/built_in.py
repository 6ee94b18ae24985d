"""The built-in renderer: no model, no network. What it draws is in engines/pillow."""

from __future__ import annotations

from datetime import date

from imagejobs.engines.base import (
    ASPECT_RATIOS,
    BUILT_IN_MODEL,
    DEFAULT_SIDE,
    IMAGE_FORMATS,
    MAX_SEED,
    AspectRatio,
)
from imagejobs.engines.catalogue.spec import (
    TEXT_TO_IMAGE,
    InputLimits,
    ModelSpec,
    Price,
    Range,
    TaskSpec,
)

# How strongly the prompt's colours dominate (engines/pillow/engine.py: apply_guidance).
BUILT_IN_GUIDANCE = Range(1.1, 10, default=6.5)
GROW_MASK = Range(0, 20, default=5)

BUILT_IN = ModelSpec(
    id=BUILT_IN_MODEL,
    name="Built-in renderer",
    provider="imagejobs",
    description="Draws the prompt's words as shapes and colours, and edits images with image"
    " algorithms, with no model and no network: fast, free and repeatable. For development"
    " and tests.",
    tasks={
        "text-to-image": TEXT_TO_IMAGE,
        "image-to-image": TaskSpec(numbers={"strength": Range(0, 1, default=0.5)}),
        "inpaint": TaskSpec(prompt="optional", mask=True, numbers={"grow_mask": GROW_MASK}),
        "erase": TaskSpec(prompt="none", mask=True, numbers={"grow_mask": GROW_MASK}),
        "outpaint": TaskSpec(
            prompt="optional",
            numbers={
                margin: Range(0, 2000, default=0) for margin in ("left", "right", "up", "down")
            },
            needs_margin=True,
            output="the input image plus the margins",
        ),
        "remove-background": TaskSpec(prompt="none", alpha=True),
        "upscale": TaskSpec(
            prompt="none", modes=("fast",), output="4 times the input's width and height"
        ),
        "search-and-recolor": TaskSpec(texts=("select_prompt",), numbers={"grow_mask": GROW_MASK}),
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
    inputs=InputLimits(IMAGE_FORMATS, 64, 4096, 64 * 64, 4096 * 4096, None),
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
