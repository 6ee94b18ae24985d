"""Laying things over a picture: a subject in a layer of its own (supersampled, lit as a
cylinder or ball, outlined, with a hard shadow), and soft glows and shadows through blurred
masks drawn small and stretched."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from PIL import Image, ImageChops, ImageDraw, ImageFilter

from imagejobs.engines.pillow.canvas import Spot
from imagejobs.engines.pillow.colour import RGB, with_alpha

SUPERSAMPLE = 2  # subjects are drawn this many times larger, then scaled down: smooth edges
SUPERSAMPLE_UP_TO = 320  # pixels tall: larger subjects have steps too small to see
SOFT_SIDE = 96  # soft shapes are drawn at most this many pixels across, then stretched
MIN_DETAIL = 4  # pixels: subjects and frames smaller than this are left out


def _cylinder_light(light: float, samples: int = 48) -> tuple[list[float], list[float]]:
    """Brightness and specular shine across a cylinder lit from `light` (-1 left .. 1 right)."""
    brightness, shine = [], []
    for i in range(samples):
        normal = math.asin(2 * (i + 0.5) / samples - 1)  # the surface's angle to the viewer
        brightness.append(0.42 + 0.58 * max(0.0, math.cos(normal - light * 0.7)))
        shine.append(0.3 * math.exp(-(((normal - light * 0.45) / 0.24) ** 2)))
    return brightness, shine


Draw = Callable[[ImageDraw.ImageDraw, Spot], None]


@dataclass(frozen=True, slots=True)
class Look:
    """How `place` finishes a drawing. `light` is where the light comes from (-1 left, 0 front,
    1 right), None for flat colour; `round_` lights it as a ball, not a cylinder; `outline`
    (colour, width) draws a rim around it, `shadow` (colour, offset) a hard shadow below and to
    the right; `reach` is how far above its base it may draw. Widths, offsets and reach are
    fractions of the drawing's size."""

    light: float | None
    round_: bool = False
    outline: tuple[RGB, float] | None = None
    shadow: tuple[RGB, float] | None = None
    reach: float = 1.25


def place(image: Image.Image, drawing: Draw, at: Spot, look: Look) -> None:
    """Draw `drawing` at `at` onto `image`, finished as `look` says.

    It is drawn in a layer of its own box (`size` either side, `reach` times `size` above
    base), larger by SUPERSAMPLE while small enough to need it, then scaled down.
    """
    x, base, size = at
    light, outline, shadow, reach = look.light, look.outline, look.shadow, look.reach
    if size < MIN_DETAIL:
        return  # too small to show anything, and degenerate shapes trip Pillow's checks
    left, top = math.floor(x - size), math.floor(base - size * reach)
    right, bottom = math.ceil(x + size), math.ceil(base + size * 0.05)
    scale = SUPERSAMPLE if size <= SUPERSAMPLE_UP_TO else 1
    layer = Image.new("RGBA", ((right - left) * scale, (bottom - top) * scale), (0, 0, 0, 0))
    drawing(ImageDraw.Draw(layer), Spot((x - left) * scale, (base - top) * scale, size * scale))
    if outline is not None:  # the silhouette in the outline's colour, nudged four ways, behind
        colour, width = outline
        rim, silhouette = round(size * scale * width), layer.getchannel("A")
        rimmed = Image.new("RGBA", layer.size, (0, 0, 0, 0))
        for dx, dy in ((-rim, 0), (rim, 0), (0, -rim), (0, rim)):
            rimmed.paste(
                with_alpha(colour, 255), (dx, dy, dx + layer.width, dy + layer.height), silhouette
            )
        rimmed.alpha_composite(layer)
        layer = rimmed
    if scale != 1:
        layer = layer.resize((right - left, bottom - top), Image.Resampling.BOX)
    if light is not None:
        _light(layer, light, look.round_)
    if shadow is not None:
        colour, offset = shadow
        corner = (left + round(size * offset), top + round(size * offset))
        box = (*corner, corner[0] + layer.width, corner[1] + layer.height)
        image.paste(colour, box, layer.getchannel("A"))
    image.paste(layer, (left, top), layer)


def _light(layer: Image.Image, light: float, round_: bool) -> None:
    """Shade what is drawn in `layer` as a lit cylinder (or ball), in place."""
    alpha = layer.getchannel("A")
    box = alpha.getbbox()
    if box is None:
        return
    size = (box[2] - box[0], box[3] - box[1])
    if round_:
        shade, shine = _ball_light(size, light)
    else:
        profile, stripe = _cylinder_light(light)
        shade, shine = _row(profile, size), _row(stripe, size)
    lit = ImageChops.multiply(layer.crop(box).convert("RGB"), Image.merge("RGB", [shade] * 3))
    lit = ImageChops.screen(lit, Image.merge("RGB", [shine] * 3))
    layer.paste(Image.merge("RGBA", (*lit.split(), alpha.crop(box))), box[:2])


def _row(values: Sequence[float], size: tuple[int, int]) -> Image.Image:
    """A horizontal gradient through `values` (0-1), stretched to `size`."""
    row = Image.new("L", (len(values), 1))
    row.putdata([round(v * 255) for v in values])
    return row.resize(size, Image.Resampling.BILINEAR)


def _ball_light(size: tuple[int, int], light: float) -> tuple[Image.Image, Image.Image]:
    """Brightness and highlight of a ball lit from above and to the `light` side."""
    width, height = size
    centre_x = width * (0.5 + 0.16 * light)
    centre_y = height * 0.3
    # Pillow's radial gradient is 0 at its centre and 255 at 180 pixels from it; take the
    # part that maps its centre onto the highlight, at a scale where 255 lies beyond the ball.
    per_pixel = 180 / (1.15 * max(width, height))
    box = (
        128 - centre_x * per_pixel,
        128 - centre_y * per_pixel,
        128 + (width - centre_x) * per_pixel,
        128 + (height - centre_y) * per_pixel,
    )
    distance = Image.radial_gradient("L").resize(size, Image.Resampling.BILINEAR, box=box)
    shade = distance.point(lambda v: 255 - v * 150 // 255)
    shine = distance.point(lambda v: max(0, 56 - v) * 4)
    return shade, shine


class SoftShapes(NamedTuple):
    """Shapes for `soft`'s mask, `draw(draw, width, height)` in white, blurred by `softness`
    (a fraction of the mask's shorter side)."""

    draw: Callable[[ImageDraw.ImageDraw, float, float], None]
    softness: float


GLOW_SOFTNESS = 0.18


def soft(
    image: Image.Image,
    box: tuple[float, float, float, float],
    colour: RGB,
    strength: float,
    shapes: SoftShapes | None = None,
) -> None:
    """Lay `colour` over `box` through a soft mask: by default a glow filling the box's ellipse,
    else `shapes` drawn in a small mask. The mask is drawn and blurred at most SOFT_SIDE pixels
    across and stretched, so its cost does not grow with softness."""
    left, top = math.floor(box[0]), math.floor(box[1])
    width, height = max(1, math.ceil(box[2]) - left), max(1, math.ceil(box[3]) - top)
    scale = min(1.0, SOFT_SIDE / max(width, height))
    small = (max(1, round(width * scale)), max(1, round(height * scale)))
    mask = Image.new("L", small)
    draw = ImageDraw.Draw(mask)
    if shapes is None:
        rings = 16  # concentric ellipses, brighter inwards, blurred into a smooth falloff
        for k in range(rings):
            inset = 0.06 + k / rings * 0.44  # a margin, so the blur fades out inside the box
            value = round(255 * strength * ((k + 1) / rings) ** 1.6)
            draw.ellipse(
                (
                    small[0] * inset,
                    small[1] * inset,
                    small[0] * (1 - inset),
                    small[1] * (1 - inset),
                ),
                fill=value,
            )
    else:
        shapes.draw(draw, small[0], small[1])
        if strength < 1:
            mask = mask.point(lambda v: round(v * strength))
    softness = GLOW_SOFTNESS if shapes is None else shapes.softness
    mask = mask.filter(ImageFilter.GaussianBlur(softness * min(small)))
    # Stretch only the part of the mask that falls on the picture.
    inside = (
        max(left, 0),
        max(top, 0),
        min(left + width, image.width),
        min(top + height, image.height),
    )
    if inside[0] >= inside[2] or inside[1] >= inside[3]:
        return
    to_small = (small[0] / width, small[1] / height)
    region = (
        (inside[0] - left) * to_small[0],
        (inside[1] - top) * to_small[1],
        (inside[2] - left) * to_small[0],
        (inside[3] - top) * to_small[1],
    )
    size = (inside[2] - inside[0], inside[3] - inside[1])
    image.paste(colour, inside[:2], mask.resize(size, Image.Resampling.BICUBIC, box=region))
