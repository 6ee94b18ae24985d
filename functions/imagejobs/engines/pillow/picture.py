"""The prompt's picture at a size: its scene painted in the job's style, graded by its guidance.
Text-to-image is this picture; image-to-image and the edits that paint (inpaint, outpaint,
control) start from it.

Guidance (a model's cfgScale, 1.1-10) is how strongly the prompt's colours dominate: None or
the default 6.5 leaves the picture exactly as it is (no extra pass), lower mutes its
saturation (to 0.35 at 1.1) and softens its contrast, higher saturates it (to 1.6 at 10) and
hardens it: one pass of a colour matrix over the pixels.
"""

from __future__ import annotations

from PIL import Image

from imagejobs.engines.base import JobParameters
from imagejobs.engines.catalogue import BUILT_IN_GUIDANCE
from imagejobs.engines.pillow import plain
from imagejobs.engines.pillow.scene import Scene


def paint_prompt(
    parameters: JobParameters, scene: Scene, size: tuple[int, int], seed: int
) -> Image.Image:
    """The job's `scene` in its style at `size`, for the image of `seed`, graded."""
    width, height = size
    if parameters.style == "none":
        image = plain.paint(scene, width, height, parameters.prompt or "", seed)
    else:
        # Imported on the first styled picture: a worker that never paints one does not pay
        # for the presets at cold start.
        from imagejobs.engines.pillow.styles import paint_styled

        image = paint_styled(parameters, scene, seed, size)
    return apply_guidance(image, parameters.guidance)


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
