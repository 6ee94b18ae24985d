"""The Pillow engine: validates a job's parameters, composes its scene once, then paints,
grades and encodes each image. Implements `ImageEngine`.

Image-to-image paints the prompt's picture (`picture`) at the input image's size and blends it
over the input by `strength` (0 keeps the input, 1 is the prompt's picture alone). Every other
edit is `edits.edit`'s, imported on a job's first edit.
"""

from __future__ import annotations

import io

from PIL import Image

from imagejobs.engines.base import Inputs, JobParameters, RenderedImage
from imagejobs.engines.encoding import ENCODERS, encode
from imagejobs.engines.pillow.picture import paint_prompt
from imagejobs.engines.pillow.scene import Scene, compose
from imagejobs.exceptions import PermanentEngineError

MAX_SIDE = 4096


class PillowRenderer:
    """Draws each image locally; no network, no model. Implements `ImageEngine`."""

    engine_id = "pillow"

    def render(self, parameters: JobParameters, inputs: Inputs) -> list[RenderedImage]:
        _validate(parameters)
        if parameters.task not in ("text-to-image", "image-to-image"):
            return self._edit(parameters, inputs)
        scene = compose(parameters.prompt or "", parameters.negative_prompt)
        start = _input_image(inputs["image"]) if parameters.task == "image-to-image" else None
        return [
            self._render_one(parameters, scene, parameters.seed + n, start)
            for n in range(parameters.num_images)
        ]

    @staticmethod
    def _edit(parameters: JobParameters, inputs: Inputs) -> list[RenderedImage]:
        # Imported on the first edit: a worker that only draws does not pay for the edits.
        from imagejobs.engines.pillow.edits import edit

        images = {name: _opened(data) for name, data in inputs.items()}
        rendered = []
        for n in range(parameters.num_images):
            image = edit(parameters, images, parameters.seed + n)
            rendered.append(
                RenderedImage(
                    data=encode(image, parameters.image_format, parameters.quality),
                    width=image.width,
                    height=image.height,
                    image_format=parameters.image_format,
                    seed=parameters.seed + n,
                )
            )
        return rendered

    @staticmethod
    def _render_one(
        parameters: JobParameters, scene: Scene, seed: int, start: Image.Image | None
    ) -> RenderedImage:
        width, height = start.size if start is not None else _size(parameters)
        image = paint_prompt(parameters, scene, (width, height), seed)
        if start is not None:
            strength = parameters.strength if parameters.strength is not None else 0.5
            image = Image.blend(start, image.convert("RGB"), strength)
        return RenderedImage(
            data=encode(image, parameters.image_format, parameters.quality),
            width=width,
            height=height,
            image_format=parameters.image_format,
            seed=seed,
        )


def _size(parameters: JobParameters) -> tuple[int, int]:
    if parameters.width is None or parameters.height is None:
        raise PermanentEngineError("the built-in renderer needs a width and a height")
    return parameters.width, parameters.height


def _opened(data: bytes) -> Image.Image:
    """An input image as submit stored it (a PNG, RGB or RGBA)."""
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except OSError as error:
        raise PermanentEngineError("an input image cannot be read") from error
    return image


def _input_image(data: bytes) -> Image.Image:
    return _opened(data).convert("RGB")


def _validate(parameters: JobParameters) -> None:
    """Parameters no retry can fix fail permanently, so the job fails at once."""
    for side, value in (("width", parameters.width), ("height", parameters.height)):
        if value is not None and not 1 <= value <= MAX_SIDE:
            raise PermanentEngineError(f"{side} {value} is outside 1..{MAX_SIDE} pixels")
    if parameters.image_format not in ENCODERS:
        raise PermanentEngineError(f"unsupported image format {parameters.image_format!r}")
    if parameters.num_images < 1:
        raise PermanentEngineError(f"num_images must be at least 1, not {parameters.num_images}")
