"""Colour maths on RGB triples: mixing, lightness, saturation and alpha."""

from __future__ import annotations

import colorsys
from collections.abc import Iterable

RGB = tuple[int, int, int]
RGBA = tuple[int, int, int, int]


def mix(a: RGB, b: RGB, t: float) -> RGB:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def shaded(colour: RGB, factor: float) -> RGB:
    return mix((0, 0, 0), colour, factor)


def lighten(colour: RGB, t: float) -> RGB:
    return mix(colour, (255, 255, 255), t)


def with_alpha(colour: RGB, alpha: int) -> RGBA:
    return (colour[0], colour[1], colour[2], alpha)


def warmest(colours: Iterable[RGB]) -> RGB:
    return max(colours, key=lambda c: c[0] - c[2] + c[1] // 4)


def vivid(colours: Iterable[RGB]) -> list[RGB]:
    """The saturated colours, for things that should not come out grey (crowns, petals)."""
    candidates = list(colours)
    saturated = [c for c in candidates if colorsys.rgb_to_hsv(*(v / 255 for v in c))[1] >= 0.3]
    return saturated or candidates


def lightest(colours: Iterable[RGB]) -> RGB:
    return max(colours, key=sum)


def darkest(colours: Iterable[RGB]) -> RGB:
    return min(colours, key=sum)


def opaque(colour: RGB) -> RGBA:
    return with_alpha(colour, 255)


def hsv(colour: RGB) -> tuple[float, float, float]:
    return colorsys.rgb_to_hsv(*(c / 255 for c in colour))


def from_hsv(hue: float, saturation: float, value: float) -> RGB:
    r, g, b = colorsys.hsv_to_rgb(hue % 1.0, saturation, value)
    return (round(r * 255), round(g * 255), round(b * 255))


def muted(colour: RGB, saturation: float, value: float) -> RGB:
    hue, own, _ = hsv(colour)
    return from_hsv(hue, min(own, saturation), value)
