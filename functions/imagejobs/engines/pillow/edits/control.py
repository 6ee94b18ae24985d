"""Control sketch and control structure: the prompt's picture (`picture.paint_prompt`) drawn
to follow the input image's lines, as a model guided by a ControlNet follows them.

Sketch: the input is a drawing; its lines (dark on light paper, or light on dark) are found by
their contrast with the paper. Structure: the input is any image; its lines are its edges
(`masks.colour_edges` after a blur of about 1/500 of its size, so that grain is not
structure), and the picture takes the input's light and shade too, so that its shapes read as
the input's. Along the lines the picture's own colours are drawn in ink (a deep shade of
them). `control_strength` (0-1) is how dark the ink and how much of the light is the input's.
"""

from __future__ import annotations

from collections.abc import Mapping

from PIL import Image, ImageOps, ImageStat

from imagejobs.engines.base import JobParameters
from imagejobs.engines.pillow.edits.masks import colour_edges, plain
from imagejobs.engines.pillow.picture import paint_prompt
from imagejobs.engines.pillow.scene import compose

DEFAULT_STRENGTH = 0.7  # the catalogue's default for control_strength
INK = [v * 3 // 10 for v in range(256)] * 3  # the picture's colours at 30 %
LIGHT_SHARE = 0.6  # of the strength: how much of the picture's light becomes the input's
# Lines: a sketch's contrast with its paper, an image's colour steps, from faint to full.
SKETCH_LINES = [min(255, max(0, (v - 48) * 255 // 96)) for v in range(256)]
STRUCTURE_LINES = [min(255, max(0, (v - 24) * 255 // 72)) for v in range(256)]


def control(parameters: JobParameters, images: Mapping[str, Image.Image], seed: int) -> Image.Image:
    image = plain(images["image"]).convert("RGB")
    strength = (
        DEFAULT_STRENGTH if parameters.control_strength is None else parameters.control_strength
    )
    scene = compose(parameters.prompt or "", parameters.negative_prompt)
    picture = paint_prompt(parameters, scene, image.size, seed).convert("RGB")
    if parameters.task == "control-sketch":
        lines = _sketch_lines(image.convert("L"))
    else:
        lines = colour_edges(image, max(1.0, min(image.size) / 500)).point(STRUCTURE_LINES)
        picture = _lit_like(picture, image.convert("L"), strength * LIGHT_SHARE)
    return Image.composite(picture.point(INK), picture, lines.point(lambda v: round(v * strength)))


def _sketch_lines(grey: Image.Image) -> Image.Image:
    """A sketch's lines, 255 where fully drawn: its contrast with the paper, the paper being
    what most of it is (light, else dark)."""
    paper_is_light = ImageStat.Stat(grey).median[0] >= 128
    contrast = ImageOps.invert(grey) if paper_is_light else grey
    return ImageOps.autocontrast(contrast, cutoff=(0, 1)).point(SKETCH_LINES)


def _lit_like(picture: Image.Image, grey: Image.Image, share: float) -> Image.Image:
    """The picture with `share` of its light (HSV value) taken from the input's grey."""
    hue, saturation, value = picture.convert("HSV").split()
    return Image.merge("HSV", (hue, saturation, Image.blend(value, grey, share))).convert("RGB")
