"""Style presets of the built-in renderer: the prompt's colours and subject, composed anew.

`none` is the plain scene of `pillow_renderer.paint`. Every other style keeps what the prompt
brings (its colours, and a subject: a word such as "bottle" or "cat", else one of its motifs,
else a product chosen by the prompt's hash) and changes both the palette and the composition:

- `product_ad`: a pale studio sweep tinted by the prompt's sky, a spotlight, the subject in
  the prompt's colours centred on a podium with a soft shadow, a mirrored pair of props.
- `lifestyle`: the prompt's scene out of focus behind a tabletop, warm window light and bokeh,
  the subject in focus on a third of the frame with a cast shadow.
- `minimalist`: one flat muted field from the prompt's sky (dark for a dark sky), the scene's
  ground as a second flat band, one small flat subject in a muted prompt colour off-centre;
  no texture, light or vignette.
- `vibrant`: a radial burst in the complement of the prompt's colour, a target, halftone
  dots, confetti, and the subject in the saturated prompt colour with a hard pop-art shadow.
- `luxury`: a near-black backdrop tinted by the prompt, a thin gold frame, a symmetric gold
  ornament (fan, arches or halo) behind the subject on a dark plinth, gold rim light, sparkles.

The negative prompt works as in `none` (colours, motifs and themes leave the scene these
styles start from), and also reaches what the styles add: a subject word or motif it names is
not chosen as the subject; "gold" (or "yellow") turns luxury's and product_ad's metal to
silver, then to the prompt's lightest colour; "white" gives product_ad a coloured backdrop
instead of a pale one; "orange" takes lifestyle's warm light out (neutral daylight), and
"brown" or "orange" bleaches its oak table; "black" and "blue" move luxury's backdrop to
another dark; vibrant's complement and accents skip excluded hues.

Cost: a fixed number of vector primitives at full size; soft things (glows, shadows, the
out-of-focus backdrop) are drawn small, blurred there and stretched to the part of the picture
they cover; subjects are drawn in a layer of their own box (at twice their size while small,
for smooth edges). Every pass over pixels costs in proportion to their number, never more,
so a style's cost grows linearly with the picture.
"""

from __future__ import annotations

import colorsys
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from PIL import Image, ImageChops, ImageDraw, ImageFilter

from imagejobs.engines.base import Style
from imagejobs.engines.pillow_renderer import (
    MOTIF_WORDS,
    RGB,
    SHADES,
    STOPWORDS,
    Exclusions,
    Scene,
    Shade,
    _alpha,
    _darkest,
    _digest,
    _gradient,
    _lighten,
    _lightest,
    _lookup,
    _mix,
    _nearest_family,
    _rng,
    _shade,
    _vivid,
    _words,
    draw_cat,
    draw_disc,
    paint,
)

# --------------------------------------------------------------------------- the subject

# Words of a prompt that name a subject the styles can draw.
SUBJECT_WORDS: dict[str, str] = {
    **dict.fromkeys(("bottle", "perfume", "wine", "potion", "drink", "beer", "soda"), "bottle"),
    **dict.fromkeys(("box", "gift", "present", "package", "parcel"), "box"),
    **dict.fromkeys(("ball", "sphere", "orb", "pearl", "apple", "fruit", "bubble"), "sphere"),
    **dict.fromkeys(("cup", "mug", "coffee", "tea", "teacup", "teapot", "latte"), "cup"),
    **dict.fromkeys(("vase", "bouquet", "flower"), "vase"),
    **dict.fromkeys(("plant", "cactus", "bonsai", "tree", "houseplant"), "plant"),
    **dict.fromkeys(("candle", "lantern", "fire", "flame"), "candle"),
    **dict.fromkeys(("tower", "building", "skyscraper", "city", "skyline", "lighthouse"), "tower"),
    **dict.fromkeys(("cat", "kitten"), "cat"),
    **dict.fromkeys(("planet", "saturn"), "planet"),
    **dict.fromkeys(("star",), "star"),
    **dict.fromkeys(("mountain", "peak", "pyramid", "alps"), "peak"),
    **dict.fromkeys(("drop", "droplet", "water", "serum", "ocean", "sea"), "drop"),
    **dict.fromkeys(("jar", "lotion", "cosmetic", "skincare", "honey", "balm"), "jar"),
}
# Without a subject word, the scene's motifs suggest one, in this order.
MOTIF_SUBJECTS: dict[str, str] = {
    "cat": "cat",
    "flowers": "vase",
    "trees": "plant",
    "skyline": "tower",
    "flames": "candle",
    "planet": "planet",
    "mountains": "peak",
    "waves": "drop",
    "rain": "drop",
    "sun": "sphere",
    "moon": "sphere",
    "stars": "star",
    "bokeh": "sphere",
    "dunes": "peak",
}
# What a prompt with neither gets, by its hash.
PRODUCTS = ("bottle", "box", "sphere", "cup", "jar")
# Lit like a ball rather than a cylinder.
ROUND_SUBJECTS = frozenset({"sphere", "planet", "drop"})


def choose_subject(prompt: str, scene: Scene, negative_prompt: str | None) -> str:
    """The thing a style puts in front: named by the prompt, else suggested by its motifs."""
    negative = _words(negative_prompt or "")
    excluded = {s for w in negative if (s := _lookup(SUBJECT_WORDS, w))}
    excluded |= {
        MOTIF_SUBJECTS[m] for w in negative if (m := _lookup(MOTIF_WORDS, w)) in MOTIF_SUBJECTS
    }
    named = [s for w in _words(prompt) if w not in STOPWORDS and (s := _lookup(SUBJECT_WORDS, w))]
    suggested = [MOTIF_SUBJECTS[m] for m in MOTIF_SUBJECTS if m in scene.motifs]
    for subject in (*named, *suggested):
        if subject not in excluded:
            return subject
    products = [p for p in PRODUCTS if p not in excluded] or list(PRODUCTS)
    return products[_digest(prompt, "product")[0] % len(products)]


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


# A subject drawer paints in layer coordinates: centred on x, standing on `base`, `size` tall.
SubjectDrawer = Callable[[ImageDraw.ImageDraw, float, float, float, Finish, random.Random], None]


def _fill(colour: RGB) -> tuple[int, int, int, int]:
    return _alpha(colour, 255)


def _width(value: float) -> int:
    return max(1, round(value))


def _draw_bottle(
    d: ImageDraw.ImageDraw, x: float, base: float, size: float, f: Finish, rng: random.Random
) -> None:
    width = size * rng.uniform(0.4, 0.52)
    body_top = base - size * rng.uniform(0.54, 0.62)
    shoulder = width * 0.28
    d.rounded_rectangle(
        (x - width / 2, body_top, x + width / 2, base),
        radius=width * 0.16,
        fill=_fill(f.body),
        corners=(False, False, True, True),  # the shoulder rounds the top
    )
    d.ellipse(
        (x - width / 2, body_top - shoulder, x + width / 2, body_top + shoulder), _fill(f.body)
    )
    neck_top = body_top - shoulder - size * 0.08
    d.rectangle((x - width * 0.17, neck_top, x + width * 0.17, body_top), fill=_fill(f.body))
    cap = width * 0.26
    d.rounded_rectangle(
        (x - cap, base - size, x + cap, neck_top + size * 0.01),
        radius=cap * 0.3,
        fill=_fill(f.trim),
    )
    label = (x - width * 0.36, base - size * 0.4, x + width * 0.36, base - size * 0.2)
    d.rounded_rectangle(label, radius=width * 0.05, fill=_fill(f.detail))
    y = (label[1] + label[3]) / 2
    d.rectangle(
        (x - width * 0.24, y - size * 0.012, x + width * 0.24, y + size * 0.012), _fill(f.trim)
    )


def _draw_box(
    d: ImageDraw.ImageDraw, x: float, base: float, size: float, f: Finish, rng: random.Random
) -> None:
    half = size * rng.uniform(0.38, 0.47)
    top, lid = base - size * 0.6, size * 0.15
    d.rectangle((x - half, top, x + half, base), fill=_fill(f.body))
    d.rectangle((x - half * 1.08, top - lid, x + half * 1.08, top + lid * 0.2), _fill(f.body))
    d.line(
        [(x - half * 1.08, top + lid * 0.2), (x + half * 1.08, top + lid * 0.2)],
        _fill(_shade(f.body, 0.7)),
        _width(size * 0.012),
    )
    band = size * 0.06
    d.rectangle((x - band, top - lid, x + band, base), fill=_fill(f.trim))
    loop_w, loop_h, knot_y = size * 0.2, size * 0.13, top - lid
    for side in (-1, 1):
        d.ellipse(
            (
                x + min(0, side) * loop_w,
                knot_y - loop_h,
                x + max(0, side) * loop_w,
                knot_y + loop_h * 0.2,
            ),
            outline=_fill(f.trim),
            width=_width(size * 0.04),
        )
    draw_disc(d, x, knot_y, size * 0.045, _fill(f.trim))


def _draw_sphere(
    d: ImageDraw.ImageDraw, x: float, base: float, size: float, f: Finish, rng: random.Random
) -> None:
    radius = size * 0.5 * rng.uniform(0.85, 1.0)
    draw_disc(d, x, base - radius, radius, _fill(f.body))


def _draw_cup(
    d: ImageDraw.ImageDraw, x: float, base: float, size: float, f: Finish, rng: random.Random
) -> None:
    width = size * rng.uniform(0.5, 0.6)
    top, bottom = base - size * 0.6, base - size * 0.07
    d.ellipse((x - width * 0.85, base - size * 0.1, x + width * 0.85, base), fill=_fill(f.trim))
    d.ellipse(
        (x + width * 0.3, top + size * 0.08, x + width * 0.72, top + size * 0.36),
        outline=_fill(f.body),
        width=_width(size * 0.055),
    )
    d.polygon(_tapered(x, width, top, bottom, 0.38), fill=_fill(f.body))
    d.ellipse(
        (x - width * 0.38, bottom - size * 0.05, x + width * 0.38, bottom + size * 0.03),
        _fill(f.body),
    )
    d.ellipse(
        (x - width / 2, top - size * 0.05, x + width / 2, top + size * 0.05),
        _fill(_lighten(f.body, 0.3)),
    )
    d.ellipse(
        (x - width * 0.43, top - size * 0.035, x + width * 0.43, top + size * 0.04), _fill(f.detail)
    )
    if f.is_flat:
        return
    steam = _alpha(_lighten(f.detail, 0.7), 150)
    for k in (-1, 0, 1):  # three wisps of steam
        points = [
            (
                x + k * width * 0.22 + math.sin(i * 1.3 + k) * size * 0.03,
                top - size * (0.08 + 0.035 * i),
            )
            for i in range(8)
        ]
        d.line(points, fill=steam, width=_width(size * 0.02), joint="curve")


def _draw_vase(
    d: ImageDraw.ImageDraw, x: float, base: float, size: float, f: Finish, rng: random.Random
) -> None:
    width = size * 0.34
    neck = base - width * 1.3
    stems = rng.randint(5, 7)
    for k in range(stems):
        angle = (k / (stems - 1) - 0.5) * 1.1 + rng.uniform(-0.08, 0.08)
        reach = size * rng.uniform(0.52, 0.62)
        head = (x + math.sin(angle) * reach * 0.75, neck - math.cos(angle) * reach)
        d.line([(x, neck), head], fill=_fill(f.foliage), width=_width(size * 0.016))
        petal = f.extras[k % len(f.extras)]
        radius = size * rng.uniform(0.045, 0.065)
        for p in range(5):
            turn = p * math.tau / 5 + angle
            draw_disc(
                d,
                head[0] + radius * math.cos(turn),
                head[1] + radius * math.sin(turn),
                radius * 0.75,
                _fill(petal),
            )
        draw_disc(d, head[0], head[1], radius * 0.55, _fill(f.trim))
    d.ellipse((x - width / 2, base - width * 1.05, x + width / 2, base), fill=_fill(f.body))
    d.polygon(
        [
            (x - width * 0.2, base - width * 0.8),
            (x - width * 0.14, neck),
            (x + width * 0.14, neck),
            (x + width * 0.2, base - width * 0.8),
        ],
        fill=_fill(f.body),
    )
    d.rectangle(
        (x - width * 0.2, neck - size * 0.025, x + width * 0.2, neck + size * 0.01), _fill(f.trim)
    )


def _leaf(x: float, y: float, angle: float, length: float) -> list[tuple[float, float]]:
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


def _draw_plant(
    d: ImageDraw.ImageDraw, x: float, base: float, size: float, f: Finish, rng: random.Random
) -> None:
    pot_w, pot_h = size * 0.42, size * 0.3
    soil = base - pot_h
    leaves = rng.randint(7, 10)
    for k in range(leaves):
        angle = (k / (leaves - 1) - 0.5) * 2.4 + rng.uniform(-0.12, 0.12)
        colour = _shade(f.foliage, 1.0 - 0.25 * (k % 2)) if not f.is_flat else f.foliage
        d.polygon(_leaf(x, soil, angle, size * rng.uniform(0.42, 0.68)), fill=_fill(colour))
    d.polygon(_tapered(x, pot_w, soil, base, 0.36), fill=_fill(f.body))
    d.rectangle(
        (x - pot_w * 0.56, soil - size * 0.05, x + pot_w * 0.56, soil + size * 0.03), _fill(f.trim)
    )


def _draw_cat_subject(
    d: ImageDraw.ImageDraw, x: float, base: float, size: float, f: Finish, rng: random.Random
) -> None:
    draw_cat(d, x, base, size * 0.88, rng.choice((-1, 1)), f.body, with_eyes=not f.is_flat)


def _draw_planet(
    d: ImageDraw.ImageDraw, x: float, base: float, size: float, f: Finish, rng: random.Random
) -> None:
    radius = size * rng.uniform(0.3, 0.36)
    y = base - size * 0.5
    ring = (x - radius * 1.75, y - radius * 0.42, x + radius * 1.75, y + radius * 0.42)
    tilt_width = _width(size * 0.035)
    d.arc(ring, 180, 360, fill=_fill(f.trim), width=tilt_width)  # behind the planet
    draw_disc(d, x, y, radius, _fill(f.body))
    d.arc(ring, 0, 180, fill=_fill(f.trim), width=tilt_width)  # in front


def _draw_star(
    d: ImageDraw.ImageDraw, x: float, base: float, size: float, f: Finish, rng: random.Random
) -> None:
    outer, inner = size * 0.55, size * rng.uniform(0.21, 0.26)
    y = base - outer * math.cos(math.pi / 5)  # its two lower points touch the base
    points = [
        (
            x + (outer if k % 2 == 0 else inner) * math.sin(k * math.pi / 5),
            y - (outer if k % 2 == 0 else inner) * math.cos(k * math.pi / 5),
        )
        for k in range(10)
    ]
    d.polygon(points, fill=_fill(f.body))


def _draw_peak(
    d: ImageDraw.ImageDraw, x: float, base: float, size: float, f: Finish, rng: random.Random
) -> None:
    half = size * rng.uniform(0.5, 0.62)
    apex = (x + size * rng.uniform(-0.08, 0.08), base - size * 0.85)
    d.polygon([(x - half, base), apex, (x + half, base)], fill=_fill(f.body))
    if not f.is_flat:
        d.polygon(
            [apex, (x + half, base), (apex[0] + half * 0.15, base)], _fill(_shade(f.body, 0.72))
        )

    def along(end: float, t: float) -> tuple[float, float]:
        return (apex[0] + (end - apex[0]) * t, apex[1] + (base - apex[1]) * t)

    cap = [apex, along(x + half, 0.3), along(x + half * 0.4, 0.22), (apex[0], apex[1] + size * 0.2)]
    cap += [along(x - half * 0.4, 0.22), along(x - half, 0.3)]
    d.polygon(cap, fill=_fill(f.detail))


def _draw_tower(
    d: ImageDraw.ImageDraw, x: float, base: float, size: float, f: Finish, rng: random.Random
) -> None:
    width = size * rng.uniform(0.26, 0.34)
    top = base - size * 0.76
    d.line(
        [(x, top - size * 0.14), (x, base - size)], fill=_fill(f.trim), width=_width(size * 0.014)
    )
    d.rectangle((x - width / 2, top, x + width / 2, base), fill=_fill(f.body))
    d.rectangle((x - width * 0.36, top - size * 0.08, x + width * 0.36, top), fill=_fill(f.body))
    d.rectangle(
        (x - width * 0.2, top - size * 0.14, x + width * 0.2, top - size * 0.08), _fill(f.body)
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
                    fill=_fill(f.detail),
                )
    d.rectangle((x - width * 0.62, base - size * 0.04, x + width * 0.62, base), fill=_fill(f.trim))


def _draw_candle(
    d: ImageDraw.ImageDraw, x: float, base: float, size: float, f: Finish, rng: random.Random
) -> None:
    width = size * rng.uniform(0.28, 0.36)
    top = base - size * rng.uniform(0.52, 0.6)
    d.ellipse((x - width * 0.85, base - size * 0.07, x + width * 0.85, base), fill=_fill(f.trim))
    d.rectangle((x - width / 2, top, x + width / 2, base - size * 0.035), fill=_fill(f.body))
    d.ellipse(
        (x - width / 2, top - width * 0.12, x + width / 2, top + width * 0.12),
        _fill(_lighten(f.body, 0.25)),
    )
    d.line(
        [(x, top), (x, top - size * 0.06)],
        fill=_fill(_shade(f.body, 0.3)),
        width=_width(size * 0.012),
    )
    flame_y, flame_r = top - size * 0.13, size * 0.05
    flame = [
        (
            x + flame_r * math.sin(t) * abs(math.sin(t / 2)) ** 0.8,
            flame_y - size * 0.12 * math.cos(t),
        )
        for t in (i * math.tau / 24 for i in range(24))
    ]
    d.polygon(flame, fill=_fill(f.detail))
    if not f.is_flat:
        draw_disc(d, x, flame_y + size * 0.04, flame_r * 0.45, _fill(_lighten(f.detail, 0.6)))


def _draw_drop(
    d: ImageDraw.ImageDraw, x: float, base: float, size: float, f: Finish, rng: random.Random
) -> None:
    half = size * 0.5
    width = size * rng.uniform(0.36, 0.44)
    points = [
        (x + width * math.sin(t) * math.sin(t / 2) ** 1.3, base - half - half * math.cos(t))
        for t in (i * math.tau / 40 for i in range(40))
    ]
    d.polygon(points, fill=_fill(f.body))


def _draw_jar(
    d: ImageDraw.ImageDraw, x: float, base: float, size: float, f: Finish, rng: random.Random
) -> None:
    width = size * rng.uniform(0.62, 0.78)
    body_top = base - size * 0.42
    d.rounded_rectangle(
        (x - width / 2, body_top, x + width / 2, base), radius=width * 0.1, fill=_fill(f.body)
    )
    d.rounded_rectangle(
        (x - width * 0.53, body_top - size * 0.2, x + width * 0.53, body_top + size * 0.02),
        radius=width * 0.06,
        fill=_fill(f.trim),
    )
    d.rectangle(
        (x - width / 2, body_top + size * 0.12, x + width / 2, body_top + size * 0.28),
        _fill(f.detail),
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


# --------------------------------------------------------------------------- layers and light

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


Draw = Callable[[ImageDraw.ImageDraw, float, float, float], None]  # (draw, x, base, size)


def _place(
    image: Image.Image,
    drawing: Draw,
    x: float,
    base: float,
    size: float,
    *,
    light: float | None,
    round_: bool = False,
    outline: tuple[RGB, float] | None = None,
    shadow: tuple[RGB, float] | None = None,
    reach: float = 1.25,
) -> None:
    """Draw `drawing` (centred on x, standing on base, about `size` tall) onto `image`.

    It is drawn in a layer of its own box (`size` either side, `reach` times `size` above
    base), larger by SUPERSAMPLE while small enough to need it, then scaled down. `light` is
    where the light comes from (-1 left, 0 front, 1 right), None for flat colour; `outline`
    (colour, width) draws a rim around it, `shadow` (colour, offset) a hard shadow below and to
    the right; widths and offsets are fractions of `size`.
    """
    if size < MIN_DETAIL:
        return  # too small to show anything, and degenerate shapes trip Pillow's checks
    left, top = math.floor(x - size), math.floor(base - size * reach)
    right, bottom = math.ceil(x + size), math.ceil(base + size * 0.05)
    scale = SUPERSAMPLE if size <= SUPERSAMPLE_UP_TO else 1
    layer = Image.new("RGBA", ((right - left) * scale, (bottom - top) * scale), (0, 0, 0, 0))
    drawing(ImageDraw.Draw(layer), (x - left) * scale, (base - top) * scale, size * scale)
    if outline is not None:  # the silhouette in the outline's colour, nudged four ways, behind
        colour, width = outline
        rim, silhouette = round(size * scale * width), layer.getchannel("A")
        rimmed = Image.new("RGBA", layer.size, (0, 0, 0, 0))
        for dx, dy in ((-rim, 0), (rim, 0), (0, -rim), (0, rim)):
            rimmed.paste(
                _alpha(colour, 255), (dx, dy, dx + layer.width, dy + layer.height), silhouette
            )
        rimmed.alpha_composite(layer)
        layer = rimmed
    if scale != 1:
        layer = layer.resize((right - left, bottom - top), Image.Resampling.BOX)
    if light is not None:
        _light(layer, light, round_)
    if shadow is not None:
        colour, offset = shadow
        at = (left + round(size * offset), top + round(size * offset))
        image.paste(colour, (*at, at[0] + layer.width, at[1] + layer.height), layer.getchannel("A"))
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


def _smooth_gradient(stops: Sequence[RGB], width: int, height: int) -> Image.Image:
    """A vertical gradient without the kinks a few stretched stops leave at each stop."""
    steps = 32
    colours = []
    for i in range(steps):
        position = i / (steps - 1) * (len(stops) - 1)
        k = min(int(position), len(stops) - 2)
        colours.append(_mix(stops[k], stops[k + 1], position - k))
    return _gradient(colours, width, height)


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


def _soft(
    image: Image.Image,
    box: tuple[float, float, float, float],
    colour: RGB,
    strength: float,
    shapes: Callable[[ImageDraw.ImageDraw, float, float], None] | None = None,
    softness: float = 0.18,
) -> None:
    """Lay `colour` over `box` through a soft mask: by default a glow filling the box's ellipse,
    else `shapes(draw, width, height)` drawn white in a small mask. The mask is drawn and blurred
    at most SOFT_SIDE pixels across and stretched, so its cost does not grow with softness."""
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
        shapes(draw, small[0], small[1])
        if strength < 1:
            mask = mask.point(lambda v: round(v * strength))
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


# --------------------------------------------------------------------------- colour


def _hsv(colour: RGB) -> tuple[float, float, float]:
    return colorsys.rgb_to_hsv(*(c / 255 for c in colour))


def _from_hsv(hue: float, saturation: float, value: float) -> RGB:
    r, g, b = colorsys.hsv_to_rgb(hue % 1.0, saturation, value)
    return (round(r * 255), round(g * 255), round(b * 255))


def _muted(colour: RGB, saturation: float, value: float) -> RGB:
    hue, own, _ = _hsv(colour)
    return _from_hsv(hue, min(own, saturation), value)


def _allowed_hue(hue: float, excluded: Exclusions) -> float:
    """`hue`, or the nearest hue whose colour family the negative prompt has not excluded."""
    for step in range(10):
        for sign in (1, -1):
            candidate = (hue + sign * step * 0.05) % 1.0
            if _nearest_family(candidate) not in excluded.families:
                return candidate
    return hue


GOLD = Shade((214, 170, 72), "yellow")
SILVER = SHADES["silver"]


def _metal(brief: Brief) -> RGB:
    """Gold, or silver when the negative prompt excludes gold, or the prompt's lightest."""
    for metal in (GOLD, SILVER):
        if brief.excluded.allows(metal):
            return metal.rgb
    return _lighten(_lightest(brief.scene.accents), 0.3)


@dataclass(frozen=True, slots=True)
class Brief:
    """What a style works from: the prompt's scene and subject, and the negative prompt."""

    scene: Scene
    subject: str
    excluded: Exclusions
    prompt: str
    seed: int

    def rng(self, *parts: object) -> random.Random:
        return _rng(self.prompt, self.seed, self.subject, *parts)

    @property
    def lead(self) -> RGB:
        """The prompt's own colour: the first it names, else its most vivid."""
        return self.scene.highlight or _vivid(self.scene.accents)[0]

    def finish(self) -> Finish:
        """The prompt's colours on the subject: its own colour for the body, the colour
        farthest from it for details, the style's metal for trim."""
        body = self.lead
        others = [c for c in (*self.scene.accents, *self.scene.sky) if c != body]
        detail = max(others, key=lambda c: math.dist(c, body)) if others else _lighten(body, 0.6)
        green = SHADES["green"]
        foliage = green.rgb if self.excluded.allows(green) else _shade(body, 0.6)
        return Finish(
            body=body,
            detail=detail,
            trim=_metal(self),
            foliage=foliage,
            extras=tuple(_vivid(self.scene.accents)),
        )

    def subject_drawing(self, finish: Finish, *parts: object) -> Draw:
        """The subject in `finish`; its proportions depend on the seed."""
        drawer = SUBJECT_DRAWERS[self.subject]

        def draw(d: ImageDraw.ImageDraw, x: float, base: float, size: float) -> None:
            drawer(d, x, base, size, finish, self.rng("subject", *parts))

        return draw

    @property
    def round_subject(self) -> bool:
        return self.subject in ROUND_SUBJECTS


# --------------------------------------------------------------------------- the styles


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

    def draw(self, d: ImageDraw.ImageDraw, x: float, base: float, size: float) -> None:
        rim, height = size * self.rim, size * self.height
        if self.kind == "plinth":
            top = base - height
            d.rectangle((x - size, top, x + size, base), fill=_fill(self.colour))
            face = [
                (x - size, top),
                (x + size, top),
                (x + size * 0.9, top - rim),
                (x - size * 0.9, top - rim),
            ]
            d.polygon(face, fill=_fill(_lighten(self.colour, 0.35)))
            return
        floors = ((1.0, 1.0), (0.7, 2.0)) if self.kind == "tiers" else ((1.0, 1.0),)
        for half_width, level in floors:
            half = size * half_width
            bottom, top = base - rim - height * (level - 1), base - rim - height * level
            d.ellipse((x - half, bottom - rim, x + half, bottom + rim), fill=_fill(self.colour))
            d.rectangle((x - half, top, x + half, bottom), fill=_fill(self.colour))
            d.ellipse(
                (x - half, top - rim, x + half, top + rim), fill=_fill(_lighten(self.colour, 0.35))
            )


def _draw_prop(
    kind: str, colour: RGB, d: ImageDraw.ImageDraw, x: float, base: float, size: float
) -> None:
    if kind == "sphere":
        draw_disc(d, x, base - size / 2, size / 2, _fill(colour))
    elif kind == "block":
        d.rectangle((x - size * 0.45, base - size * 0.8, x + size * 0.45, base), fill=_fill(colour))
        top = [
            (x - size * 0.45, base - size * 0.8),
            (x + size * 0.45, base - size * 0.8),
            (x + size * 0.35, base - size),
            (x - size * 0.35, base - size),
        ]
        d.polygon(top, fill=_fill(_lighten(colour, 0.35)))
    else:
        d.polygon(
            [(x - size * 0.45, base), (x, base - size * 1.05), (x + size * 0.45, base)],
            fill=_fill(colour),
        )


def _product_ad(brief: Brief, width: int, height: int) -> Image.Image:
    rng = brief.rng("product_ad")
    unit = min(width, height)
    x = width / 2
    finish = brief.finish()
    tint = rng.choice([brief.scene.sky[-1], brief.scene.sky[0]])
    # A pale studio sweep, or a coloured one when the negative prompt excludes white.
    pale = 0.8 if brief.excluded.allows(SHADES["white"]) else 0.4
    floor = round(height * 0.64)
    image = Image.new("RGB", (width, height))
    wall = [_lighten(tint, pale - 0.16), _lighten(tint, pale + 0.1)]
    image.paste(_smooth_gradient(wall, width, max(floor, 1)))
    if floor < height:
        ground = [
            _lighten(tint, pale + 0.1),
            _lighten(tint, pale - 0.02),
            _lighten(tint, pale - 0.2),
        ]
        image.paste(_smooth_gradient(ground, width, height - floor), (0, floor))
    light = rng.choice((-0.6, 0.6))  # from one side of the camera: modelled, yet near symmetric
    spot = x + light * unit * 0.1
    _soft(
        image,
        (spot - unit * 0.6, -unit * 0.2, spot + unit * 0.6, floor + unit * 0.2),
        (255, 255, 255),
        0.75,
    )

    shadow = _shade(tint, 0.3)
    base = height * 0.88
    half = unit * rng.uniform(0.2, 0.27)
    kind = rng.choice(("cylinder", "tiers", "plinth"))
    pastels = [_lighten(tint, 0.55), _lighten(finish.detail, 0.45), _lighten(finish.body, 0.6)]
    plaster = SHADES["white"]
    podium = Podium(
        kind=kind,
        colour=rng.choice([*pastels, plaster.rgb if brief.excluded.allows(plaster) else tint]),
        # Two tiers, each lower, stand about as tall as one.
        height=rng.uniform(0.35, 0.55) * (0.6 if kind == "tiers" else 1.0),
        rim=0.2,
    )
    _soft(
        image, (x - half * 1.7, base - half * 0.5, x + half * 1.7, base + half * 0.25), shadow, 0.6
    )
    _place(image, podium.draw, x, base, half, light=light, reach=podium.reach + 0.05)

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
        _soft(
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
        _place(
            image,
            prop,
            prop_x,
            base - unit * 0.01,
            prop_size,
            light=light,
            round_=prop.args[0] == "sphere",
        )

    size = unit * 0.44
    stand = podium.top(base, half)
    _soft(
        image,
        (x - size * 0.42, stand - half * 0.14, x + size * 0.42, stand + half * 0.12),
        shadow,
        0.7,
    )
    _place(
        image,
        brief.subject_drawing(finish),
        x,
        stand,
        size,
        light=light,
        round_=brief.round_subject,
    )
    return image


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


def _lifestyle(brief: Brief, width: int, height: int) -> Image.Image:
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
    view = paint(brief.scene, *small, brief.prompt, brief.seed)
    view = view.point(WARM_LUT if warm else DAYLIGHT_LUT)
    reach, window = min(small), small[0] if light > 0 else 0
    _soft(view, (window - reach, -reach * 0.7, window + reach, reach * 0.9), glow, 0.8)
    view = view.filter(ImageFilter.GaussianBlur(max(small) / 70))
    draw = ImageDraw.Draw(view, "RGBA")
    bokeh = [glow, *(_lighten(c, 0.5) for c in _vivid(brief.scene.accents))][:3]
    for _ in range(24):  # out-of-focus lights: discs, blurred less than what is behind them
        spot_x, spot_y = rng.uniform(0, small[0]), rng.uniform(0, small[1] * table / height)
        spot = _alpha(rng.choice(bokeh), rng.randint(70, 160))
        draw_disc(draw, spot_x, spot_y, reach * rng.uniform(0.025, 0.065), spot)
    view = view.filter(ImageFilter.GaussianBlur(max(small) / 180))
    image = view.resize((width, height), Image.Resampling.BICUBIC)

    # Oak; bleached when the negative prompt excludes brown, or the orange oak looks like.
    oak = SHADES["ochre"]
    looks_like = _nearest_family(_hsv(oak.rgb)[0])
    if brief.excluded.allows(oak) and looks_like not in brief.excluded.families:
        wood = oak.rgb
    else:
        wood = _muted(oak.rgb, 0.1, 0.8)
    wood = _mix(wood, brief.scene.ground[0] if brief.scene.ground else brief.lead, 0.2)
    if table < height:
        top = _lighten(wood, 0.2) if warm else wood
        stops = [top, wood, _shade(wood, 0.62)]
        image.paste(_smooth_gradient(stops, width, height - table), (0, table))
    draw = ImageDraw.Draw(image, "RGBA")
    draw.line(
        [(0, table), (width, table)],
        fill=_alpha(_lighten(wood, 0.55), 200),
        width=_width(unit * 0.006),
    )
    for k in range(5):  # grain of the wood, wider apart nearer the camera
        y = table + (height - table) * ((k + 1) / 6) ** 1.3
        wave = [(width * i / 12, y + unit * 0.006 * math.sin(i * 1.7 + k)) for i in range(13)]
        draw.line(wave, fill=_alpha(_shade(wood, 0.6), 70), width=_width(unit * 0.004))

    size = unit * 0.42
    base = table + (height - table) * 0.45
    shadow = _shade(wood, 0.35)
    away = x - light * size * 0.35
    _soft(
        image,
        (away - size * 0.55, base - size * 0.08, away + size * 0.55, base + size * 0.08),
        shadow,
        0.6,
    )
    _place(
        image,
        brief.subject_drawing(brief.finish()),
        x,
        base,
        size,
        light=light,
        round_=brief.round_subject,
    )

    # Leaves of a plant close to the lens, far out of focus, on the side of the window.
    foliage = brief.finish().foliage
    corner = width if light > 0 else 0

    def leaves(draw: ImageDraw.ImageDraw, w: float, h: float) -> None:
        for k in range(7):
            angle = (k / 6 - 0.5) * 2.6 + rng.uniform(-0.1, 0.1)
            draw.polygon(_leaf(w / 2, h, angle, min(w, h) * rng.uniform(0.55, 0.95)), fill=255)

    plant = (corner - unit * 0.4, height - unit * 0.45, corner + unit * 0.4, height + unit * 0.05)
    _soft(image, plant, _shade(foliage, 0.4), 0.85, leaves, softness=0.025)
    return image


def _minimalist(brief: Brief, width: int, height: int) -> Image.Image:
    rng = brief.rng("minimalist")
    unit = min(width, height)
    hue, saturation, value = _hsv(rng.choice(brief.scene.sky))
    dark = value < 0.35  # a dark prompt (night, space) gets a dark field and a pale mark
    field = _from_hsv(hue, min(saturation, 0.35 if dark else 0.18), 0.2 if dark else 0.92)
    # The colour the prompt names, else one of its vivid ones.
    lead = brief.scene.highlight or rng.choice(_vivid(brief.scene.accents)[:3])
    ink = _muted(lead, 0.3, 0.86) if dark else _muted(lead, 0.38, 0.42)
    image = Image.new("RGB", (width, height), field)
    x = width * rng.choice((0.3, 0.7)) + unit * rng.uniform(-0.04, 0.04)
    size = unit * rng.uniform(0.14, 0.19)
    base = height * rng.uniform(0.55, 0.78)
    if brief.scene.ground is not None:  # the scene's ground, as one more flat muted band
        hue, saturation, _ = _hsv(brief.scene.ground[0])
        ground = _from_hsv(hue, min(saturation, 0.2), 0.27 if dark else 0.8)
        ImageDraw.Draw(image).rectangle((0, round(base), width, height), fill=ground)
    _place(image, brief.subject_drawing(Finish.flat(ink)), x, base, size, light=None)
    return image


def _turned(
    x: float, y: float, spin: float, points: Sequence[tuple[float, float]]
) -> list[tuple[float, float]]:
    """`points` (relative to x, y) turned by `spin` radians about (x, y)."""
    cos, sin = math.cos(spin), math.sin(spin)
    return [(x + px * cos - py * sin, y + px * sin + py * cos) for px, py in points]


def _burst(
    draw: ImageDraw.ImageDraw,
    centre: tuple[float, float],
    reach: float,
    rays: int,
    turn: float,
    fill: RGB,
) -> None:
    """Every other ray of a burst of `rays` from `centre`."""
    for k in range(0, rays, 2):
        tips = [
            (centre[0] + reach * math.cos(t), centre[1] + reach * math.sin(t))
            for t in (turn + k * math.tau / rays, turn + (k + 1) * math.tau / rays)
        ]
        draw.polygon([centre, *tips], fill=_fill(fill))


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
            draw_disc(draw, x, y, step * 0.45 * fade, _fill(fill))


def _confetti(
    draw: ImageDraw.ImageDraw, rng: random.Random, width: int, height: int, colours: Sequence[RGB]
) -> None:
    unit = min(width, height)
    for _ in range(44):
        x, y = rng.uniform(0, width), rng.uniform(0, height)
        r = unit * rng.uniform(0.015, 0.045)
        fill = _fill(rng.choice(colours))
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
            draw.ellipse((x - r, y - r, x + r, y + r), outline=fill, width=_width(r * 0.35))
        else:
            zigzag = [((k - 2) * r * 0.6, r * 0.4 * (-1) ** k) for k in range(5)]
            draw.line(_turned(x, y, spin, zigzag), fill=fill, width=_width(r * 0.3))


def _vibrant(brief: Brief, width: int, height: int) -> Image.Image:
    rng = brief.rng("vibrant")
    unit = min(width, height)
    hue = _allowed_hue(_hsv(brief.lead)[0], brief.excluded)
    opposite = _allowed_hue(hue + 0.5, brief.excluded)
    third = _allowed_hue(hue + rng.choice((0.2, -0.2)), brief.excluded)
    own, pop, accent = (
        _from_hsv(hue, 0.92, 1.0),
        _from_hsv(opposite, 0.95, 1.0),
        _from_hsv(third, 0.9, 1.0),
    )
    ink = _from_hsv(opposite, 1.0, 0.18)
    paper = (255, 255, 255) if brief.excluded.allows(SHADES["white"]) else _lighten(accent, 0.4)

    # A burst in the complement of the prompt's colour, a target behind the subject, halftone
    # dots in a corner and confetti all over.
    centre = (width * rng.uniform(0.42, 0.58), height * rng.uniform(0.42, 0.58))
    image = Image.new("RGB", (width, height), _from_hsv(opposite, 1.0, 0.72))
    draw = ImageDraw.Draw(image, "RGBA")
    _burst(
        draw,
        centre,
        2 * max(width, height),
        rng.choice((12, 16, 20)),
        rng.uniform(0, math.tau),
        pop,
    )
    for k, ring in enumerate((0.36, 0.3, 0.24, 0.18)):
        r = unit * ring
        box = (centre[0] - r, centre[1] - r, centre[0] + r, centre[1] + r)
        draw.ellipse(box, fill=_fill(accent if k % 2 == 0 else paper))
    _halftone(draw, (rng.choice((0, width)), rng.choice((0, height))), unit * 0.045, ink)
    _confetti(draw, rng, width, height, [own, accent, paper, ink])

    # The subject in the prompt's colour, saturated, outlined, with a hard offset shadow.
    size = unit * 0.46
    base = centre[1] + size * 0.5
    finish = Finish(own, accent, paper, _from_hsv(third, 0.9, 0.7), (own, accent, pop))
    _place(
        image,
        brief.subject_drawing(finish),
        centre[0],
        base,
        size,
        light=-1.0,
        round_=brief.round_subject,
        outline=(ink, 0.015),
        shadow=(ink, 0.065),
    )
    return image


# Dark backdrops for luxury, the first the negative prompt allows.
NIGHTS = (
    Shade((10, 14, 36), "blue"),
    Shade((9, 9, 11), "black"),
    Shade((26, 10, 34), "purple"),
    Shade((6, 26, 20), "green"),
)


# Art-deco ornaments behind luxury's subject, symmetric about it; the seed picks one.


def _deco_fan(
    draw: ImageDraw.ImageDraw,
    rng: random.Random,
    x: float,
    y: float,
    unit: float,
    metal: RGB,
    line: int,
) -> None:
    """Rays and arcs opening upwards from behind the subject."""
    rays = rng.choice((9, 11, 13, 15))
    for k in range(rays):
        angle = math.pi + math.pi * (k + 1) / (rays + 1)
        end = (x + unit * 0.46 * math.cos(angle), y + unit * 0.46 * math.sin(angle))
        draw.line([(x, y), end], fill=_alpha(metal, 80), width=line)
    for radius in (0.28, 0.38, 0.46):
        r = unit * radius
        draw.arc((x - r, y - r, x + r, y + r), 180, 360, fill=_alpha(metal, 150), width=line)


def _deco_arches(
    draw: ImageDraw.ImageDraw,
    rng: random.Random,
    x: float,
    y: float,
    unit: float,
    metal: RGB,
    line: int,
) -> None:
    """Nested round-topped arches, like a doorway around the subject."""
    floor = y + unit * 0.2
    for k in range(rng.choice((2, 3))):
        half = unit * (0.2 + 0.06 * k)
        top = y - unit * (0.02 + 0.04 * k)
        alpha = 170 - 40 * k
        draw.arc(
            (x - half, top - half, x + half, top + half),
            180,
            360,
            fill=_alpha(metal, alpha),
            width=line,
        )
        for side in (-1, 1):
            draw.line(
                [(x + side * half, top), (x + side * half, floor)],
                fill=_alpha(metal, alpha),
                width=line,
            )


def _deco_halo(
    draw: ImageDraw.ImageDraw,
    rng: random.Random,
    x: float,
    y: float,
    unit: float,
    metal: RGB,
    line: int,
) -> None:
    """Rings round the subject and a crown of short rays outside them."""
    outer = unit * 0.3
    for k in range(3):
        r = outer * (0.62 + 0.19 * k)
        draw.ellipse((x - r, y - r, x + r, y + r), outline=_alpha(metal, 150 - 30 * k), width=line)
    rays = rng.choice((24, 32, 40))
    for k in range(rays):
        angle = k * math.tau / rays
        reach = outer * (1.12 if k % 2 else 1.24)
        start = (x + outer * 1.04 * math.cos(angle), y + outer * 1.04 * math.sin(angle))
        end = (x + reach * math.cos(angle), y + reach * math.sin(angle))
        draw.line([start, end], fill=_alpha(metal, 120), width=line)


def _luxury(brief: Brief, width: int, height: int) -> Image.Image:
    rng = brief.rng("luxury")
    unit = min(width, height)
    x = width / 2
    metal = _metal(brief)
    night = next(
        (n.rgb for n in NIGHTS if brief.excluded.allows(n)), _shade(_darkest(brief.scene.sky), 0.3)
    )
    lead_hue, lead_saturation, _ = _hsv(brief.lead)
    jewel = _from_hsv(lead_hue, max(0.55, lead_saturation), 0.62)
    deep = _mix(night, _shade(brief.lead, 0.3), 0.3)
    image = Image.new("RGB", (width, height), _shade(deep, 0.55))
    # A dim glow of the prompt's colour behind the subject, dark at the edges.
    glow = (
        x - unit * 0.75,
        height * 0.42 - unit * 0.6,
        x + unit * 0.75,
        height * 0.42 + unit * 0.6,
    )
    _soft(image, glow, _mix(_lighten(deep, 0.12), jewel, 0.3), 1.0)
    draw = ImageDraw.Draw(image, "RGBA")

    base = height * 0.74
    size = unit * 0.4
    line = _width(unit * 0.0035)
    deco = rng.choice((_deco_fan, _deco_arches, _deco_halo))
    deco(draw, rng, x, base - size * 0.45, unit, metal, line)

    plinth = _lighten(deep, 0.1)
    half, depth, tall = unit * 0.2, unit * 0.035, unit * 0.08
    draw.polygon(
        [
            (x - half, base),
            (x + half, base),
            (x + half * 0.86, base - depth),
            (x - half * 0.86, base - depth),
        ],
        fill=_fill(_lighten(plinth, 0.12)),
    )
    draw.rectangle((x - half, base, x + half, base + tall), fill=_fill(plinth))
    draw.line([(x - half, base), (x + half, base)], fill=_fill(metal), width=line)
    draw.line(
        [(x - unit * 0.45, base + tall), (x + unit * 0.45, base + tall)],
        fill=_alpha(metal, 170),
        width=line,
    )

    finish = Finish(jewel, metal, metal, _shade(metal, 0.7), (jewel, metal))
    _place(
        image,
        brief.subject_drawing(finish),
        x,
        base - depth * 0.5,
        size,
        light=0.0,
        round_=brief.round_subject,
        outline=(metal, 0.01),
    )

    for _ in range(rng.randint(7, 11)):  # sparkles: four-pointed stars with a faint halo
        sx, sy = rng.uniform(0.1, 0.9) * width, rng.uniform(0.1, 0.7) * height
        r = unit * rng.uniform(0.012, 0.032)
        draw_disc(draw, sx, sy, r * 0.9, _alpha(metal, 40))
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
        draw.polygon(arms, fill=_fill(_lighten(metal, 0.5)))

    margin, gap = unit * 0.04, unit * 0.018
    outer = (margin, margin, width - 1 - margin, height - 1 - margin)
    inner = (margin + gap, margin + gap, width - 1 - margin - gap, height - 1 - margin - gap)
    if inner[2] - inner[0] < MIN_DETAIL or inner[3] - inner[1] < MIN_DETAIL:
        return image
    draw.rectangle(outer, outline=_fill(metal), width=_width(unit * 0.006))
    draw.rectangle(inner, outline=_fill(metal), width=_width(unit * 0.0025))
    for cx, cy in (
        (inner[0], inner[1]),
        (inner[2], inner[1]),
        (inner[0], inner[3]),
        (inner[2], inner[3]),
    ):
        r = unit * 0.016
        draw.polygon([(cx, cy - r), (cx + r, cy), (cx, cy + r), (cx - r, cy)], fill=_fill(metal))
    return image


StylePainter = Callable[[Brief, int, int], Image.Image]

STYLE_PAINTERS: dict[Style, StylePainter] = {
    "product_ad": _product_ad,
    "lifestyle": _lifestyle,
    "minimalist": _minimalist,
    "vibrant": _vibrant,
    "luxury": _luxury,
}


def paint_styled(
    style: Style,
    scene: Scene,
    width: int,
    height: int,
    prompt: str,
    seed: int,
    negative_prompt: str | None,
) -> Image.Image:
    """The scene in `style`, any style but "none" (that is `paint`'s plain scene)."""
    brief = Brief(
        scene=scene,
        subject=choose_subject(prompt, scene, negative_prompt),
        excluded=Exclusions.parse(negative_prompt),
        prompt=prompt,
        seed=seed,
    )
    return STYLE_PAINTERS[style](brief, width, height)
