"""The Pillow engine: validates a job's parameters, composes its scene once, then paints,
grades and encodes each image. Implements `ImageEngine`.

Image-to-image paints the prompt's picture at the input image's size and blends it over the
input by `strength` (0 keeps the input, 1 is the prompt's picture alone).

Guidance (a model's cfgScale, 1.1-10) is how strongly the prompt's colours dominate: None or
the default 6.5 leaves the picture exactly as it is (no extra pass), lower mutes its
saturation (to 0.35 at 1.1) and softens its contrast, higher saturates it (to 1.6 at 10) and
hardens it: one pass of a colour matrix over the pixels.
"""

from __future__ import annotations

import io
import time

from PIL import Image

from imagejobs.engines.base import Inputs, JobParameters, RenderedImage
from imagejobs.engines.catalogue import BUILT_IN_GUIDANCE
from imagejobs.engines.encoding import ENCODERS, encode
from imagejobs.engines.pillow import plain
from imagejobs.engines.pillow.scene import Scene, compose
from imagejobs.exceptions import PermanentEngineError

MAX_SIDE = 4096


class PillowRenderer:
    """Draws each image locally; no network, no model. Implements `ImageEngine`."""

    engine_id = "pillow"

    def render(self, parameters: JobParameters, inputs: Inputs) -> list[RenderedImage]:
        _validate(parameters)
        scene = compose(parameters.prompt, parameters.negative_prompt)
        start = _input_image(inputs["image"]) if parameters.task == "image-to-image" else None
        return [
            self._render_one(parameters, scene, parameters.seed + n, start)
            for n in range(parameters.num_images)
        ]

    @staticmethod
    def _render_one(
        parameters: JobParameters, scene: Scene, seed: int, start: Image.Image | None
    ) -> RenderedImage:
        started = time.perf_counter()
        width, height = start.size if start is not None else _size(parameters)
        if parameters.style == "none":
            image = plain.paint(scene, width, height, parameters.prompt, seed)
        else:
            # Imported on the first styled render: a worker that never renders one does not
            # pay for the presets at cold start.
            from imagejobs.engines.pillow.styles import paint_styled

            image = paint_styled(
                parameters.style,
                scene,
                width,
                height,
                parameters.prompt,
                seed,
                parameters.negative_prompt,
            )
        image = apply_guidance(image, parameters.guidance)
        if start is not None:
            strength = parameters.strength if parameters.strength is not None else 0.5
            image = Image.blend(start, image.convert("RGB"), strength)
        return RenderedImage(
            data=encode(image, parameters.image_format, parameters.quality),
            width=width,
            height=height,
            image_format=parameters.image_format,
            seed=seed,
            seconds=time.perf_counter() - started,
        )


def _size(parameters: JobParameters) -> tuple[int, int]:
    if parameters.width is None or parameters.height is None:
        raise PermanentEngineError("the built-in renderer needs a width and a height")
    return parameters.width, parameters.height


def _input_image(data: bytes) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except OSError as error:
        raise PermanentEngineError("the input image cannot be read") from error
    return image.convert("RGB")


# Guidance as colour: the saturation at the lowest and the highest guidance, and how far the
# contrast moves with it.
MUTED_SATURATION = 0.35
VIVID_SATURATION = 1.6
CONTRAST_SWING = 0.2
LUMA = (0.299, 0.587, 0.114)  # ITU-R 601, as Pillow's own conversion to grey


def apply_guidance(image: Image.Image, guidance: float | None) -> Image.Image:
    """How strongly the prompt's colours dominate: the default guidance leaves the picture
    untouched (no pass at all), lower mutes and flattens it, higher saturates and hardens it."""
    span = BUILT_IN_GUIDANCE
    default = span.default or span.low
    if guidance is None or guidance == default:
        return image
    if guidance < default:
        strength = max(-1.0, (guidance - default) / (default - span.low))
        saturation = 1 + (1 - MUTED_SATURATION) * strength
    else:
        strength = min(1.0, (guidance - default) / (span.high - default))
        saturation = 1 + (VIVID_SATURATION - 1) * strength
    # Both in one pass of a colour matrix: each channel mixed with the pixel's luma (saturation),
    # then stretched about mid-grey (contrast).
    contrast = 1 + CONTRAST_SWING * strength
    matrix: list[float] = []
    for channel in range(3):
        row = [contrast * (1 - saturation) * weight for weight in LUMA]
        row[channel] += contrast * saturation
        matrix += [*row, 128 * (1 - contrast)]
    return image.convert("RGB", tuple(matrix))


def _validate(parameters: JobParameters) -> None:
    """Parameters no retry can fix fail permanently, so the job fails at once."""
    for side, value in (("width", parameters.width), ("height", parameters.height)):
        if value is not None and not 1 <= value <= MAX_SIDE:
            raise PermanentEngineError(f"{side} {value} is outside 1..{MAX_SIDE} pixels")
    if parameters.image_format not in ENCODERS:
        raise PermanentEngineError(f"unsupported image format {parameters.image_format!r}")
    if parameters.num_images < 1:
        raise PermanentEngineError(f"num_images must be at least 1, not {parameters.num_images}")
