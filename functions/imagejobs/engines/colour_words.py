"""The colour words a prompt can use: the shades the built-in renderer paints, each in a colour
family, and the words that name them; and how a text's words are read.

Below the renderer, so that the catalogue can check at submit that a text names a colour (the
built-in renderer's search-and-recolor selects by colour) without importing the renderer. The
renderer's other words (themes, motifs, subjects) are in `engines/pillow/vocabulary`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Shade:
    rgb: tuple[int, int, int]
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


def words_of(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def lookup[T](table: dict[str, T], word: str) -> T | None:
    """`table[word]`, also for a simple plural ("trees", "beaches")."""
    for candidate in (word, word.removesuffix("s"), word.removesuffix("es")):
        if candidate in table:
            return table[candidate]
    return None


def named_shade(text: str) -> str | None:
    """The first shade `text` names ("the red jacket": "red"), or None."""
    return next((s for w in words_of(text) if (s := lookup(COLOUR_WORDS, w)) is not None), None)
