"""What a style works from: the prompt's scene, the subject it chose, the negative prompt's
exclusions, and the colours and metal the subject is drawn in."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from PIL import ImageDraw

from imagejobs.engines.colour_words import SHADES, Shade, lookup, words_of
from imagejobs.engines.pillow.canvas import Spot
from imagejobs.engines.pillow.colour import RGB, lighten, lightest, shaded, vivid
from imagejobs.engines.pillow.compositing import Draw
from imagejobs.engines.pillow.randomness import digest_of, seeded_rng
from imagejobs.engines.pillow.scene import Exclusions, Scene
from imagejobs.engines.pillow.subjects import ROUND_SUBJECTS, SUBJECT_DRAWERS, Finish
from imagejobs.engines.pillow.vocabulary import (
    MOTIF_SUBJECTS,
    MOTIF_WORDS,
    PRODUCTS,
    STOPWORDS,
    SUBJECT_WORDS,
)


def choose_subject(prompt: str, scene: Scene, negative_prompt: str | None) -> str:
    """The thing a style puts in front: named by the prompt, else suggested by its motifs."""
    negative = words_of(negative_prompt or "")
    excluded = {s for w in negative if (s := lookup(SUBJECT_WORDS, w))}
    excluded |= {
        MOTIF_SUBJECTS[m] for w in negative if (m := lookup(MOTIF_WORDS, w)) in MOTIF_SUBJECTS
    }
    named = [s for w in words_of(prompt) if w not in STOPWORDS and (s := lookup(SUBJECT_WORDS, w))]
    suggested = [MOTIF_SUBJECTS[m] for m in MOTIF_SUBJECTS if m in scene.motifs]
    for subject in (*named, *suggested):
        if subject not in excluded:
            return subject
    products = [p for p in PRODUCTS if p not in excluded] or list(PRODUCTS)
    return products[digest_of(prompt, "product")[0] % len(products)]


GOLD = Shade((214, 170, 72), "yellow")
SILVER = SHADES["silver"]


def metal_of(brief: Brief) -> RGB:
    """Gold, or silver when the negative prompt excludes gold, or the prompt's lightest."""
    for metal in (GOLD, SILVER):
        if brief.excluded.allows(metal):
            return metal.rgb
    return lighten(lightest(brief.scene.accents), 0.3)


@dataclass(frozen=True, slots=True)
class Brief:
    """What a style works from: the prompt's scene and subject, and the negative prompt."""

    scene: Scene
    subject: str
    excluded: Exclusions
    prompt: str
    seed: int

    def rng(self, *parts: object) -> random.Random:
        return seeded_rng(self.prompt, self.seed, self.subject, *parts)

    @property
    def lead(self) -> RGB:
        """The prompt's own colour: the first it names, else its most vivid."""
        return self.scene.highlight or vivid(self.scene.accents)[0]

    def finish(self) -> Finish:
        """The prompt's colours on the subject: its own colour for the body, the colour
        farthest from it for details, the style's metal for trim."""
        body = self.lead
        others = [c for c in (*self.scene.accents, *self.scene.sky) if c != body]
        detail = max(others, key=lambda c: math.dist(c, body)) if others else lighten(body, 0.6)
        green = SHADES["green"]
        foliage = green.rgb if self.excluded.allows(green) else shaded(body, 0.6)
        return Finish(
            body=body,
            detail=detail,
            trim=metal_of(self),
            foliage=foliage,
            extras=tuple(vivid(self.scene.accents)),
        )

    def subject_drawing(self, finish: Finish, *parts: object) -> Draw:
        """The subject in `finish`; its proportions depend on the seed."""
        drawer = SUBJECT_DRAWERS[self.subject]

        def draw(d: ImageDraw.ImageDraw, at: Spot) -> None:
            drawer(d, at, finish, self.rng("subject", *parts))

        return draw

    @property
    def round_subject(self) -> bool:
        return self.subject in ROUND_SUBJECTS
