"""A model-free engine that paints a small scene reflecting the prompt, with Pillow.

Words of the prompt pick palettes and motifs from a vocabulary ("sunset" brings a warm sky
and a sun, "ocean" water and waves, "night" a dark sky, a moon and stars, ...); words it does
not know still add colours and motifs derived from their hash, so every prompt differs. The
seed only moves things around. Words of the negative prompt take colours and motifs out.

The request's style picks a preset (`pillow_styles`): "none" paints the scene as above, the
others compose the same colours and a subject anew (a studio podium, a tabletop, a flat field,
a burst, a gilded frame). Guidance (a model's cfgScale, 1.1-10) is how strongly the prompt's
colours dominate: None or the default 6.5 leaves the picture exactly as it is (no extra pass),
lower mutes its saturation (to 0.35 at 1.1) and softens its contrast, higher saturates it (to
1.6 at 10) and hardens it: one pass of a colour matrix over the pixels.

Everything random comes from SHA-256 of the inputs, never from `hash()` (salted per process),
and the encoders run with fixed settings, so the same request gives the same bytes on every
run and every machine with the same Pillow: the engine stands in for a hosted model in tests
and local runs. All drawing is vector primitives at full size (a fixed number of them), so
the cost grows with the pixel count, not faster.
"""

from __future__ import annotations

import colorsys
import hashlib
import math
import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw, ImageFilter

from imagejobs.engines.base import RenderedImage, RenderRequest
from imagejobs.engines.encoding import ENCODERS, encode
from imagejobs.engines.limits import PILLOW
from imagejobs.exceptions import PermanentEngineError

MAX_SIDE = 4096

RGB = tuple[int, int, int]
RGBA = tuple[int, int, int, int]

# --------------------------------------------------------------------------- colours


@dataclass(frozen=True, slots=True)
class Shade:
    rgb: RGB
    family: str  # the colour word that excludes it from a picture: "red", "blue", ...


SHADES: dict[str, Shade] = {
    "red": Shade((214, 40, 40), "red"),
    "crimson": Shade((186, 24, 56), "red"),
    "scarlet": Shade((232, 56, 28), "red"),
    "orange": Shade((246, 132, 30), "orange"),
    "amber": Shade((255, 176, 46), "orange"),
    "coral": Shade((250, 112, 84), "orange"),
    "rust": Shade((178, 72, 22), "orange"),
    "gold": Shade((255, 204, 64), "yellow"),
    "yellow": Shade((250, 226, 70), "yellow"),
    "green": Shade((56, 158, 72), "green"),
    "forest": Shade((22, 74, 42), "green"),
    "moss": Shade((92, 124, 52), "green"),
    "lime": Shade((168, 218, 56), "green"),
    "mint": Shade((160, 226, 186), "green"),
    "teal": Shade((22, 132, 138), "cyan"),
    "cyan": Shade((40, 214, 232), "cyan"),
    "blue": Shade((40, 92, 212), "blue"),
    "azure": Shade((84, 160, 240), "blue"),
    "skyblue": Shade((140, 196, 236), "blue"),
    "navy": Shade((16, 28, 78), "blue"),
    "midnight": Shade((8, 12, 38), "blue"),
    "ice": Shade((206, 230, 248), "blue"),
    "purple": Shade((122, 52, 164), "purple"),
    "violet": Shade((152, 92, 214), "purple"),
    "indigo": Shade((58, 32, 118), "purple"),
    "lavender": Shade((194, 166, 232), "purple"),
    "pink": Shade((246, 144, 184), "pink"),
    "rose": Shade((226, 88, 128), "pink"),
    "magenta": Shade((222, 40, 168), "pink"),
    "brown": Shade((112, 72, 40), "brown"),
    "bark": Shade((66, 44, 30), "brown"),
    "sand": Shade((224, 190, 132), "brown"),
    "ochre": Shade((204, 142, 62), "brown"),
    "white": Shade((246, 246, 246), "white"),
    "snow": Shade((234, 240, 250), "white"),
    "cream": Shade((250, 238, 214), "white"),
    "grey": Shade((132, 134, 140), "grey"),
    "silver": Shade((192, 198, 208), "grey"),
    "slate": Shade((72, 82, 98), "grey"),
    "charcoal": Shade((40, 40, 46), "grey"),
    "black": Shade((10, 10, 14), "black"),
}

# Colour words of a prompt, each meaning one shade; in a negative prompt, its whole family.
COLOUR_WORDS: dict[str, str] = {
    **{name: name for name in SHADES if name not in ("forest", "snow", "ice", "sand", "bark")},
    "emerald": "green",
    "turquoise": "cyan",
    "aqua": "cyan",
    "golden": "gold",
    "gray": "grey",
    "dark": "black",
}

# A hashed colour gets the family whose hue is nearest, so negative prompts can exclude it.
FAMILY_HUES: dict[str, float] = {
    "red": 0.0,
    "orange": 0.08,
    "yellow": 0.15,
    "green": 0.33,
    "cyan": 0.5,
    "blue": 0.62,
    "purple": 0.77,
    "pink": 0.9,
}

# --------------------------------------------------------------------------- vocabulary


@dataclass(frozen=True, slots=True)
class Theme:
    """What one word of the prompt brings to the picture. Colours are names from SHADES."""

    sky: tuple[str, ...] = ()  # top to horizon
    ground: tuple[str, ...] = ()  # horizon to bottom
    accents: tuple[str, ...] = ()  # suns, crowns, windows, petals, ...
    motifs: tuple[str, ...] = ()
    # When several words paint the sky (or ground), the heaviest wins: "forest at night" has
    # the night's sky over the forest's ground.
    sky_weight: int = 1
    ground_weight: int = 1
    light: float = 1.0  # below 1 darkens the ground: night, storm
    open_sky: bool = False  # space: no ground unless another word brings one


SUNSET = Theme(
    sky=("indigo", "rose", "orange", "amber"),
    accents=("gold", "coral", "crimson"),
    motifs=("sun", "clouds"),
    sky_weight=3,
    light=0.75,
)
NIGHT = Theme(
    sky=("midnight", "navy", "indigo"),
    accents=("silver", "cream"),
    motifs=("moon", "stars"),
    sky_weight=3,
    light=0.4,
)
SPACE = Theme(
    sky=("black", "midnight", "indigo", "violet"),
    accents=("violet", "cyan", "coral"),
    motifs=("stars", "planet", "bokeh"),
    sky_weight=4,
    light=0.5,
    open_sky=True,
)
DAY = Theme(
    sky=("azure", "skyblue"),
    accents=("gold", "yellow"),
    motifs=("sun", "clouds"),
    sky_weight=2,
)
OCEAN = Theme(
    sky=("azure", "skyblue"),
    ground=("teal", "navy"),
    accents=("cyan", "white"),
    motifs=("waves",),
    ground_weight=3,
)
FOREST = Theme(
    sky=("mint", "skyblue"),
    ground=("moss", "forest"),
    accents=("green", "forest", "lime"),
    motifs=("trees",),
    ground_weight=3,
)
MOUNTAIN = Theme(
    sky=("skyblue", "white"),
    ground=("slate", "moss"),
    accents=("grey", "white"),
    motifs=("mountains",),
    ground_weight=2,
)
DESERT = Theme(
    sky=("azure", "cream"),
    ground=("sand", "ochre"),
    accents=("amber", "rust"),
    motifs=("dunes", "sun"),
    ground_weight=3,
)
SNOW = Theme(
    sky=("silver", "ice"),
    ground=("snow", "ice"),
    accents=("white", "skyblue"),
    motifs=("snow", "mountains"),
    sky_weight=2,
    ground_weight=3,
)
FIRE = Theme(
    sky=("charcoal", "crimson"),
    ground=("black", "rust"),
    accents=("orange", "amber", "scarlet"),
    motifs=("flames",),
    sky_weight=2,
    ground_weight=2,
)
CITY = Theme(
    sky=("slate", "lavender"),
    ground=("charcoal", "grey"),
    accents=("amber", "silver"),
    motifs=("skyline",),
    ground_weight=2,
)
NEON = Theme(
    sky=("black", "indigo", "magenta"),
    ground=("black", "indigo"),
    accents=("magenta", "cyan", "pink"),
    motifs=("grid", "bokeh"),
    sky_weight=2,
)
FLOWERS = Theme(
    sky=("skyblue", "cream"),
    ground=("lime", "green"),
    accents=("pink", "rose", "yellow", "lavender"),
    motifs=("flowers",),
    ground_weight=2,
)
AUTUMN = Theme(
    sky=("cream", "amber"),
    ground=("rust", "brown"),
    accents=("orange", "rust", "gold", "crimson"),
    motifs=("trees",),
    ground_weight=2,
)
HILLS = Theme(ground=("green", "moss"), accents=("lime",), motifs=("hills",), ground_weight=2)
CLOUDS = Theme(sky=("skyblue", "white"), motifs=("clouds",))
STORM = Theme(
    sky=("charcoal", "slate"),
    accents=("silver",),
    motifs=("clouds", "rain"),
    sky_weight=2,
    light=0.6,
)
CAT = Theme(accents=("amber", "charcoal"), motifs=("cat",))
DREAM = Theme(accents=("pink", "lavender", "gold"), motifs=("bokeh",))


def _vocabulary(entries: Iterable[tuple[Theme, str]]) -> dict[str, Theme]:
    return {word: theme for theme, words in entries for word in words.split()}


THEMES: dict[str, Theme] = _vocabulary(
    [
        (SUNSET, "sunset sunrise dusk dawn twilight"),
        (NIGHT, "night midnight evening moon moonlight"),
        (SPACE, "space galaxy cosmos universe nebula star planet astronaut"),
        (DAY, "sun sunny summer day noon"),
        (OCEAN, "ocean sea beach wave lake river water coast"),
        (FOREST, "forest woods wood jungle tree"),
        (MOUNTAIN, "mountain alps peak cliff"),
        (DESERT, "desert dune sand sahara"),
        (SNOW, "snow winter ice frozen arctic glacier"),
        (FIRE, "fire flame volcano lava inferno dragon"),
        (CITY, "city town skyline urban street building skyscraper"),
        (NEON, "neon cyberpunk synthwave retro"),
        (FLOWERS, "flower garden bloom spring meadow"),
        (AUTUMN, "autumn fall leaf leaves"),
        (HILLS, "hill valley countryside field"),
        (CLOUDS, "cloud cloudy sky"),
        (STORM, "storm rain rainy thunder"),
        (CAT, "cat kitten"),
        (DREAM, "dream dreamy bokeh lights abstract"),
    ]
)

# Words that name a motif, so a negative prompt can take it out ("no sun", "trees").
MOTIF_WORDS: dict[str, str] = {
    "sun": "sun",
    "moon": "moon",
    "star": "stars",
    "planet": "planet",
    "cloud": "clouds",
    "mountain": "mountains",
    "peak": "mountains",
    "hill": "hills",
    "dune": "dunes",
    "wave": "waves",
    "grid": "grid",
    "building": "skyline",
    "skyline": "skyline",
    "skyscraper": "skyline",
    "tree": "trees",
    "flower": "flowers",
    "cat": "cat",
    "fire": "flames",
    "flame": "flames",
    "bokeh": "bokeh",
    "circle": "bokeh",
    "snow": "snow",
    "snowflake": "snow",
    "rain": "rain",
}

# Back to front. The first group is drawn, then softened by a blur for depth; the rest sharp.
FAR_MOTIFS = ("stars", "planet", "sun", "moon", "clouds", "mountains")
NEAR_MOTIFS = (
    "hills",
    "dunes",
    "waves",
    "grid",
    "skyline",
    "trees",
    "flowers",
    "cat",
    "flames",
    "bokeh",
    "snow",
    "rain",
)
# What a prompt of only unknown words may get, chosen by each word's hash.
HASHED_MOTIFS = ("bokeh", "clouds", "hills", "mountains", "waves", "stars", "planet", "dunes")

STOPWORDS = frozenset(
    {
        *("a", "an", "the", "of", "in", "on", "at", "over", "under", "above", "below"),
        *("with", "without", "and", "or", "by", "for", "to", "from", "into", "onto"),
        *("is", "are", "was", "be", "its", "it", "his", "her", "their", "this", "that"),
        *("these", "those", "very", "some"),
    }
)

# --------------------------------------------------------------------------- the scene


@dataclass(frozen=True, slots=True)
class Scene:
    """What the prompt asks for, before the seed places anything."""

    sky: tuple[RGB, ...]  # gradient stops, top to horizon; at least two
    ground: tuple[RGB, ...] | None  # horizon to bottom; None when the sky fills the frame
    accents: tuple[RGB, ...]  # at least one
    highlight: RGB | None  # the first colour the prompt names, for the main motif
    motifs: tuple[str, ...]  # in drawing order
    light: float


@dataclass(frozen=True, slots=True)
class Exclusions:
    """What the negative prompt takes out."""

    families: frozenset[str]
    motifs: frozenset[str]
    themes: frozenset[Theme]

    @classmethod
    def parse(cls, negative_prompt: str | None) -> Exclusions:
        words = _words(negative_prompt or "")
        return cls(
            families=frozenset(
                SHADES[shade].family for w in words if (shade := _lookup(COLOUR_WORDS, w))
            ),
            motifs=frozenset(m for w in words if (m := _lookup(MOTIF_WORDS, w))),
            # "night" takes out the night (its sky, moon and stars); but "sun" or "snow" only
            # that motif, not everything a sunny day or winter brings.
            themes=frozenset(
                t
                for w in words
                if _lookup(MOTIF_WORDS, w) is None and (t := _lookup(THEMES, w)) is not None
            ),
        )

    def allows(self, shade: Shade) -> bool:
        return shade.family not in self.families


def compose(prompt: str, negative_prompt: str | None = None) -> Scene:
    """Turn the words of the prompt into palettes and motifs, minus the negative prompt's."""
    excluded = Exclusions.parse(negative_prompt)
    words = [w for w in _words(prompt) if w not in STOPWORDS]
    themes: list[Theme] = []
    unknown: list[str] = []
    for word in words:
        if (shade := _lookup(COLOUR_WORDS, word)) is not None:
            # A colour word paints the sky unless a stronger word claims it, and leads accents.
            themes.append(Theme(sky=(shade,), accents=(shade,), sky_weight=2))
        elif (theme := _lookup(THEMES, word)) is not None:
            if theme not in excluded.themes:
                themes.append(theme)
        elif len(word) > 2:
            unknown.append(word)
    named = _allowed(excluded, [n for w in words if (n := _lookup(COLOUR_WORDS, w))])
    # Every shade of the picture, with the prompt's own colours first among the accents.
    # Unknown words bring colours of their own; a prompt of no words at all, its own colour.
    hash_sources = unknown or ([] if themes else [prompt])
    hashed = [s for s in map(_hashed_shade, hash_sources) if excluded.allows(s)]
    accents = _allowed(excluded, [n for t in themes for n in t.accents]) + [s.rgb for s in hashed]
    sky = (
        _layer(themes, "sky", excluded)
        or [s.rgb for s in hashed[:2]]
        or accents[:1]
        or [SHADES["slate"].rgb]
    )
    if named:  # "red sunset": the sunset's sky, but redder
        sky = [_mix(c, named[0], 0.3) for c in sky]
    ground = _layer(themes, "ground", excluded)
    open_sky = any(t.open_sky for t in themes)
    return Scene(
        sky=_stops(sky),
        ground=None if open_sky and not ground else _stops(ground or [_shade(sky[-1], 0.45)]),
        accents=tuple(accents or [SHADES["white"].rgb]),
        highlight=named[0] if named else None,
        motifs=_motifs(themes, unknown or [prompt], excluded),
        light=min((t.light for t in themes), default=1.0),
    )


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def _lookup[T](table: dict[str, T], word: str) -> T | None:
    """`table[word]`, also for a simple plural ("trees", "beaches")."""
    for candidate in (word, word.removesuffix("s"), word.removesuffix("es")):
        if candidate in table:
            return table[candidate]
    return None


def _allowed(excluded: Exclusions, names: Iterable[str]) -> list[RGB]:
    """The shades called `names`, without excluded families and repeats, in order."""
    kept = dict.fromkeys(SHADES[n].rgb for n in names if excluded.allows(SHADES[n]))
    return list(kept)


def _layer(themes: list[Theme], layer: str, excluded: Exclusions) -> list[RGB]:
    """The sky's (or ground's) colours from the heaviest themes that still have some left."""

    def weight_of(theme: Theme) -> int:
        return theme.sky_weight if layer == "sky" else theme.ground_weight

    for weight in sorted({weight_of(t) for t in themes}, reverse=True):
        names = [n for t in themes if weight_of(t) == weight for n in getattr(t, layer)]
        if colours := _allowed(excluded, names)[:4]:
            return colours
    return []


def _stops(colours: list[RGB]) -> tuple[RGB, ...]:
    """At least two gradient stops: a single colour fades from darker to itself."""
    return tuple(colours) if len(colours) > 1 else (_shade(colours[0], 0.55), colours[0])


def _motifs(themes: list[Theme], unknown: list[str], excluded: Exclusions) -> tuple[str, ...]:
    wanted = {m for t in themes for m in t.motifs}
    if not wanted:  # no word we know: each unknown word picks a motif by its hash
        wanted = {HASHED_MOTIFS[_digest(w)[0] % len(HASHED_MOTIFS)] for w in unknown[:2]}
    return tuple(m for m in (*FAR_MOTIFS, *NEAR_MOTIFS) if m in wanted - excluded.motifs)


def _hashed_shade(word: str) -> Shade:
    """A vivid colour of the word's own: the same word always gives the same colour."""
    digest = _digest(word)
    hue = digest[0] / 256
    r, g, b = colorsys.hsv_to_rgb(hue, 0.45 + digest[1] / 640, 0.55 + digest[2] / 640)
    return Shade((round(r * 255), round(g * 255), round(b * 255)), _nearest_family(hue))


def _nearest_family(hue: float) -> str:
    def distance(family: str) -> float:
        gap = abs(hue - FAMILY_HUES[family])
        return min(gap, 1 - gap)  # hue is a circle: 0.95 is close to red at 0.0

    return min(FAMILY_HUES, key=distance)


# --------------------------------------------------------------------------- randomness


def _digest(*parts: object) -> bytes:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()


def _rng(*parts: object) -> random.Random:
    """A generator that depends on `parts` only: never on the process, never on `hash()`."""
    # Not for secrets: only pictures need to be reproducible.
    return random.Random(int.from_bytes(_digest(*parts), "big"))  # noqa: S311


# --------------------------------------------------------------------------- colour maths


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def _shade(colour: RGB, factor: float) -> RGB:
    return _mix((0, 0, 0), colour, factor)


def _lighten(colour: RGB, t: float) -> RGB:
    return _mix(colour, (255, 255, 255), t)


def _alpha(colour: RGB, alpha: int) -> RGBA:
    return (colour[0], colour[1], colour[2], alpha)


def _warmest(colours: Iterable[RGB]) -> RGB:
    return max(colours, key=lambda c: c[0] - c[2] + c[1] // 4)


def _vivid(colours: Iterable[RGB]) -> list[RGB]:
    """The saturated colours, for things that should not come out grey (crowns, petals)."""
    candidates = list(colours)
    vivid = [c for c in candidates if colorsys.rgb_to_hsv(*(v / 255 for v in c))[1] >= 0.3]
    return vivid or candidates


def _lightest(colours: Iterable[RGB]) -> RGB:
    return max(colours, key=sum)


def _darkest(colours: Iterable[RGB]) -> RGB:
    return min(colours, key=sum)


# --------------------------------------------------------------------------- painting


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


def paint(scene: Scene, width: int, height: int, prompt: str, seed: int) -> Image.Image:
    """The scene at `width` x `height`; the seed (with the prompt) places everything."""
    horizon_rng = _rng(prompt, seed, "horizon")
    horizon = height if scene.ground is None else round(height * horizon_rng.uniform(0.55, 0.72))
    canvas = _background(scene, width, height, horizon)
    for motif in scene.motifs:
        if motif in FAR_MOTIFS:
            PAINTERS[motif](canvas, _rng(prompt, seed, motif))
    # Soften the distance; the blur's cost depends on the pixel count, not on its radius.
    _set_image(canvas, canvas.image.filter(ImageFilter.GaussianBlur(canvas.unit / 400)))
    for motif in scene.motifs:
        if motif in NEAR_MOTIFS:
            PAINTERS[motif](canvas, _rng(prompt, seed, motif))
    _vignette(canvas)
    return canvas.image


def _background(scene: Scene, width: int, height: int, horizon: int) -> Canvas:
    image = Image.new("RGB", (width, height))
    image.paste(_gradient(scene.sky, width, max(horizon, 1)), (0, 0))
    if scene.ground is not None and horizon < height:
        lit = [_shade(c, scene.light) for c in (*scene.ground, _shade(scene.ground[-1], 0.7))]
        image.paste(_gradient(lit, width, height - horizon), (0, horizon))
    return Canvas(image, ImageDraw.Draw(image, "RGBA"), scene, horizon)


def _gradient(stops: Iterable[RGB], width: int, height: int) -> Image.Image:
    """A vertical gradient: a one-pixel-wide column of stops, stretched (no per-pixel loop)."""
    colours = list(stops)
    column = Image.new("RGB", (1, len(colours)))
    column.putdata(colours)
    return column.resize((width, height), Image.Resampling.BILINEAR)


def _set_image(canvas: Canvas, image: Image.Image) -> None:
    canvas.image = image
    canvas.draw = ImageDraw.Draw(image, "RGBA")


def _vignette(canvas: Canvas) -> None:
    """Darken the corners a little, which reads as depth; one full-size pass."""
    mask = Image.radial_gradient("L").resize(canvas.image.size, Image.Resampling.BILINEAR)
    mask = mask.point(lambda v: max(0, v - 128) * 90 // 127)
    canvas.image.paste((0, 0, 0), (0, 0, *canvas.image.size), mask)


def _disc(canvas: Canvas, x: float, y: float, radius: float, fill: RGBA) -> None:
    draw_disc(canvas.draw, x, y, radius, fill)


def draw_disc(draw: ImageDraw.ImageDraw, x: float, y: float, radius: float, fill: RGBA) -> None:
    radius = max(radius, 0.5)  # below half a pixel Pillow draws nothing at all
    draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=fill)


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
        colour = _lighten(rng.choice(canvas.scene.accents), 0.75)
        _disc(
            canvas,
            x,
            y,
            canvas.unit * rng.uniform(0.0012, 0.0045),
            _alpha(colour, rng.randint(120, 255)),
        )


def _paint_planet(canvas: Canvas, rng: random.Random) -> None:
    x, y = canvas.width * rng.uniform(0.2, 0.8), canvas.horizon * rng.uniform(0.25, 0.6)
    radius = canvas.unit * rng.uniform(0.1, 0.18)
    colour = rng.choice(_vivid(canvas.scene.accents))
    _disc(canvas, x, y, radius, _alpha(colour, 255))
    shadow = radius * 0.35
    _disc(canvas, x + shadow, y + shadow, radius * 0.9, _alpha(_shade(colour, 0.4), 120))
    ring = (x - radius * 1.9, y - radius * 0.45, x + radius * 1.9, y + radius * 0.45)
    width = max(1, round(radius * 0.08))
    canvas.draw.ellipse(ring, outline=_alpha(_lighten(colour, 0.5), 200), width=width)


def _paint_sun(canvas: Canvas, rng: random.Random) -> None:
    colour = _lighten(canvas.scene.highlight or _warmest(canvas.scene.accents), 0.3)
    radius = canvas.unit * rng.uniform(0.07, 0.13)
    x = canvas.width * rng.uniform(0.2, 0.8)
    y = min(canvas.horizon * rng.uniform(0.45, 0.85), canvas.horizon - radius)  # above the ground
    for scale, alpha in ((3.0, 28), (2.1, 46), (1.5, 80)):  # glow, fainter further out
        _disc(canvas, x, y, radius * scale, _alpha(colour, alpha))
    _disc(canvas, x, y, radius, _alpha(colour, 255))


def _paint_moon(canvas: Canvas, rng: random.Random) -> None:
    x, y = canvas.width * rng.uniform(0.15, 0.85), canvas.horizon * rng.uniform(0.15, 0.45)
    radius = canvas.unit * rng.uniform(0.05, 0.09)
    colour = _mix(_lightest(canvas.scene.accents), SHADES["cream"].rgb, 0.6)
    bite = radius * rng.uniform(0.35, 0.7) * rng.choice((-1, 1))
    sky_there = canvas.image.getpixel((_clamp(x + bite, canvas.width), _clamp(y, canvas.height)))
    _disc(canvas, x, y, radius * 1.8, _alpha(colour, 36))
    _disc(canvas, x, y, radius, _alpha(colour, 255))
    # A crescent: cover part of the disc with the sky behind it.
    if isinstance(sky_there, tuple):
        _disc(canvas, x + bite, y - radius * 0.1, radius * 0.92, _alpha(_rgb(sky_there), 255))


def _paint_clouds(canvas: Canvas, rng: random.Random) -> None:
    colour = _lighten(canvas.scene.sky[-1], 0.65)
    for _ in range(rng.randint(3, 5)):
        x, y = canvas.width * rng.uniform(0, 1), canvas.horizon * rng.uniform(0.1, 0.6)
        size = canvas.unit * rng.uniform(0.05, 0.1)
        for _ in range(rng.randint(5, 8)):  # a cloud is a cluster of overlapping puffs
            dx, dy = rng.uniform(-2.2, 2.2) * size, rng.uniform(-0.5, 0.4) * size
            w, h = size * rng.uniform(0.8, 1.5), size * rng.uniform(0.5, 0.8)
            canvas.draw.ellipse(
                (x + dx - w, y + dy - h, x + dx + w, y + dy + h), fill=_alpha(colour, 150)
            )


def _paint_mountains(canvas: Canvas, rng: random.Random) -> None:
    base = canvas.horizon + 1
    for depth in (0.55, 0.2):  # far ridge paler (air in between), near ridge darker
        rock = _darkest((*(canvas.scene.ground or ()), *canvas.scene.accents))
        colour = _mix(rock, canvas.scene.sky[-1], depth)
        segments = rng.randint(7, 12)
        ridge = [
            (
                canvas.width * i / segments,
                base - canvas.horizon * rng.uniform(0.08, 0.42) * (1.2 - depth),
            )
            for i in range(segments + 1)
        ]
        _fill_below(canvas, ridge, base, _alpha(colour, 255))
        for x, y in ridge:  # snowy tips on the tallest peaks
            if y < base - canvas.horizon * 0.3:
                cap = canvas.horizon * 0.04
                canvas.draw.polygon(
                    [(x, y), (x - cap, y + cap), (x + cap, y + cap)],
                    fill=_alpha(_lighten(colour, 0.8), 220),
                )


def _paint_hills(canvas: Canvas, rng: random.Random) -> None:
    ground = canvas.height - canvas.horizon
    for step in range(3):
        base = canvas.horizon + ground * (0.05 + 0.25 * step)
        line = _wave_points(canvas, rng, base, ground * 0.12)
        colour = _shade(
            _mix(canvas.ground_colour, rng.choice(canvas.scene.accents), 0.35), 1.0 - 0.15 * step
        )
        _fill_below(canvas, line, canvas.height, _alpha(_shade(colour, canvas.scene.light), 255))


def _paint_dunes(canvas: Canvas, rng: random.Random) -> None:
    ground = canvas.height - canvas.horizon
    for step in range(3):
        base = canvas.horizon + ground * (0.1 + 0.28 * step)
        line = _wave_points(canvas, rng, base, ground * 0.08)
        colour = _mix(canvas.ground_colour, _warmest(canvas.scene.accents), 0.15 + 0.1 * step)
        colour = _shade(colour, canvas.scene.light * (1.0 - 0.1 * step))
        _fill_below(canvas, line, canvas.height, _alpha(colour, 255))


def _paint_waves(canvas: Canvas, rng: random.Random) -> None:
    ground = canvas.height - canvas.horizon
    colour = _lighten(canvas.ground_colour, 0.55)
    count = 12
    for i in range(1, count + 1):
        depth = (i / count) ** 1.6  # closer together near the horizon, as in perspective
        line = _wave_points(
            canvas, rng, canvas.horizon + ground * depth, ground * 0.012 * (1 + 3 * depth)
        )
        width = max(1, round(canvas.unit * 0.003 * (1 + 2 * depth)))
        canvas.draw.line(
            line, fill=_alpha(colour, rng.randint(80, 160)), width=width, joint="curve"
        )


def _paint_grid(canvas: Canvas, rng: random.Random) -> None:
    """A synthwave floor: lines converging on a point of the horizon."""
    colour = _alpha(rng.choice(canvas.scene.accents), 200)
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
    wall = _mix(_darkest((*canvas.scene.sky, canvas.ground_colour)), SHADES["charcoal"].rgb, 0.5)
    window = _alpha(_lighten(_warmest(canvas.scene.accents), 0.3), 230)
    x = -canvas.unit * rng.uniform(0, 0.05)
    while x < canvas.width:
        w = canvas.unit * rng.uniform(0.05, 0.12)
        h = canvas.horizon * rng.uniform(0.15, 0.6)
        canvas.draw.rectangle(
            (x, base - h, x + w, base), fill=_alpha(_shade(wall, rng.uniform(0.7, 1.2)), 255)
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
        crown = _shade(
            rng.choice(_vivid(canvas.scene.accents)), canvas.scene.light * (0.55 + 0.4 * depth)
        )
        _paint_tree(canvas, x, y, size, crown)


def _paint_tree(canvas: Canvas, x: float, y: float, size: float, crown: RGB) -> None:
    trunk = size * 0.08
    canvas.draw.rectangle(
        (x - trunk, y - size * 0.3, x + trunk, y), fill=_alpha(SHADES["bark"].rgb, 255)
    )
    for tier in range(3):  # a conifer: three stacked triangles, narrower towards the top
        bottom = y - size * (0.2 + 0.25 * tier)
        half = size * (0.4 - 0.1 * tier)
        canvas.draw.polygon(
            [(x - half, bottom), (x + half, bottom), (x, bottom - size * 0.45)],
            fill=_alpha(_shade(crown, 1.0 + 0.12 * tier), 255),
        )


def _paint_flowers(canvas: Canvas, rng: random.Random) -> None:
    ground_top = min(canvas.horizon, round(canvas.height * 0.8))
    centre_colour = _alpha(SHADES["gold"].rgb, 255)
    for depth in sorted(rng.random() for _ in range(45)):
        x = rng.uniform(0, canvas.width)
        y = ground_top + (canvas.height - ground_top) * depth
        radius = canvas.unit * (0.006 + 0.03 * depth)
        petal = _alpha(rng.choice(_vivid(canvas.scene.accents)), 255)
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
    draw_cat(canvas.draw, x, floor, size, rng.choice((-1, 1)), fur)


def draw_cat(
    draw: ImageDraw.ImageDraw,
    x: float,
    floor: float,
    size: float,
    facing: int,
    colour: RGB,
    *,
    with_eyes: bool = True,
) -> None:
    """A sitting cat on `floor`, about `size` tall, its head turned to `facing` (-1 or 1);
    without eyes it is a silhouette of one colour."""
    fur = _alpha(colour, 255)
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
    eye = _alpha(_lighten(SHADES["lime"].rgb if fur[1] < 150 else SHADES["navy"].rgb, 0.1), 255)
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
            colour = _lighten(rng.choice(warm), 0.2 * layer)
            canvas.draw.polygon(
                [
                    (x - half, canvas.height),
                    (x - half * 0.7, canvas.height - (canvas.height - tip) * 0.5),
                    (x + lean, tip),
                    (x + half * 0.7, canvas.height - (canvas.height - tip) * 0.4),
                    (x + half, canvas.height),
                ],
                fill=_alpha(colour, 170),
            )


def _paint_bokeh(canvas: Canvas, rng: random.Random) -> None:
    for _ in range(rng.randint(25, 40)):
        colour = _lighten(rng.choice(canvas.scene.accents), 0.2)
        x, y = rng.uniform(0, canvas.width), rng.uniform(0, canvas.height)
        _disc(
            canvas,
            x,
            y,
            canvas.unit * rng.uniform(0.015, 0.08),
            _alpha(colour, rng.randint(40, 110)),
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
    colour = _alpha(_lighten(canvas.scene.sky[-1], 0.5), 90)
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


# --------------------------------------------------------------------------- the engine


class PillowRenderer:
    """Draws each image locally; no network, no model. Implements `ImageEngine`."""

    name = "pillow"
    engine_id = "pillow"

    def render(self, request: RenderRequest) -> list[RenderedImage]:
        _validate(request)
        scene = compose(request.prompt, request.negative_prompt)
        return [
            self._render_one(request, scene, request.seed + n) for n in range(request.num_images)
        ]

    @staticmethod
    def _render_one(request: RenderRequest, scene: Scene, seed: int) -> RenderedImage:
        if request.style == "none":
            image = paint(scene, request.width, request.height, request.prompt, seed)
        else:
            # The presets build on this module's painters, so they import it, not the reverse.
            from imagejobs.engines.pillow_styles import paint_styled

            image = paint_styled(
                request.style,
                scene,
                request.width,
                request.height,
                request.prompt,
                seed,
                request.negative_prompt,
            )
        image = apply_guidance(image, request.guidance)
        return RenderedImage(
            data=encode(image, request.image_format, request.quality),
            width=request.width,
            height=request.height,
            image_format=request.image_format,
            seed=seed,
        )


# Guidance as colour: the saturation at the lowest and the highest guidance, and how far the
# contrast moves with it.
MUTED_SATURATION = 0.35
VIVID_SATURATION = 1.6
CONTRAST_SWING = 0.2
LUMA = (0.299, 0.587, 0.114)  # ITU-R 601, as Pillow's own conversion to grey


def apply_guidance(image: Image.Image, guidance: float | None) -> Image.Image:
    """How strongly the prompt's colours dominate: the default guidance leaves the picture
    untouched (no pass at all), lower mutes and flattens it, higher saturates and hardens it."""
    default = PILLOW.default_guidance
    if guidance is None or guidance == default:
        return image
    if guidance < default:
        strength = max(-1.0, (guidance - default) / (default - PILLOW.min_guidance))
        saturation = 1 + (1 - MUTED_SATURATION) * strength
    else:
        strength = min(1.0, (guidance - default) / (PILLOW.max_guidance - default))
        saturation = 1 + (VIVID_SATURATION - 1) * strength
    # Both in one pass of a colour matrix: each channel mixed with the pixel's luma (saturation),
    # then stretched about mid-grey (contrast).
    contrast = 1 + CONTRAST_SWING * strength
    matrix: list[float] = []
    for channel in range(3):
        row = [contrast * (1 - saturation) * weight for weight in LUMA]
        row[channel] += contrast * saturation
        matrix += [*row, 128 * (1 - contrast)]
    return image.convert("RGB", tuple(matrix))


def _validate(request: RenderRequest) -> None:
    """Requests no retry can fix fail permanently, so the job fails at once."""
    for side, value in (("width", request.width), ("height", request.height)):
        if not 1 <= value <= MAX_SIDE:
            raise PermanentEngineError(f"{side} {value} is outside 1..{MAX_SIDE} pixels")
    if request.image_format not in ENCODERS:
        raise PermanentEngineError(f"unsupported image format {request.image_format!r}")
    if request.num_images < 1:
        raise PermanentEngineError(f"num_images must be at least 1, not {request.num_images}")
