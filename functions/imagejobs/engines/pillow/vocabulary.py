"""The words a prompt can use, and what each brings: shades and their colour families, themes
(sky, ground, accents and motifs), motif words, stopwords, and the subjects the styles draw."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from imagejobs.engines.pillow.colour import RGB


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


def words_of(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def lookup[T](table: dict[str, T], word: str) -> T | None:
    """`table[word]`, also for a simple plural ("trees", "beaches")."""
    for candidate in (word, word.removesuffix("s"), word.removesuffix("es")):
        if candidate in table:
            return table[candidate]
    return None


def nearest_family(hue: float) -> str:
    def distance(family: str) -> float:
        gap = abs(hue - FAMILY_HUES[family])
        return min(gap, 1 - gap)  # hue is a circle: 0.95 is close to red at 0.0

    return min(FAMILY_HUES, key=distance)
