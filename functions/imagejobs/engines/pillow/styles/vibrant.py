"""`vibrant`: a radial burst in the complement of the prompt's colour, a target, halftone dots,
confetti, and the subject in the saturated prompt colour with a hard pop-art shadow."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

from PIL import Image, ImageDraw

from imagejobs.engines.colour_words import SHADES
from imagejobs.engines.pillow.brief import Brief
from imagejobs.engines.pillow.canvas import Spot, draw_disc, line_width
from imagejobs.engines.pillow.colour import RGB, from_hsv, hsv, lighten, opaque
from imagejobs.engines.pillow.compositing import Look, place
from imagejobs.engines.pillow.scene import Exclusions
from imagejobs.engines.pillow.subjects import Finish
from imagejobs.engines.pillow.vocabulary import nearest_family


def _allowed_hue(hue: float, excluded: Exclusions) -> float:
    """`hue`, or the nearest hue whose colour family the negative prompt has not excluded."""
    for step in range(10):
        for sign in (1, -1):
            candidate = (hue + sign * step * 0.05) % 1.0
            if nearest_family(candidate) not in excluded.families:
                return candidate
    return hue


def _turned(
    x: float, y: float, spin: float, points: Sequence[tuple[float, float]]
) -> list[tuple[float, float]]:
    """`points` (relative to x, y) turned by `spin` radians about (x, y)."""
    cos, sin = math.cos(spin), math.sin(spin)
    return [(x + px * cos - py * sin, y + px * sin + py * cos) for px, py in points]


def _burst(
    draw: ImageDraw.ImageDraw,
    rng: random.Random,
    centre: tuple[float, float],
    reach: float,
    fill: RGB,
) -> None:
    """Every other ray of a burst from `centre`; the seed picks how many and their turn."""
    rays = rng.choice((12, 16, 20))
    turn = rng.uniform(0, math.tau)
    for k in range(0, rays, 2):
        tips = [
            (centre[0] + reach * math.cos(t), centre[1] + reach * math.sin(t))
            for t in (turn + k * math.tau / rays, turn + (k + 1) * math.tau / rays)
        ]
        draw.polygon([centre, *tips], fill=opaque(fill))


def _halftone(
    draw: ImageDraw.ImageDraw, corner: tuple[float, float], step: float, fill: RGB
) -> None:
    """A triangle of dots in a corner of the picture, smaller away from it."""
    towards_x = 1 if corner[0] == 0 else -1
    towards_y = 1 if corner[1] == 0 else -1
    for i in range(9):
        for j in range(9 - i):
            fade = 1 - (i + j) / 9
            x, y = corner[0] + towards_x * i * step, corner[1] + towards_y * j * step
            draw_disc(draw, x, y, step * 0.45 * fade, opaque(fill))


def _confetti(
    draw: ImageDraw.ImageDraw, rng: random.Random, width: int, height: int, colours: Sequence[RGB]
) -> None:
    unit = min(width, height)
    for _ in range(44):
        x, y = rng.uniform(0, width), rng.uniform(0, height)
        r = unit * rng.uniform(0.015, 0.045)
        fill = opaque(rng.choice(colours))
        shape, spin = (
            rng.choice(("triangle", "disc", "ring", "zigzag", "square")),
            rng.uniform(0, math.tau),
        )
        if shape in ("triangle", "square"):
            corners = 3 if shape == "triangle" else 4
            outline = [
                (r * math.cos(k * math.tau / corners), r * math.sin(k * math.tau / corners))
                for k in range(corners)
            ]
            draw.polygon(_turned(x, y, spin, outline), fill=fill)
        elif shape == "disc":
            draw_disc(draw, x, y, r * 0.7, fill)
        elif shape == "ring":
            draw.ellipse((x - r, y - r, x + r, y + r), outline=fill, width=line_width(r * 0.35))
        else:
            zigzag = [((k - 2) * r * 0.6, r * 0.4 * (-1) ** k) for k in range(5)]
            draw.line(_turned(x, y, spin, zigzag), fill=fill, width=line_width(r * 0.3))


def paint(brief: Brief, width: int, height: int) -> Image.Image:
    rng = brief.rng("vibrant")
    unit = min(width, height)
    hue = _allowed_hue(hsv(brief.lead)[0], brief.excluded)
    opposite = _allowed_hue(hue + 0.5, brief.excluded)
    third = _allowed_hue(hue + rng.choice((0.2, -0.2)), brief.excluded)
    own, pop, accent = (
        from_hsv(hue, 0.92, 1.0),
        from_hsv(opposite, 0.95, 1.0),
        from_hsv(third, 0.9, 1.0),
    )
    ink = from_hsv(opposite, 1.0, 0.18)
    paper = (255, 255, 255) if brief.excluded.allows(SHADES["white"]) else lighten(accent, 0.4)

    # A burst in the complement of the prompt's colour, a target behind the subject, halftone
    # dots in a corner and confetti all over.
    centre = (width * rng.uniform(0.42, 0.58), height * rng.uniform(0.42, 0.58))
    image = Image.new("RGB", (width, height), from_hsv(opposite, 1.0, 0.72))
    draw = ImageDraw.Draw(image, "RGBA")
    _burst(draw, rng, centre, 2 * max(width, height), pop)
    for k, ring in enumerate((0.36, 0.3, 0.24, 0.18)):
        r = unit * ring
        box = (centre[0] - r, centre[1] - r, centre[0] + r, centre[1] + r)
        draw.ellipse(box, fill=opaque(accent if k % 2 == 0 else paper))
    _halftone(draw, (rng.choice((0, width)), rng.choice((0, height))), unit * 0.045, ink)
    _confetti(draw, rng, width, height, [own, accent, paper, ink])

    # The subject in the prompt's colour, saturated, outlined, with a hard offset shadow.
    size = unit * 0.46
    base = centre[1] + size * 0.5
    finish = Finish(own, accent, paper, from_hsv(third, 0.9, 0.7), (own, accent, pop))
    place(
        image,
        brief.subject_drawing(finish),
        Spot(centre[0], base, size),
        Look(light=-1.0, round_=brief.round_subject, outline=(ink, 0.015), shadow=(ink, 0.065)),
    )
    return image
