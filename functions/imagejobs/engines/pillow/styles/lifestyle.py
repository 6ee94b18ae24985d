"""`lifestyle`: the prompt's scene out of focus behind a tabletop, warm window light and bokeh,
the subject in focus on a third of the frame with a cast shadow."""

from __future__ import annotations

import math

from PIL import Image, ImageDraw, ImageFilter

from imagejobs.engines.colour_words import SHADES, Shade
from imagejobs.engines.pillow import plain
from imagejobs.engines.pillow.brief import Brief
from imagejobs.engines.pillow.canvas import Spot, draw_disc, line_width, smooth_gradient
from imagejobs.engines.pillow.colour import (
    hsv,
    lighten,
    mix,
    muted,
    shaded,
    vivid,
    with_alpha,
)
from imagejobs.engines.pillow.compositing import Look, SoftShapes, place, soft
from imagejobs.engines.pillow.subjects import leaf
from imagejobs.engines.pillow.vocabulary import nearest_family


def _warm_grade(value: int, gain: float, lift: int) -> int:
    return min(255, round(lift + value * gain))


# Warm, soft light: reds up, blues down, blacks lifted a little (one lookup-table pass).
WARM_LUT = [
    *(_warm_grade(v, 1.02, 22) for v in range(256)),
    *(_warm_grade(v, 0.94, 14) for v in range(256)),
    *(_warm_grade(v, 0.8, 8) for v in range(256)),
]
DAYLIGHT_LUT = [_warm_grade(v, 0.92, 16) for v in range(256)] * 3
WARM_LIGHT = Shade((255, 206, 140), "orange")


def paint(brief: Brief, width: int, height: int) -> Image.Image:
    rng = brief.rng("lifestyle")
    unit = min(width, height)
    x = width * rng.choice((1 / 3, 2 / 3))
    light = 1.0 if x < width / 2 else -1.0  # from the window on the far side
    table = round(height * rng.uniform(0.64, 0.72))
    warm = brief.excluded.allows(WARM_LIGHT)
    glow = WARM_LIGHT.rgb if warm else (236, 242, 255)

    # The prompt's own scene behind, in the window's light, with bokeh, out of focus: all of
    # it painted at up to a quarter of the size (no coarser than 128 pixels across), blurred
    # and stretched, which costs little.
    shrink = max(1, min(4, unit // 128))
    small = (max(1, width // shrink), max(1, height // shrink))
    view = plain.paint(brief.scene, *small, brief.prompt, brief.seed)
    view = view.point(WARM_LUT if warm else DAYLIGHT_LUT)
    reach, window = min(small), small[0] if light > 0 else 0
    soft(view, (window - reach, -reach * 0.7, window + reach, reach * 0.9), glow, 0.8)
    view = view.filter(ImageFilter.GaussianBlur(max(small) / 70))
    draw = ImageDraw.Draw(view, "RGBA")
    bokeh = [glow, *(lighten(c, 0.5) for c in vivid(brief.scene.accents))][:3]
    for _ in range(24):  # out-of-focus lights: discs, blurred less than what is behind them
        spot_x, spot_y = rng.uniform(0, small[0]), rng.uniform(0, small[1] * table / height)
        spot = with_alpha(rng.choice(bokeh), rng.randint(70, 160))
        draw_disc(draw, spot_x, spot_y, reach * rng.uniform(0.025, 0.065), spot)
    view = view.filter(ImageFilter.GaussianBlur(max(small) / 180))
    image = view.resize((width, height), Image.Resampling.BICUBIC)

    # Oak; bleached when the negative prompt excludes brown, or the orange oak looks like.
    oak = SHADES["ochre"]
    looks_like = nearest_family(hsv(oak.rgb)[0])
    if brief.excluded.allows(oak) and looks_like not in brief.excluded.families:
        wood = oak.rgb
    else:
        wood = muted(oak.rgb, 0.1, 0.8)
    wood = mix(wood, brief.scene.ground[0] if brief.scene.ground else brief.lead, 0.2)
    if table < height:
        top = lighten(wood, 0.2) if warm else wood
        stops = [top, wood, shaded(wood, 0.62)]
        image.paste(smooth_gradient(stops, width, height - table), (0, table))
    draw = ImageDraw.Draw(image, "RGBA")
    draw.line(
        [(0, table), (width, table)],
        fill=with_alpha(lighten(wood, 0.55), 200),
        width=line_width(unit * 0.006),
    )
    for k in range(5):  # grain of the wood, wider apart nearer the camera
        y = table + (height - table) * ((k + 1) / 6) ** 1.3
        wave = [(width * i / 12, y + unit * 0.006 * math.sin(i * 1.7 + k)) for i in range(13)]
        draw.line(wave, fill=with_alpha(shaded(wood, 0.6), 70), width=line_width(unit * 0.004))

    size = unit * 0.42
    base = table + (height - table) * 0.45
    shadow = shaded(wood, 0.35)
    away = x - light * size * 0.35
    soft(
        image,
        (away - size * 0.55, base - size * 0.08, away + size * 0.55, base + size * 0.08),
        shadow,
        0.6,
    )
    place(
        image,
        brief.subject_drawing(brief.finish()),
        Spot(x, base, size),
        Look(light=light, round_=brief.round_subject),
    )

    # Leaves of a plant close to the lens, far out of focus, on the side of the window.
    foliage = brief.finish().foliage
    corner = width if light > 0 else 0

    def leaves(draw: ImageDraw.ImageDraw, w: float, h: float) -> None:
        for k in range(7):
            angle = (k / 6 - 0.5) * 2.6 + rng.uniform(-0.1, 0.1)
            draw.polygon(leaf(w / 2, h, angle, min(w, h) * rng.uniform(0.55, 0.95)), fill=255)

    plant = (corner - unit * 0.4, height - unit * 0.45, corner + unit * 0.4, height + unit * 0.05)
    soft(image, plant, shaded(foliage, 0.4), 0.85, SoftShapes(leaves, softness=0.025))
    return image
