"""What the painters draw on, and the drawing primitives that painters and styles share."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from PIL import Image, ImageDraw

from imagejobs.engines.pillow.colour import RGB, RGBA, mix
from imagejobs.engines.pillow.scene import Scene


@dataclass(slots=True)
class Canvas:
    image: Image.Image
    draw: ImageDraw.ImageDraw
    scene: Scene
    horizon: int  # the ground starts here; the image height when there is none

    @property
    def width(self) -> int:
        return self.image.width

    @property
    def height(self) -> int:
        return self.image.height

    @property
    def unit(self) -> float:
        """Sizes are fractions of the shorter side, so a picture keeps its look at any size."""
        return float(min(self.width, self.height))

    @property
    def ground_colour(self) -> RGB:
        return self.scene.ground[0] if self.scene.ground else self.scene.sky[-1]


Painter = Callable[[Canvas, random.Random], None]


class Spot(NamedTuple):
    """Where a thing is drawn: centred on `x`, standing on `base`, about `size` tall."""

    x: float
    base: float
    size: float


def gradient(stops: Iterable[RGB], width: int, height: int) -> Image.Image:
    """A vertical gradient: a one-pixel-wide column of stops, stretched (no per-pixel loop)."""
    colours = list(stops)
    column = Image.new("RGB", (1, len(colours)))
    column.putdata(colours)
    return column.resize((width, height), Image.Resampling.BILINEAR)


def smooth_gradient(stops: Sequence[RGB], width: int, height: int) -> Image.Image:
    """A vertical gradient without the kinks a few stretched stops leave at each stop."""
    steps = 32
    colours = []
    for i in range(steps):
        position = i / (steps - 1) * (len(stops) - 1)
        k = min(int(position), len(stops) - 2)
        colours.append(mix(stops[k], stops[k + 1], position - k))
    return gradient(colours, width, height)


def draw_disc(draw: ImageDraw.ImageDraw, x: float, y: float, radius: float, fill: RGBA) -> None:
    radius = max(radius, 0.5)  # below half a pixel Pillow draws nothing at all
    draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=fill)


def line_width(value: float) -> int:
    return max(1, round(value))
