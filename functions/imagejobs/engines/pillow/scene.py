"""The scene a prompt asks for: its palettes and motifs, minus what the negative prompt
excludes, before the seed places anything."""

from __future__ import annotations

import colorsys
from collections.abc import Iterable
from dataclasses import dataclass

from imagejobs.engines.colour_words import COLOUR_WORDS, SHADES, Shade, lookup, words_of
from imagejobs.engines.pillow.colour import RGB, mix, shaded
from imagejobs.engines.pillow.randomness import digest_of
from imagejobs.engines.pillow.vocabulary import (
    FAR_MOTIFS,
    HASHED_MOTIFS,
    MOTIF_WORDS,
    NEAR_MOTIFS,
    STOPWORDS,
    THEMES,
    Theme,
    nearest_family,
)


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
        words = words_of(negative_prompt or "")
        return cls(
            families=frozenset(
                SHADES[shade].family for w in words if (shade := lookup(COLOUR_WORDS, w))
            ),
            motifs=frozenset(m for w in words if (m := lookup(MOTIF_WORDS, w))),
            # "night" takes out the night (its sky, moon and stars); but "sun" or "snow" only
            # that motif, not everything a sunny day or winter brings.
            themes=frozenset(
                t
                for w in words
                if lookup(MOTIF_WORDS, w) is None and (t := lookup(THEMES, w)) is not None
            ),
        )

    def allows(self, shade: Shade) -> bool:
        return shade.family not in self.families


def compose(prompt: str, negative_prompt: str | None = None) -> Scene:
    """Turn the words of the prompt into palettes and motifs, minus the negative prompt's."""
    excluded = Exclusions.parse(negative_prompt)
    words = [w for w in words_of(prompt) if w not in STOPWORDS]
    themes: list[Theme] = []
    unknown: list[str] = []
    for word in words:
        if (shade := lookup(COLOUR_WORDS, word)) is not None:
            # A colour word paints the sky unless a stronger word claims it, and leads accents.
            themes.append(Theme(sky=(shade,), accents=(shade,), sky_weight=2))
        elif (theme := lookup(THEMES, word)) is not None:
            if theme not in excluded.themes:
                themes.append(theme)
        elif len(word) > 2:
            unknown.append(word)
    named = _allowed(excluded, [n for w in words if (n := lookup(COLOUR_WORDS, w))])
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
        sky = [mix(c, named[0], 0.3) for c in sky]
    ground = _layer(themes, "ground", excluded)
    open_sky = any(t.open_sky for t in themes)
    return Scene(
        sky=_stops(sky),
        ground=None if open_sky and not ground else _stops(ground or [shaded(sky[-1], 0.45)]),
        accents=tuple(accents or [SHADES["white"].rgb]),
        highlight=named[0] if named else None,
        motifs=_motifs(themes, unknown or [prompt], excluded),
        light=min((t.light for t in themes), default=1.0),
    )


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
    return tuple(colours) if len(colours) > 1 else (shaded(colours[0], 0.55), colours[0])


def _motifs(themes: list[Theme], unknown: list[str], excluded: Exclusions) -> tuple[str, ...]:
    wanted = {m for t in themes for m in t.motifs}
    if not wanted:  # no word we know: each unknown word picks a motif by its hash
        wanted = {HASHED_MOTIFS[digest_of(w)[0] % len(HASHED_MOTIFS)] for w in unknown[:2]}
    return tuple(m for m in (*FAR_MOTIFS, *NEAR_MOTIFS) if m in wanted - excluded.motifs)


def _hashed_shade(word: str) -> Shade:
    """A vivid colour of the word's own: the same word always gives the same colour."""
    digest = digest_of(word)
    hue = digest[0] / 256
    r, g, b = colorsys.hsv_to_rgb(hue, 0.45 + digest[1] / 640, 0.55 + digest[2] / 640)
    return Shade((round(r * 255), round(g * 255), round(b * 255)), nearest_family(hue))
