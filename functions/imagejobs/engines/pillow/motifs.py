"""One painter per motif: each draws its motif onto a canvas with a generator of its own."""

from __future__ import annotations

import math
import random
from typing import Any

from PIL import ImageDraw

from imagejobs.engines.colour_words import SHADES
from imagejobs.engines.pillow.canvas import Canvas, Painter, Spot, draw_disc
from imagejobs.engines.pillow.colour import (
    RGB,
    RGBA,
    darkest,
    lighten,
    lightest,
    mix,
    shaded,
    vivid,
    warmest,
    with_alpha,
)


def _disc(canvas: Canvas, x: float, y: float, radius: float, fill: RGBA) -> None:
    draw_disc(canvas.draw, x, y, radius, fill)


def _wave_points(
    canvas: Canvas, rng: random.Random, base_y: float, amplitude: float, samples: int = 48
) -> list[tuple[float, float]]:
    """A smooth line across the picture: two sines of random phase and frequency."""
    f1, f2 = rng.uniform(1, 3), rng.uniform(3, 7)
    p1, p2 = rng.uniform(0, math.tau), rng.uniform(0, math.tau)
    points = []
    for i in range(samples + 1):
        t = i / samples
        wobble = 0.7 * math.sin(f1 * math.tau * t + p1) + 0.3 * math.sin(f2 * math.tau * t + p2)
        points.append((t * canvas.width, base_y - amplitude * wobble))
    return points


def _fill_below(canvas: Canvas, line: list[tuple[float, float]], bottom: float, fill: RGBA) -> None:
    canvas.draw.polygon([*line, (canvas.width, bottom), (0, bottom)], fill=fill)


def _paint_stars(canvas: Canvas, rng: random.Random) -> None:
    for _ in range(160):
        x = rng.uniform(0, canvas.width)
        y = canvas.horizon * rng.random() ** 1.5  # thicker towards the top
        colour = lighten(rng.choice(canvas.scene.accents), 0.75)
        _disc(
            canvas,
            x,
            y,
            canvas.unit * rng.uniform(0.0012, 0.0045),
            with_alpha(colour, rng.randint(120, 255)),
        )


def _paint_planet(canvas: Canvas, rng: random.Random) -> None:
    x, y = canvas.width * rng.uniform(0.2, 0.8), canvas.horizon * rng.uniform(0.25, 0.6)
    radius = canvas.unit * rng.uniform(0.1, 0.18)
    colour = rng.choice(vivid(canvas.scene.accents))
    _disc(canvas, x, y, radius, with_alpha(colour, 255))
    shadow = radius * 0.35
    _disc(canvas, x + shadow, y + shadow, radius * 0.9, with_alpha(shaded(colour, 0.4), 120))
    ring = (x - radius * 1.9, y - radius * 0.45, x + radius * 1.9, y + radius * 0.45)
    width = max(1, round(radius * 0.08))
    canvas.draw.ellipse(ring, outline=with_alpha(lighten(colour, 0.5), 200), width=width)


def _paint_sun(canvas: Canvas, rng: random.Random) -> None:
    colour = lighten(canvas.scene.highlight or warmest(canvas.scene.accents), 0.3)
    radius = canvas.unit * rng.uniform(0.07, 0.13)
    x = canvas.width * rng.uniform(0.2, 0.8)
    y = min(canvas.horizon * rng.uniform(0.45, 0.85), canvas.horizon - radius)  # above the ground
    for scale, alpha in ((3.0, 28), (2.1, 46), (1.5, 80)):  # glow, fainter further out
        _disc(canvas, x, y, radius * scale, with_alpha(colour, alpha))
    _disc(canvas, x, y, radius, with_alpha(colour, 255))


def _paint_moon(canvas: Canvas, rng: random.Random) -> None:
    x, y = canvas.width * rng.uniform(0.15, 0.85), canvas.horizon * rng.uniform(0.15, 0.45)
    radius = canvas.unit * rng.uniform(0.05, 0.09)
    colour = mix(lightest(canvas.scene.accents), SHADES["cream"].rgb, 0.6)
    bite = radius * rng.uniform(0.35, 0.7) * rng.choice((-1, 1))
    sky_there = canvas.image.getpixel((_clamp(x + bite, canvas.width), _clamp(y, canvas.height)))
    _disc(canvas, x, y, radius * 1.8, with_alpha(colour, 36))
    _disc(canvas, x, y, radius, with_alpha(colour, 255))
    # A crescent: cover part of the disc with the sky behind it.
    if isinstance(sky_there, tuple):
        _disc(canvas, x + bite, y - radius * 0.1, radius * 0.92, with_alpha(_rgb(sky_there), 255))


def _paint_clouds(canvas: Canvas, rng: random.Random) -> None:
    colour = lighten(canvas.scene.sky[-1], 0.65)
    for _ in range(rng.randint(3, 5)):
        x, y = canvas.width * rng.uniform(0, 1), canvas.horizon * rng.uniform(0.1, 0.6)
        size = canvas.unit * rng.uniform(0.05, 0.1)
        for _ in range(rng.randint(5, 8)):  # a cloud is a cluster of overlapping puffs
            dx, dy = rng.uniform(-2.2, 2.2) * size, rng.uniform(-0.5, 0.4) * size
            w, h = size * rng.uniform(0.8, 1.5), size * rng.uniform(0.5, 0.8)
            canvas.draw.ellipse(
                (x + dx - w, y + dy - h, x + dx + w, y + dy + h), fill=with_alpha(colour, 150)
            )


def _paint_mountains(canvas: Canvas, rng: random.Random) -> None:
    base = canvas.horizon + 1
    for depth in (0.55, 0.2):  # far ridge paler (air in between), near ridge darker
        rock = darkest((*(canvas.scene.ground or ()), *canvas.scene.accents))
        colour = mix(rock, canvas.scene.sky[-1], depth)
        segments = rng.randint(7, 12)
        ridge = [
            (
                canvas.width * i / segments,
                base - canvas.horizon * rng.uniform(0.08, 0.42) * (1.2 - depth),
            )
            for i in range(segments + 1)
        ]
        _fill_below(canvas, ridge, base, with_alpha(colour, 255))
        for x, y in ridge:  # snowy tips on the tallest peaks
            if y < base - canvas.horizon * 0.3:
                cap = canvas.horizon * 0.04
                canvas.draw.polygon(
                    [(x, y), (x - cap, y + cap), (x + cap, y + cap)],
                    fill=with_alpha(lighten(colour, 0.8), 220),
                )


def _paint_hills(canvas: Canvas, rng: random.Random) -> None:
    ground = canvas.height - canvas.horizon
    for step in range(3):
        base = canvas.horizon + ground * (0.05 + 0.25 * step)
        line = _wave_points(canvas, rng, base, ground * 0.12)
        colour = shaded(
            mix(canvas.ground_colour, rng.choice(canvas.scene.accents), 0.35), 1.0 - 0.15 * step
        )
        _fill_below(
            canvas, line, canvas.height, with_alpha(shaded(colour, canvas.scene.light), 255)
        )


def _paint_dunes(canvas: Canvas, rng: random.Random) -> None:
    ground = canvas.height - canvas.horizon
    for step in range(3):
        base = canvas.horizon + ground * (0.1 + 0.28 * step)
        line = _wave_points(canvas, rng, base, ground * 0.08)
        colour = mix(canvas.ground_colour, warmest(canvas.scene.accents), 0.15 + 0.1 * step)
        colour = shaded(colour, canvas.scene.light * (1.0 - 0.1 * step))
        _fill_below(canvas, line, canvas.height, with_alpha(colour, 255))


def _paint_waves(canvas: Canvas, rng: random.Random) -> None:
    ground = canvas.height - canvas.horizon
    colour = lighten(canvas.ground_colour, 0.55)
    count = 12
    for i in range(1, count + 1):
        depth = (i / count) ** 1.6  # closer together near the horizon, as in perspective
        line = _wave_points(
            canvas, rng, canvas.horizon + ground * depth, ground * 0.012 * (1 + 3 * depth)
        )
        width = max(1, round(canvas.unit * 0.003 * (1 + 2 * depth)))
        canvas.draw.line(
            line, fill=with_alpha(colour, rng.randint(80, 160)), width=width, joint="curve"
        )


def _paint_grid(canvas: Canvas, rng: random.Random) -> None:
    """A synthwave floor: lines converging on a point of the horizon."""
    colour = with_alpha(rng.choice(canvas.scene.accents), 200)
    width = max(1, round(canvas.unit * 0.004))
    top, bottom = canvas.horizon, canvas.height
    vanish_x = canvas.width * rng.uniform(0.35, 0.65)
    for i in range(1, 11):
        y = top + (bottom - top) * (i / 10) ** 2
        canvas.draw.line([(0, y), (canvas.width, y)], fill=colour, width=width)
    for i in range(-12, 13):
        foot = vanish_x + i * canvas.width / 8
        canvas.draw.line([(vanish_x, top), (foot, bottom)], fill=colour, width=width)


def _paint_skyline(canvas: Canvas, rng: random.Random) -> None:
    base = canvas.horizon + 1
    wall = mix(darkest((*canvas.scene.sky, canvas.ground_colour)), SHADES["charcoal"].rgb, 0.5)
    window = with_alpha(lighten(warmest(canvas.scene.accents), 0.3), 230)
    x = -canvas.unit * rng.uniform(0, 0.05)
    while x < canvas.width:
        w = canvas.unit * rng.uniform(0.05, 0.12)
        h = canvas.horizon * rng.uniform(0.15, 0.6)
        canvas.draw.rectangle(
            (x, base - h, x + w, base), fill=with_alpha(shaded(wall, rng.uniform(0.7, 1.2)), 255)
        )
        _paint_windows(canvas, rng, (x, base - h, x + w, base), window)
        x += w * rng.uniform(0.85, 1.05)


def _paint_windows(
    canvas: Canvas, rng: random.Random, box: tuple[float, float, float, float], fill: RGBA
) -> None:
    left, top, right, bottom = box
    columns, rows = 3, max(1, min(10, round((bottom - top) / max(right - left, 1) * 3)))
    cell_w, cell_h = (right - left) / columns, (bottom - top) / rows
    for row in range(rows):
        for col in range(columns):
            if rng.random() < 0.45:
                x, y = left + col * cell_w, top + row * cell_h
                canvas.draw.rectangle(
                    (x + cell_w * 0.3, y + cell_h * 0.3, x + cell_w * 0.7, y + cell_h * 0.7),
                    fill=fill,
                )


def _paint_trees(canvas: Canvas, rng: random.Random) -> None:
    ground_top = min(canvas.horizon, round(canvas.height * 0.8))
    # Far trees first, so nearer (lower, larger) ones overlap them.
    feet = sorted((rng.uniform(0, canvas.width), rng.uniform(0, 1) ** 1.4) for _ in range(22))
    for x, depth in sorted(feet, key=lambda foot: foot[1]):
        y = ground_top + (canvas.height - ground_top) * depth
        size = canvas.unit * (0.07 + 0.22 * depth)
        crown = shaded(
            rng.choice(vivid(canvas.scene.accents)), canvas.scene.light * (0.55 + 0.4 * depth)
        )
        _paint_tree(canvas, x, y, size, crown)


def _paint_tree(canvas: Canvas, x: float, y: float, size: float, crown: RGB) -> None:
    trunk = size * 0.08
    canvas.draw.rectangle(
        (x - trunk, y - size * 0.3, x + trunk, y), fill=with_alpha(SHADES["bark"].rgb, 255)
    )
    for tier in range(3):  # a conifer: three stacked triangles, narrower towards the top
        bottom = y - size * (0.2 + 0.25 * tier)
        half = size * (0.4 - 0.1 * tier)
        canvas.draw.polygon(
            [(x - half, bottom), (x + half, bottom), (x, bottom - size * 0.45)],
            fill=with_alpha(shaded(crown, 1.0 + 0.12 * tier), 255),
        )


def _paint_flowers(canvas: Canvas, rng: random.Random) -> None:
    ground_top = min(canvas.horizon, round(canvas.height * 0.8))
    centre_colour = with_alpha(SHADES["gold"].rgb, 255)
    for depth in sorted(rng.random() for _ in range(45)):
        x = rng.uniform(0, canvas.width)
        y = ground_top + (canvas.height - ground_top) * depth
        radius = canvas.unit * (0.006 + 0.03 * depth)
        petal = with_alpha(rng.choice(vivid(canvas.scene.accents)), 255)
        for k in range(5):
            angle = k * math.tau / 5 + depth
            _disc(
                canvas,
                x + radius * math.cos(angle),
                y + radius * math.sin(angle),
                radius * 0.7,
                petal,
            )
        _disc(canvas, x, y, radius * 0.5, centre_colour)


def _paint_cat(canvas: Canvas, rng: random.Random) -> None:
    """A sitting cat in the foreground, seen from the side."""
    fur = canvas.scene.highlight or canvas.scene.accents[0]
    size = canvas.unit * rng.uniform(0.3, 0.4)
    x, floor = canvas.width * rng.uniform(0.25, 0.75), canvas.height * 0.97
    draw_cat(canvas.draw, Spot(x, floor, size), rng.choice((-1, 1)), fur)


def draw_cat(
    draw: ImageDraw.ImageDraw, at: Spot, facing: int, colour: RGB, *, with_eyes: bool = True
) -> None:
    """A sitting cat at `at`, its head turned to `facing` (-1 or 1); without eyes it is a
    silhouette of one colour."""
    x, floor, size = at
    fur = with_alpha(colour, 255)
    body = (x - size * 0.32, floor - size * 0.75, x + size * 0.32, floor)
    draw.ellipse(body, fill=fur)
    head_x, head_y, head_r = x + facing * size * 0.12, floor - size * 0.8, size * 0.2
    draw_disc(draw, head_x, head_y, head_r, fur)
    for side in (-1, 1):  # ears
        ear_x = head_x + side * head_r * 0.55
        draw.polygon(
            [
                (ear_x - head_r * 0.35, head_y - head_r * 0.6),
                (ear_x + head_r * 0.35, head_y - head_r * 0.6),
                (ear_x + side * head_r * 0.1, head_y - head_r * 1.45),
            ],
            fill=fur,
        )
    tail = [
        (x - facing * size * (0.25 + 0.1 * i), floor - size * 0.05 * (i * i) * 0.3)
        for i in range(6)
    ]
    draw.line(tail, fill=fur, width=max(1, round(size * 0.07)), joint="curve")
    if not with_eyes:
        return
    eye = with_alpha(lighten(SHADES["lime"].rgb if fur[1] < 150 else SHADES["navy"].rgb, 0.1), 255)
    for side in (-1, 1):
        eye_x = head_x + side * head_r * 0.4 + facing * head_r * 0.2
        draw_disc(draw, eye_x, head_y, head_r * 0.13, eye)


def _paint_flames(canvas: Canvas, rng: random.Random) -> None:
    warm = [c for c in canvas.scene.accents if c[0] > c[2]] or list(canvas.scene.accents)
    for layer in range(3):  # tall dark tongues behind, short bright ones in front
        height = canvas.height * (0.55 - 0.15 * layer)
        for _ in range(9):
            x = rng.uniform(-0.05, 1.05) * canvas.width
            half = canvas.unit * rng.uniform(0.04, 0.09)
            tip = canvas.height - height * rng.uniform(0.5, 1.0)
            lean = rng.uniform(-1, 1) * half
            colour = lighten(rng.choice(warm), 0.2 * layer)
            canvas.draw.polygon(
                [
                    (x - half, canvas.height),
                    (x - half * 0.7, canvas.height - (canvas.height - tip) * 0.5),
                    (x + lean, tip),
                    (x + half * 0.7, canvas.height - (canvas.height - tip) * 0.4),
                    (x + half, canvas.height),
                ],
                fill=with_alpha(colour, 170),
            )


def _paint_bokeh(canvas: Canvas, rng: random.Random) -> None:
    for _ in range(rng.randint(25, 40)):
        colour = lighten(rng.choice(canvas.scene.accents), 0.2)
        x, y = rng.uniform(0, canvas.width), rng.uniform(0, canvas.height)
        _disc(
            canvas,
            x,
            y,
            canvas.unit * rng.uniform(0.015, 0.08),
            with_alpha(colour, rng.randint(40, 110)),
        )


def _paint_snow(canvas: Canvas, rng: random.Random) -> None:
    for _ in range(180):
        x, y = rng.uniform(0, canvas.width), rng.uniform(0, canvas.height)
        _disc(
            canvas,
            x,
            y,
            canvas.unit * rng.uniform(0.002, 0.008),
            (250, 252, 255, rng.randint(150, 240)),
        )


def _paint_rain(canvas: Canvas, rng: random.Random) -> None:
    colour = with_alpha(lighten(canvas.scene.sky[-1], 0.5), 90)
    width = max(1, round(canvas.unit * 0.002))
    for _ in range(150):
        x, y = rng.uniform(-0.1, 1) * canvas.width, rng.uniform(0, canvas.height)
        length = canvas.unit * rng.uniform(0.03, 0.07)
        canvas.draw.line([(x, y), (x + length * 0.25, y + length)], fill=colour, width=width)


PAINTERS: dict[str, Painter] = {
    "stars": _paint_stars,
    "planet": _paint_planet,
    "sun": _paint_sun,
    "moon": _paint_moon,
    "clouds": _paint_clouds,
    "mountains": _paint_mountains,
    "hills": _paint_hills,
    "dunes": _paint_dunes,
    "waves": _paint_waves,
    "grid": _paint_grid,
    "skyline": _paint_skyline,
    "trees": _paint_trees,
    "flowers": _paint_flowers,
    "cat": _paint_cat,
    "flames": _paint_flames,
    "bokeh": _paint_bokeh,
    "snow": _paint_snow,
    "rain": _paint_rain,
}


def _clamp(value: float, size: int) -> int:
    return min(max(round(value), 0), size - 1)


def _rgb(pixel: tuple[Any, ...]) -> RGB:
    return (int(pixel[0]), int(pixel[1]), int(pixel[2]))
