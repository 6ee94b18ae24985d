"""The subjects the styles put in front (a bottle, a cup, a cat, ...), each drawn in a `Finish`
of colours, centred on x and standing on a base."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass

from PIL import ImageDraw

from imagejobs.engines.pillow.canvas import Spot, draw_disc, line_width
from imagejobs.engines.pillow.colour import RGB, lighten, opaque, shaded, with_alpha
from imagejobs.engines.pillow.motifs import draw_cat

# Lit like a ball rather than a cylinder.
ROUND_SUBJECTS = frozenset({"sphere", "planet", "drop"})


@dataclass(frozen=True, slots=True)
class Finish:
    """The colours a subject is drawn in."""

    body: RGB
    detail: RGB  # labels, ribbons, windows, snow caps
    trim: RGB  # caps, lids, bows, saucers: metal when the style has some
    foliage: RGB  # stems and leaves
    extras: tuple[RGB, ...]  # petals

    @classmethod
    def flat(cls, colour: RGB) -> Finish:
        return cls(colour, colour, colour, colour, (colour,))

    @property
    def is_flat(self) -> bool:
        return self.body == self.detail == self.trim


# A subject drawer paints in layer coordinates, at a Spot.
SubjectDrawer = Callable[[ImageDraw.ImageDraw, Spot, Finish, random.Random], None]


def _draw_bottle(d: ImageDraw.ImageDraw, at: Spot, f: Finish, rng: random.Random) -> None:
    x, base, size = at
    width = size * rng.uniform(0.4, 0.52)
    body_top = base - size * rng.uniform(0.54, 0.62)
    shoulder = width * 0.28
    d.rounded_rectangle(
        (x - width / 2, body_top, x + width / 2, base),
        radius=width * 0.16,
        fill=opaque(f.body),
        corners=(False, False, True, True),  # the shoulder rounds the top
    )
    d.ellipse(
        (x - width / 2, body_top - shoulder, x + width / 2, body_top + shoulder), opaque(f.body)
    )
    neck_top = body_top - shoulder - size * 0.08
    d.rectangle((x - width * 0.17, neck_top, x + width * 0.17, body_top), fill=opaque(f.body))
    cap = width * 0.26
    d.rounded_rectangle(
        (x - cap, base - size, x + cap, neck_top + size * 0.01),
        radius=cap * 0.3,
        fill=opaque(f.trim),
    )
    label = (x - width * 0.36, base - size * 0.4, x + width * 0.36, base - size * 0.2)
    d.rounded_rectangle(label, radius=width * 0.05, fill=opaque(f.detail))
    y = (label[1] + label[3]) / 2
    d.rectangle(
        (x - width * 0.24, y - size * 0.012, x + width * 0.24, y + size * 0.012), opaque(f.trim)
    )


def _draw_box(d: ImageDraw.ImageDraw, at: Spot, f: Finish, rng: random.Random) -> None:
    x, base, size = at
    half = size * rng.uniform(0.38, 0.47)
    top, lid = base - size * 0.6, size * 0.15
    d.rectangle((x - half, top, x + half, base), fill=opaque(f.body))
    d.rectangle((x - half * 1.08, top - lid, x + half * 1.08, top + lid * 0.2), opaque(f.body))
    d.line(
        [(x - half * 1.08, top + lid * 0.2), (x + half * 1.08, top + lid * 0.2)],
        opaque(shaded(f.body, 0.7)),
        line_width(size * 0.012),
    )
    band = size * 0.06
    d.rectangle((x - band, top - lid, x + band, base), fill=opaque(f.trim))
    loop_w, loop_h, knot_y = size * 0.2, size * 0.13, top - lid
    for side in (-1, 1):
        d.ellipse(
            (
                x + min(0, side) * loop_w,
                knot_y - loop_h,
                x + max(0, side) * loop_w,
                knot_y + loop_h * 0.2,
            ),
            outline=opaque(f.trim),
            width=line_width(size * 0.04),
        )
    draw_disc(d, x, knot_y, size * 0.045, opaque(f.trim))


def _draw_sphere(d: ImageDraw.ImageDraw, at: Spot, f: Finish, rng: random.Random) -> None:
    x, base, size = at
    radius = size * 0.5 * rng.uniform(0.85, 1.0)
    draw_disc(d, x, base - radius, radius, opaque(f.body))


def _draw_cup(d: ImageDraw.ImageDraw, at: Spot, f: Finish, rng: random.Random) -> None:
    x, base, size = at
    width = size * rng.uniform(0.5, 0.6)
    top, bottom = base - size * 0.6, base - size * 0.07
    d.ellipse((x - width * 0.85, base - size * 0.1, x + width * 0.85, base), fill=opaque(f.trim))
    d.ellipse(
        (x + width * 0.3, top + size * 0.08, x + width * 0.72, top + size * 0.36),
        outline=opaque(f.body),
        width=line_width(size * 0.055),
    )
    d.polygon(_tapered(x, width, top, bottom, 0.38), fill=opaque(f.body))
    d.ellipse(
        (x - width * 0.38, bottom - size * 0.05, x + width * 0.38, bottom + size * 0.03),
        opaque(f.body),
    )
    d.ellipse(
        (x - width / 2, top - size * 0.05, x + width / 2, top + size * 0.05),
        opaque(lighten(f.body, 0.3)),
    )
    d.ellipse(
        (x - width * 0.43, top - size * 0.035, x + width * 0.43, top + size * 0.04),
        opaque(f.detail),
    )
    if f.is_flat:
        return
    steam = with_alpha(lighten(f.detail, 0.7), 150)
    for k in (-1, 0, 1):  # three wisps of steam
        points = [
            (
                x + k * width * 0.22 + math.sin(i * 1.3 + k) * size * 0.03,
                top - size * (0.08 + 0.035 * i),
            )
            for i in range(8)
        ]
        d.line(points, fill=steam, width=line_width(size * 0.02), joint="curve")


def _draw_vase(d: ImageDraw.ImageDraw, at: Spot, f: Finish, rng: random.Random) -> None:
    x, base, size = at
    width = size * 0.34
    neck = base - width * 1.3
    stems = rng.randint(5, 7)
    for k in range(stems):
        angle = (k / (stems - 1) - 0.5) * 1.1 + rng.uniform(-0.08, 0.08)
        reach = size * rng.uniform(0.52, 0.62)
        head = (x + math.sin(angle) * reach * 0.75, neck - math.cos(angle) * reach)
        d.line([(x, neck), head], fill=opaque(f.foliage), width=line_width(size * 0.016))
        petal = f.extras[k % len(f.extras)]
        radius = size * rng.uniform(0.045, 0.065)
        for p in range(5):
            turn = p * math.tau / 5 + angle
            draw_disc(
                d,
                head[0] + radius * math.cos(turn),
                head[1] + radius * math.sin(turn),
                radius * 0.75,
                opaque(petal),
            )
        draw_disc(d, head[0], head[1], radius * 0.55, opaque(f.trim))
    d.ellipse((x - width / 2, base - width * 1.05, x + width / 2, base), fill=opaque(f.body))
    d.polygon(
        [
            (x - width * 0.2, base - width * 0.8),
            (x - width * 0.14, neck),
            (x + width * 0.14, neck),
            (x + width * 0.2, base - width * 0.8),
        ],
        fill=opaque(f.body),
    )
    d.rectangle(
        (x - width * 0.2, neck - size * 0.025, x + width * 0.2, neck + size * 0.01), opaque(f.trim)
    )


def leaf(x: float, y: float, angle: float, length: float) -> list[tuple[float, float]]:
    """A pointed leaf from (x, y) along `angle` (0 is straight up)."""
    dx, dy = math.sin(angle), -math.cos(angle)
    side: list[tuple[float, float]] = []
    for i in range(9):
        t = i / 8
        half = length * 0.17 * math.sin(math.pi * t)
        side.append((t * length, half))
    outline = [(along, half) for along, half in side] + [
        (along, -half) for along, half in reversed(side)
    ]
    return [(x + a * dx - h * dy, y + a * dy + h * dx) for a, h in outline]


def _tapered(
    x: float, width: float, top: float, bottom: float, bottom_half_width: float
) -> list[tuple[float, float]]:
    """A shape `width` wide at `top`, narrowing to `bottom_half_width` x width each side."""
    return [
        (x - width / 2, top),
        (x + width / 2, top),
        (x + width * bottom_half_width, bottom),
        (x - width * bottom_half_width, bottom),
    ]


def _draw_plant(d: ImageDraw.ImageDraw, at: Spot, f: Finish, rng: random.Random) -> None:
    x, base, size = at
    pot_w, pot_h = size * 0.42, size * 0.3
    soil = base - pot_h
    leaves = rng.randint(7, 10)
    for k in range(leaves):
        angle = (k / (leaves - 1) - 0.5) * 2.4 + rng.uniform(-0.12, 0.12)
        colour = shaded(f.foliage, 1.0 - 0.25 * (k % 2)) if not f.is_flat else f.foliage
        d.polygon(leaf(x, soil, angle, size * rng.uniform(0.42, 0.68)), fill=opaque(colour))
    d.polygon(_tapered(x, pot_w, soil, base, 0.36), fill=opaque(f.body))
    d.rectangle(
        (x - pot_w * 0.56, soil - size * 0.05, x + pot_w * 0.56, soil + size * 0.03), opaque(f.trim)
    )


def _draw_cat_subject(d: ImageDraw.ImageDraw, at: Spot, f: Finish, rng: random.Random) -> None:
    x, base, size = at
    draw_cat(d, Spot(x, base, size * 0.88), rng.choice((-1, 1)), f.body, with_eyes=not f.is_flat)


def _draw_planet(d: ImageDraw.ImageDraw, at: Spot, f: Finish, rng: random.Random) -> None:
    x, base, size = at
    radius = size * rng.uniform(0.3, 0.36)
    y = base - size * 0.5
    ring = (x - radius * 1.75, y - radius * 0.42, x + radius * 1.75, y + radius * 0.42)
    tilt_width = line_width(size * 0.035)
    d.arc(ring, 180, 360, fill=opaque(f.trim), width=tilt_width)  # behind the planet
    draw_disc(d, x, y, radius, opaque(f.body))
    d.arc(ring, 0, 180, fill=opaque(f.trim), width=tilt_width)  # in front


def _draw_star(d: ImageDraw.ImageDraw, at: Spot, f: Finish, rng: random.Random) -> None:
    x, base, size = at
    outer, inner = size * 0.55, size * rng.uniform(0.21, 0.26)
    y = base - outer * math.cos(math.pi / 5)  # its two lower points touch the base
    points = [
        (
            x + (outer if k % 2 == 0 else inner) * math.sin(k * math.pi / 5),
            y - (outer if k % 2 == 0 else inner) * math.cos(k * math.pi / 5),
        )
        for k in range(10)
    ]
    d.polygon(points, fill=opaque(f.body))


def _draw_peak(d: ImageDraw.ImageDraw, at: Spot, f: Finish, rng: random.Random) -> None:
    x, base, size = at
    half = size * rng.uniform(0.5, 0.62)
    apex = (x + size * rng.uniform(-0.08, 0.08), base - size * 0.85)
    d.polygon([(x - half, base), apex, (x + half, base)], fill=opaque(f.body))
    if not f.is_flat:
        d.polygon(
            [apex, (x + half, base), (apex[0] + half * 0.15, base)], opaque(shaded(f.body, 0.72))
        )

    def along(end: float, t: float) -> tuple[float, float]:
        return (apex[0] + (end - apex[0]) * t, apex[1] + (base - apex[1]) * t)

    cap = [apex, along(x + half, 0.3), along(x + half * 0.4, 0.22), (apex[0], apex[1] + size * 0.2)]
    cap += [along(x - half * 0.4, 0.22), along(x - half, 0.3)]
    d.polygon(cap, fill=opaque(f.detail))


def _draw_tower(d: ImageDraw.ImageDraw, at: Spot, f: Finish, rng: random.Random) -> None:
    x, base, size = at
    width = size * rng.uniform(0.26, 0.34)
    top = base - size * 0.76
    d.line(
        [(x, top - size * 0.14), (x, base - size)],
        fill=opaque(f.trim),
        width=line_width(size * 0.014),
    )
    d.rectangle((x - width / 2, top, x + width / 2, base), fill=opaque(f.body))
    d.rectangle((x - width * 0.36, top - size * 0.08, x + width * 0.36, top), fill=opaque(f.body))
    d.rectangle(
        (x - width * 0.2, top - size * 0.14, x + width * 0.2, top - size * 0.08), opaque(f.body)
    )
    columns, rows = 4, 11
    cell_w, cell_h = width * 0.8 / columns, (base - top - size * 0.08) / rows
    for row in range(rows):
        for col in range(columns):
            if rng.random() < 0.62:
                left, upper = x - width * 0.4 + col * cell_w, top + size * 0.03 + row * cell_h
                d.rectangle(
                    (
                        left + cell_w * 0.2,
                        upper + cell_h * 0.25,
                        left + cell_w * 0.8,
                        upper + cell_h * 0.75,
                    ),
                    fill=opaque(f.detail),
                )
    d.rectangle((x - width * 0.62, base - size * 0.04, x + width * 0.62, base), fill=opaque(f.trim))


def _draw_candle(d: ImageDraw.ImageDraw, at: Spot, f: Finish, rng: random.Random) -> None:
    x, base, size = at
    width = size * rng.uniform(0.28, 0.36)
    top = base - size * rng.uniform(0.52, 0.6)
    d.ellipse((x - width * 0.85, base - size * 0.07, x + width * 0.85, base), fill=opaque(f.trim))
    d.rectangle((x - width / 2, top, x + width / 2, base - size * 0.035), fill=opaque(f.body))
    d.ellipse(
        (x - width / 2, top - width * 0.12, x + width / 2, top + width * 0.12),
        opaque(lighten(f.body, 0.25)),
    )
    d.line(
        [(x, top), (x, top - size * 0.06)],
        fill=opaque(shaded(f.body, 0.3)),
        width=line_width(size * 0.012),
    )
    flame_y, flame_r = top - size * 0.13, size * 0.05
    flame = [
        (
            x + flame_r * math.sin(t) * abs(math.sin(t / 2)) ** 0.8,
            flame_y - size * 0.12 * math.cos(t),
        )
        for t in (i * math.tau / 24 for i in range(24))
    ]
    d.polygon(flame, fill=opaque(f.detail))
    if not f.is_flat:
        draw_disc(d, x, flame_y + size * 0.04, flame_r * 0.45, opaque(lighten(f.detail, 0.6)))


def _draw_drop(d: ImageDraw.ImageDraw, at: Spot, f: Finish, rng: random.Random) -> None:
    x, base, size = at
    half = size * 0.5
    width = size * rng.uniform(0.36, 0.44)
    points = [
        (x + width * math.sin(t) * math.sin(t / 2) ** 1.3, base - half - half * math.cos(t))
        for t in (i * math.tau / 40 for i in range(40))
    ]
    d.polygon(points, fill=opaque(f.body))


def _draw_jar(d: ImageDraw.ImageDraw, at: Spot, f: Finish, rng: random.Random) -> None:
    x, base, size = at
    width = size * rng.uniform(0.62, 0.78)
    body_top = base - size * 0.42
    d.rounded_rectangle(
        (x - width / 2, body_top, x + width / 2, base), radius=width * 0.1, fill=opaque(f.body)
    )
    d.rounded_rectangle(
        (x - width * 0.53, body_top - size * 0.2, x + width * 0.53, body_top + size * 0.02),
        radius=width * 0.06,
        fill=opaque(f.trim),
    )
    d.rectangle(
        (x - width / 2, body_top + size * 0.12, x + width / 2, body_top + size * 0.28),
        opaque(f.detail),
    )


SUBJECT_DRAWERS: dict[str, SubjectDrawer] = {
    "bottle": _draw_bottle,
    "box": _draw_box,
    "sphere": _draw_sphere,
    "cup": _draw_cup,
    "vase": _draw_vase,
    "plant": _draw_plant,
    "cat": _draw_cat_subject,
    "planet": _draw_planet,
    "star": _draw_star,
    "peak": _draw_peak,
    "tower": _draw_tower,
    "candle": _draw_candle,
    "drop": _draw_drop,
    "jar": _draw_jar,
}
