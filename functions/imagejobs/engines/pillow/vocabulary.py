"""The words a prompt can use, and what each brings: themes (sky, ground, accents and motifs),
motif words, stopwords, and the subjects the styles draw. The shades and the colour words are
in `imagejobs.engines.colour_words`, where the catalogue can read them too."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

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


def nearest_family(hue: float) -> str:
    def distance(family: str) -> float:
        gap = abs(hue - FAMILY_HUES[family])
        return min(gap, 1 - gap)  # hue is a circle: 0.95 is close to red at 0.0

    return min(FAMILY_HUES, key=distance)
