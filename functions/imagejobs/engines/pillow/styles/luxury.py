"""`luxury`: a near-black backdrop tinted by the prompt, a thin gold frame, a symmetric gold
ornament (fan, arches or halo) behind the subject on a dark plinth, gold rim light, sparkles."""

from __future__ import annotations

import math
import random

from PIL import Image, ImageDraw

from imagejobs.engines.colour_words import Shade
from imagejobs.engines.pillow.brief import Brief, metal_of
from imagejobs.engines.pillow.canvas import Spot, draw_disc, line_width
from imagejobs.engines.pillow.colour import (
    RGB,
    darkest,
    from_hsv,
    hsv,
    lighten,
    mix,
    opaque,
    shaded,
    with_alpha,
)
from imagejobs.engines.pillow.compositing import MIN_DETAIL, Look, place, soft
from imagejobs.engines.pillow.subjects import Finish

# Dark backdrops for luxury, the first the negative prompt allows.
NIGHTS = (
    Shade((10, 14, 36), "blue"),
    Shade((9, 9, 11), "black"),
    Shade((26, 10, 34), "purple"),
    Shade((6, 26, 20), "green"),
)


# Art-deco ornaments behind luxury's subject, symmetric about it; the seed picks one. Each is
# drawn about `centre`, sized by `unit`, with a `pen` of (metal, line width).
Pen = tuple[RGB, int]


def _deco_fan(
    draw: ImageDraw.ImageDraw,
    rng: random.Random,
    centre: tuple[float, float],
    unit: float,
    pen: Pen,
) -> None:
    """Rays and arcs opening upwards from behind the subject."""
    (x, y), (metal, line) = centre, pen
    rays = rng.choice((9, 11, 13, 15))
    for k in range(rays):
        angle = math.pi + math.pi * (k + 1) / (rays + 1)
        end = (x + unit * 0.46 * math.cos(angle), y + unit * 0.46 * math.sin(angle))
        draw.line([(x, y), end], fill=with_alpha(metal, 80), width=line)
    for radius in (0.28, 0.38, 0.46):
        r = unit * radius
        draw.arc((x - r, y - r, x + r, y + r), 180, 360, fill=with_alpha(metal, 150), width=line)


def _deco_arches(
    draw: ImageDraw.ImageDraw,
    rng: random.Random,
    centre: tuple[float, float],
    unit: float,
    pen: Pen,
) -> None:
    """Nested round-topped arches, like a doorway around the subject."""
    (x, y), (metal, line) = centre, pen
    floor = y + unit * 0.2
    for k in range(rng.choice((2, 3))):
        half = unit * (0.2 + 0.06 * k)
        top = y - unit * (0.02 + 0.04 * k)
        alpha = 170 - 40 * k
        draw.arc(
            (x - half, top - half, x + half, top + half),
            180,
            360,
            fill=with_alpha(metal, alpha),
            width=line,
        )
        for side in (-1, 1):
            draw.line(
                [(x + side * half, top), (x + side * half, floor)],
                fill=with_alpha(metal, alpha),
                width=line,
            )


def _deco_halo(
    draw: ImageDraw.ImageDraw,
    rng: random.Random,
    centre: tuple[float, float],
    unit: float,
    pen: Pen,
) -> None:
    """Rings round the subject and a crown of short rays outside them."""
    (x, y), (metal, line) = centre, pen
    outer = unit * 0.3
    for k in range(3):
        r = outer * (0.62 + 0.19 * k)
        draw.ellipse(
            (x - r, y - r, x + r, y + r), outline=with_alpha(metal, 150 - 30 * k), width=line
        )
    rays = rng.choice((24, 32, 40))
    for k in range(rays):
        angle = k * math.tau / rays
        reach = outer * (1.12 if k % 2 else 1.24)
        start = (x + outer * 1.04 * math.cos(angle), y + outer * 1.04 * math.sin(angle))
        end = (x + reach * math.cos(angle), y + reach * math.sin(angle))
        draw.line([start, end], fill=with_alpha(metal, 120), width=line)


def paint(brief: Brief, width: int, height: int) -> Image.Image:
    rng = brief.rng("luxury")
    unit = min(width, height)
    x = width / 2
    metal = metal_of(brief)
    night = next(
        (n.rgb for n in NIGHTS if brief.excluded.allows(n)), shaded(darkest(brief.scene.sky), 0.3)
    )
    lead_hue, lead_saturation, _ = hsv(brief.lead)
    jewel = from_hsv(lead_hue, max(0.55, lead_saturation), 0.62)
    deep = mix(night, shaded(brief.lead, 0.3), 0.3)
    image = Image.new("RGB", (width, height), shaded(deep, 0.55))
    # A dim glow of the prompt's colour behind the subject, dark at the edges.
    glow = (
        x - unit * 0.75,
        height * 0.42 - unit * 0.6,
        x + unit * 0.75,
        height * 0.42 + unit * 0.6,
    )
    soft(image, glow, mix(lighten(deep, 0.12), jewel, 0.3), 1.0)
    draw = ImageDraw.Draw(image, "RGBA")

    base = height * 0.74
    size = unit * 0.4
    line = line_width(unit * 0.0035)
    deco = rng.choice((_deco_fan, _deco_arches, _deco_halo))
    deco(draw, rng, (x, base - size * 0.45), unit, (metal, line))

    plinth = lighten(deep, 0.1)
    half, depth, tall = unit * 0.2, unit * 0.035, unit * 0.08
    draw.polygon(
        [
            (x - half, base),
            (x + half, base),
            (x + half * 0.86, base - depth),
            (x - half * 0.86, base - depth),
        ],
        fill=opaque(lighten(plinth, 0.12)),
    )
    draw.rectangle((x - half, base, x + half, base + tall), fill=opaque(plinth))
    draw.line([(x - half, base), (x + half, base)], fill=opaque(metal), width=line)
    draw.line(
        [(x - unit * 0.45, base + tall), (x + unit * 0.45, base + tall)],
        fill=with_alpha(metal, 170),
        width=line,
    )

    finish = Finish(jewel, metal, metal, shaded(metal, 0.7), (jewel, metal))
    place(
        image,
        brief.subject_drawing(finish),
        Spot(x, base - depth * 0.5, size),
        Look(light=0.0, round_=brief.round_subject, outline=(metal, 0.01)),
    )

    for _ in range(rng.randint(7, 11)):  # sparkles: four-pointed stars with a faint halo
        sx, sy = rng.uniform(0.1, 0.9) * width, rng.uniform(0.1, 0.7) * height
        r = unit * rng.uniform(0.012, 0.032)
        draw_disc(draw, sx, sy, r * 0.9, with_alpha(metal, 40))
        arms = [
            (sx, sy - r),
            (sx + r * 0.18, sy - r * 0.18),
            (sx + r, sy),
            (sx + r * 0.18, sy + r * 0.18),
            (sx, sy + r),
            (sx - r * 0.18, sy + r * 0.18),
            (sx - r, sy),
            (sx - r * 0.18, sy - r * 0.18),
        ]
        draw.polygon(arms, fill=opaque(lighten(metal, 0.5)))

    margin, gap = unit * 0.04, unit * 0.018
    outer = (margin, margin, width - 1 - margin, height - 1 - margin)
    inner = (margin + gap, margin + gap, width - 1 - margin - gap, height - 1 - margin - gap)
    if inner[2] - inner[0] < MIN_DETAIL or inner[3] - inner[1] < MIN_DETAIL:
        return image
    draw.rectangle(outer, outline=opaque(metal), width=line_width(unit * 0.006))
    draw.rectangle(inner, outline=opaque(metal), width=line_width(unit * 0.0025))
    for cx, cy in (
        (inner[0], inner[1]),
        (inner[2], inner[1]),
        (inner[0], inner[3]),
        (inner[2], inner[3]),
    ):
        r = unit * 0.016
        draw.polygon([(cx, cy - r), (cx + r, cy), (cx, cy + r), (cx - r, cy)], fill=opaque(metal))
    return image
