"""`product_ad`: a pale studio sweep tinted by the prompt's sky, a spotlight, the subject in
the prompt's colours centred on a podium with a soft shadow, a mirrored pair of props."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from PIL import Image, ImageDraw

from imagejobs.engines.colour_words import SHADES
from imagejobs.engines.pillow.brief import Brief
from imagejobs.engines.pillow.canvas import Spot, draw_disc, smooth_gradient
from imagejobs.engines.pillow.colour import RGB, lighten, opaque, shaded
from imagejobs.engines.pillow.compositing import Look, place, soft


@dataclass(frozen=True, slots=True)
class Podium:
    """A studio podium, `size` its half-width; `height` and `rim` (the half-height of its
    elliptic top) are fractions of that."""

    kind: str  # "cylinder", "tiers" or "plinth"
    colour: RGB
    height: float
    rim: float

    def top(self, base: float, size: float) -> float:
        """Where a subject stands on it; `base` is its lowest point."""
        if self.kind == "plinth":
            return base - size * (self.height + self.rim / 2)
        tiers = 2.0 if self.kind == "tiers" else 1.0
        return base - size * (self.rim + self.height * tiers)

    @property
    def reach(self) -> float:
        """How far above its base it reaches, as a multiple of `size`."""
        if self.kind == "plinth":
            return self.height + self.rim
        return 2 * self.rim + self.height * (2.0 if self.kind == "tiers" else 1.0)

    def draw(self, d: ImageDraw.ImageDraw, at: Spot) -> None:
        x, base, size = at
        rim, height = size * self.rim, size * self.height
        if self.kind == "plinth":
            top = base - height
            d.rectangle((x - size, top, x + size, base), fill=opaque(self.colour))
            face = [
                (x - size, top),
                (x + size, top),
                (x + size * 0.9, top - rim),
                (x - size * 0.9, top - rim),
            ]
            d.polygon(face, fill=opaque(lighten(self.colour, 0.35)))
            return
        floors = ((1.0, 1.0), (0.7, 2.0)) if self.kind == "tiers" else ((1.0, 1.0),)
        for half_width, level in floors:
            half = size * half_width
            bottom, top = base - rim - height * (level - 1), base - rim - height * level
            d.ellipse((x - half, bottom - rim, x + half, bottom + rim), fill=opaque(self.colour))
            d.rectangle((x - half, top, x + half, bottom), fill=opaque(self.colour))
            d.ellipse(
                (x - half, top - rim, x + half, top + rim), fill=opaque(lighten(self.colour, 0.35))
            )


def _draw_prop(kind: str, colour: RGB, d: ImageDraw.ImageDraw, at: Spot) -> None:
    x, base, size = at
    if kind == "sphere":
        draw_disc(d, x, base - size / 2, size / 2, opaque(colour))
    elif kind == "block":
        d.rectangle(
            (x - size * 0.45, base - size * 0.8, x + size * 0.45, base), fill=opaque(colour)
        )
        top = [
            (x - size * 0.45, base - size * 0.8),
            (x + size * 0.45, base - size * 0.8),
            (x + size * 0.35, base - size),
            (x - size * 0.35, base - size),
        ]
        d.polygon(top, fill=opaque(lighten(colour, 0.35)))
    else:
        d.polygon(
            [(x - size * 0.45, base), (x, base - size * 1.05), (x + size * 0.45, base)],
            fill=opaque(colour),
        )


def paint(brief: Brief, width: int, height: int) -> Image.Image:
    rng = brief.rng("product_ad")
    unit = min(width, height)
    x = width / 2
    finish = brief.finish()
    tint = rng.choice([brief.scene.sky[-1], brief.scene.sky[0]])
    # A pale studio sweep, or a coloured one when the negative prompt excludes white.
    pale = 0.8 if brief.excluded.allows(SHADES["white"]) else 0.4
    floor = round(height * 0.64)
    image = Image.new("RGB", (width, height))
    wall = [lighten(tint, pale - 0.16), lighten(tint, pale + 0.1)]
    image.paste(smooth_gradient(wall, width, max(floor, 1)))
    if floor < height:
        ground = [
            lighten(tint, pale + 0.1),
            lighten(tint, pale - 0.02),
            lighten(tint, pale - 0.2),
        ]
        image.paste(smooth_gradient(ground, width, height - floor), (0, floor))
    light = rng.choice((-0.6, 0.6))  # from one side of the camera: modelled, yet near symmetric
    spot = x + light * unit * 0.1
    soft(
        image,
        (spot - unit * 0.6, -unit * 0.2, spot + unit * 0.6, floor + unit * 0.2),
        (255, 255, 255),
        0.75,
    )

    shadow = shaded(tint, 0.3)
    base = height * 0.88
    half = unit * rng.uniform(0.2, 0.27)
    kind = rng.choice(("cylinder", "tiers", "plinth"))
    pastels = [lighten(tint, 0.55), lighten(finish.detail, 0.45), lighten(finish.body, 0.6)]
    plaster = SHADES["white"]
    podium = Podium(
        kind=kind,
        colour=rng.choice([*pastels, plaster.rgb if brief.excluded.allows(plaster) else tint]),
        # Two tiers, each lower, stand about as tall as one.
        height=rng.uniform(0.35, 0.55) * (0.6 if kind == "tiers" else 1.0),
        rim=0.2,
    )
    soft(
        image, (x - half * 1.7, base - half * 0.5, x + half * 1.7, base + half * 0.25), shadow, 0.6
    )
    place(image, podium.draw, Spot(x, base, half), Look(light=light, reach=podium.reach + 0.05))

    # A mirrored pair of props on the floor, either side of the podium.
    prop = partial(
        _draw_prop,
        rng.choice(("sphere", "block", "cone")),
        rng.choice([*finish.extras, finish.detail]),
    )
    prop_size = unit * rng.uniform(0.08, 0.12)
    prop_gap = half + unit * rng.uniform(0.09, 0.13)
    for side in (-1, 1):
        prop_x = x + side * prop_gap
        soft(
            image,
            (
                prop_x - prop_size,
                base - prop_size * 0.25,
                prop_x + prop_size,
                base + prop_size * 0.15,
            ),
            shadow,
            0.55,
        )
        place(
            image,
            prop,
            Spot(prop_x, base - unit * 0.01, prop_size),
            Look(light=light, round_=prop.args[0] == "sphere"),
        )

    size = unit * 0.44
    stand = podium.top(base, half)
    soft(
        image,
        (x - size * 0.42, stand - half * 0.14, x + size * 0.42, stand + half * 0.12),
        shadow,
        0.7,
    )
    place(
        image,
        brief.subject_drawing(finish),
        Spot(x, stand, size),
        Look(light=light, round_=brief.round_subject),
    )
    return image
