"""The Pillow engine: validates a request, composes its scene once, then paints, grades and
encodes each image. Implements `ImageEngine`.

Guidance (a model's cfgScale, 1.1-10) is how strongly the prompt's colours dominate: None or
the default 6.5 leaves the picture exactly as it is (no extra pass), lower mutes its
saturation (to 0.35 at 1.1) and softens its contrast, higher saturates it (to 1.6 at 10) and
hardens it: one pass of a colour matrix over the pixels.
"""

from __future__ import annotations

from PIL import Image

from imagejobs.engines.base import RenderedImage, RenderRequest
from imagejobs.engines.encoding import ENCODERS, encode
from imagejobs.engines.limits import PILLOW
from imagejobs.engines.pillow import plain
from imagejobs.engines.pillow.scene import Scene, compose
from imagejobs.exceptions import PermanentEngineError

MAX_SIDE = 4096


class PillowRenderer:
    """Draws each image locally; no network, no model. Implements `ImageEngine`."""

    engine_id = "pillow"

    def render(self, request: RenderRequest) -> list[RenderedImage]:
        _validate(request)
        scene = compose(request.prompt, request.negative_prompt)
        return [
            self._render_one(request, scene, request.seed + n) for n in range(request.num_images)
        ]

    @staticmethod
    def _render_one(request: RenderRequest, scene: Scene, seed: int) -> RenderedImage:
        if request.style == "none":
            image = plain.paint(scene, request.width, request.height, request.prompt, seed)
        else:
            # Imported on the first styled render: a worker that never renders one does not
            # pay for the presets at cold start.
            from imagejobs.engines.pillow.styles import paint_styled

            image = paint_styled(request, scene, seed)
        image = apply_guidance(image, request.guidance)
        return RenderedImage(
            data=encode(image, request.image_format, request.quality),
            width=request.width,
            height=request.height,
            image_format=request.image_format,
            seed=seed,
        )


# Guidance as colour: the saturation at the lowest and the highest guidance, and how far the
# contrast moves with it.
MUTED_SATURATION = 0.35
VIVID_SATURATION = 1.6
CONTRAST_SWING = 0.2
LUMA = (0.299, 0.587, 0.114)  # ITU-R 601, as Pillow's own conversion to grey


def apply_guidance(image: Image.Image, guidance: float | None) -> Image.Image:
    """How strongly the prompt's colours dominate: the default guidance leaves the picture
    untouched (no pass at all), lower mutes and flattens it, higher saturates and hardens it."""
    default = PILLOW.default_guidance
    if guidance is None or guidance == default:
        return image
    if guidance < default:
        strength = max(-1.0, (guidance - default) / (default - PILLOW.min_guidance))
        saturation = 1 + (1 - MUTED_SATURATION) * strength
    else:
        strength = min(1.0, (guidance - default) / (PILLOW.max_guidance - default))
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


def _validate(request: RenderRequest) -> None:
    """Requests no retry can fix fail permanently, so the job fails at once."""
    for side, value in (("width", request.width), ("height", request.height)):
        if not 1 <= value <= MAX_SIDE:
            raise PermanentEngineError(f"{side} {value} is outside 1..{MAX_SIDE} pixels")
    if request.image_format not in ENCODERS:
        raise PermanentEngineError(f"unsupported image format {request.image_format!r}")
    if request.num_images < 1:
        raise PermanentEngineError(f"num_images must be at least 1, not {request.num_images}")
