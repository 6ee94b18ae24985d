"""The Stability AI Image Services on Amazon Bedrock: edit, control and upscale.

Every fact is from https://docs.aws.amazon.com/bedrock/latest/userguide/stable-image-services.html
(read 2026-12-06), where each service's body is listed; output sizes the page does not give come
from Stability's own API reference for the same service. The services are called through their
`us.` cross-Region inference profile only (every example on the page does; a bare id is refused
for on-demand use), from us-east-1, us-east-2 and us-west-2.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from imagejobs.engines.base import IMAGE_FORMATS, JobParameters, Task, UpscaleMode
from imagejobs.engines.catalogue.spec import (
    BodyBuilder,
    InputLimits,
    ModelSpec,
    Price,
    Range,
    TaskSpec,
)
from imagejobs.engines.catalogue.stability import About, common_body, encoded, stability_model

PAGE = "https://docs.aws.amazon.com/bedrock/latest/userguide/stable-image-services.html"
# "Every side of the image must be at least 64 pixels. The total pixel count cannot exceed
# 9,437,184 pixels. Image aspect ratio must be between 1:2.5 and 2.5:1. Supported formats:
# jpeg, png, webp." (every edit and control service, and Conservative Upscale)
USUAL_LIMITS = InputLimits(IMAGE_FORMATS, 64, 9_437_184 // 64, 64 * 64, 9_437_184, 2.5)
# Subscribing to one service enrolls an account in all thirteen; no per-image price was found
# at the source or in public price tables on 2026-12-06.
NO_PRICE = Price(
    None, date(2026, 12, 6), "not found; see https://aws.amazon.com/bedrock/pricing/", False
)
# "Width must be between 32 and 1,536 pixels. Height must be between 32 and 1,536 pixels. Total
# pixel count must be between 1,024 and 1,048,576 pixels." (Fast Upscale)
FAST_UPSCALE_INPUTS = InputLimits(IMAGE_FORMATS, 32, 1536, 1024, 1_048_576)
PROFILE_ONLY = frozenset[str]()
GROW_MASK = Range(0, 20, default=5)


def _with(parameters: JobParameters, names: tuple[str, ...]) -> dict[str, Any]:
    """The job's values of `names` that are set."""
    return {
        name: getattr(parameters, name) for name in names if getattr(parameters, name) is not None
    }


def _edit_body(*names: str, mask: bool = False) -> BodyBuilder:
    """A body builder for a service that takes the image, the common fields, and `names`."""

    def body(parameters: JobParameters, seed: int, inputs: Mapping[str, bytes]) -> dict[str, Any]:
        built = {
            **common_body(parameters, seed),
            "image": encoded(inputs),
            **_with(parameters, names),
        }
        if mask and "mask" in inputs:
            built["mask"] = encoded(inputs, "mask")
        if parameters.task == "remove-background":
            # The answer keeps its transparency only as PNG or WebP.
            built = {"image": built["image"], "output_format": parameters.image_format}
        return built

    return body


def _style_transfer(
    parameters: JobParameters, seed: int, inputs: Mapping[str, bytes]
) -> dict[str, Any]:
    return {
        **common_body(parameters, seed),
        "init_image": encoded(inputs),
        "style_image": encoded(inputs, "style_image"),
    }


def _fast_upscale(
    parameters: JobParameters, seed: int, inputs: Mapping[str, bytes]
) -> dict[str, Any]:
    # "image" is required; "output_format" has a default; the service takes nothing else.
    return {"image": encoded(inputs), "output_format": "png"}


def _service(
    model_id: str, about: About, task: Task, spec: TaskSpec, body: BodyBuilder, **extra: Any
) -> ModelSpec:
    return stability_model(
        model_id,
        about,
        PAGE,
        body,
        on_demand=PROFILE_ONLY,
        tasks={task: spec},
        inputs=extra.pop("inputs", USUAL_LIMITS),
        price=NO_PRICE,
        **extra,
    )


def _search(model_id: str, about: About, task: Task, text: str) -> ModelSpec:
    """A service that finds what the text field `text` names in the image, then changes it."""
    spec = TaskSpec(texts=(text,), numbers={"grow_mask": GROW_MASK})
    return _service(model_id, about, task, spec, _edit_body(text, "grow_mask"))


def _control(model_id: str, about: About, task: Task) -> ModelSpec:
    """A control service: draws the prompt guided by an image, as strongly as control_strength."""
    spec = TaskSpec(numbers={"control_strength": Range(0, 1, default=0.7)})
    return _service(model_id, about, task, spec, _edit_body("control_strength"))


def _upscale_to_4_megapixels(
    model_id: str, about: About, mode: UpscaleMode, *, creativity: float, **extra: Any
) -> ModelSpec:
    """The conservative and creative upscales: about 4 MP out, `creativity` their default."""
    spec = TaskSpec(
        modes=(mode,),
        numbers={"creativity": Range(0.1, 0.5, default=creativity)},
        output="about 4 megapixels, in the input image's shape",
    )
    return _service(model_id, about, "upscale", spec, _edit_body("creativity"), **extra)


INPAINT = _service(
    "stability.stable-image-inpaint-v1:0",
    About(
        "Stable Image Inpaint",
        "Repaints the masked part of an image (or its transparent part) from the prompt.",
    ),
    "inpaint",
    TaskSpec(mask=True, numbers={"grow_mask": GROW_MASK}),
    _edit_body("grow_mask", mask=True),
)
OUTPAINT = _service(
    "stability.stable-outpaint-v1:0",
    About(
        "Stable Image Outpaint",
        "Extends an image by the margins asked for, inventing what lies beyond.",
    ),
    "outpaint",
    TaskSpec(
        prompt="optional",
        negative_prompt=False,
        numbers={
            **{margin: Range(0, 2000, default=0) for margin in ("left", "right", "up", "down")},
            "creativity": Range(0.1, 1.0, default=0.5),
        },
        needs_margin=True,
        output="the input image plus the margins",
    ),
    _edit_body("left", "right", "up", "down", "creativity"),
)


SEARCH_AND_REPLACE = _search(
    "stability.stable-image-search-replace-v1:0",
    About(
        "Stable Image Search and Replace",
        "Finds what search_prompt names in the image and replaces it with the prompt.",
    ),
    "search-and-replace",
    "search_prompt",
)
SEARCH_AND_RECOLOR = _search(
    "stability.stable-image-search-recolor-v1:0",
    About(
        "Stable Image Search and Recolor",
        "Finds what select_prompt names in the image and recolors it as the prompt says.",
    ),
    "search-and-recolor",
    "select_prompt",
)
ERASE = _service(
    "stability.stable-image-erase-object-v1:0",
    About(
        "Stable Image Erase Object",
        "Removes the masked part of an image (or its transparent part), filling it in.",
    ),
    "erase",
    TaskSpec(prompt="none", mask=True, numbers={"grow_mask": GROW_MASK}),
    _edit_body("grow_mask", mask=True),
)
REMOVE_BACKGROUND = _service(
    "stability.stable-image-remove-background-v1:0",
    About(
        "Stable Image Remove Background",
        "Cuts the subject out of its background: the background becomes transparent.",
    ),
    "remove-background",
    # No seed among its fields: every image of a job would be the same.
    TaskSpec(prompt="none", alpha=True, seeded=False),
    _edit_body(),
)
CONTROL_SKETCH = _control(
    "stability.stable-image-control-sketch-v1:0",
    About("Stable Image Control Sketch", "Draws the prompt following a sketch's lines."),
    "control-sketch",
)
CONTROL_STRUCTURE = _control(
    "stability.stable-image-control-structure-v1:0",
    About("Stable Image Control Structure", "Draws the prompt keeping an image's structure."),
    "control-structure",
)
STYLE_GUIDE = _service(
    "stability.stable-image-style-guide-v1:0",
    About(
        "Stable Image Style Guide",
        "Draws the prompt in the style of an image, in one of the aspect ratios.",
    ),
    "style-guide",
    TaskSpec(
        aspect_ratio=True,
        numbers={"fidelity": Range(0, 1, default=0.5)},
        output="about one megapixel, in the aspect ratio",
    ),
    _edit_body("aspect_ratio", "fidelity"),
)
STYLE_TRANSFER = _service(
    "stability.stable-style-transfer-v1:0",
    About("Stable Style Transfer", "Repaints an image in the style of another."),
    "style-transfer",
    TaskSpec(
        images=("image", "style_image"),
        prompt="optional",
        output="about one megapixel, in the input image's shape",
    ),
    _style_transfer,
)
FAST_UPSCALE = _service(
    "stability.stable-fast-upscale-v1:0",
    About("Stable Fast Upscale", "Four times the width and height, fast."),
    "upscale",
    TaskSpec(
        prompt="none", modes=("fast",), output="4 times the input's width and height", seeded=False
    ),
    _fast_upscale,
    inputs=FAST_UPSCALE_INPUTS,
)
CONSERVATIVE_UPSCALE = _upscale_to_4_megapixels(
    "stability.stable-conservative-upscale-v1:0",
    About("Stable Conservative Upscale", "To about 4 megapixels, keeping the image as it is."),
    "conservative",
    creativity=0.35,
)
CREATIVE_UPSCALE = _upscale_to_4_megapixels(
    "stability.stable-creative-upscale-v1:0",
    About("Stable Creative Upscale", "To about 4 megapixels, re-imagining detail from the prompt."),
    "creative",
    creativity=0.3,
    # "sides >= 64; 4,096-1,048,576 pixels"
    inputs=InputLimits(IMAGE_FORMATS, 64, 1_048_576 // 64, 4096, 1_048_576),
)

SERVICES = (
    INPAINT,
    OUTPAINT,
    SEARCH_AND_REPLACE,
    SEARCH_AND_RECOLOR,
    ERASE,
    REMOVE_BACKGROUND,
    CONTROL_SKETCH,
    CONTROL_STRUCTURE,
    STYLE_GUIDE,
    STYLE_TRANSFER,
    FAST_UPSCALE,
    CONSERVATIVE_UPSCALE,
    CREATIVE_UPSCALE,
)
