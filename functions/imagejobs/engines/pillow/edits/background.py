"""Remove background: the subject kept, opaque, and the background made transparent (RGBA).

It works as a cut-out is made by hand with a magic wand, for a subject in front of a
background that differs from it; at a working size of at most WORK_SIDE a side:

1. The background is what the border shows: the border's pixels near its median colour are
   its samples (a subject that touches the border leaves its own pixels out), and its colour
   behind the whole image is interpolated from them (`fill.fill_from_surroundings`).
2. From the border inwards, the background is every pixel that can be reached without
   crossing an edge (a colour step above the background's own grain) or a colour too far
   from the background's: a backdrop's gradient or glow is crossed, a subject's outline is
   not. Enclosed parts that are background-coloured and not tiny (the inside of a mug's
   handle) are background too.
3. The rest, cleaned (an opening removes specks, a closing bridges cracks), is the subject:
   its largest connected part and any others at least SECOND_SHARE of it.
4. At full size the alpha is opaque inside the subject, clear outside, and along its outline
   follows each pixel's distance from the background (now learnt from everything outside the
   subject) on a soft ramp, so the edge keeps its anti-aliasing, feathered by half a pixel.

A picture with nothing but background fails, saying so.
"""

from __future__ import annotations

from collections.abc import Mapping

from PIL import Image, ImageChops, ImageFilter, ImageStat

from imagejobs.engines.base import JobParameters
from imagejobs.engines.pillow.edits.fill import fill_from_surroundings
from imagejobs.engines.pillow.edits.masks import (
    Component,
    colour_edges,
    components,
    drawn,
    grow,
    largest_channel,
    plain,
    shrink,
    threshold,
    wide_blur,
)
from imagejobs.exceptions import PermanentEngineError

WORK_SIDE = 384
BORDER_SHARE = 0.03  # of the shorter side: how deep the border's samples go
# A border pixel this far from the border's median colour is no sample of the background.
BORDER_TOLERANCE = 48
# What stands out from the background's grain: this much above the 95th percentile of its
# samples, and at least the floor.
NOISE_MARGIN = 12
MIN_EDGE = 16
MIN_DISTANCE = 28
HOLE_SHARE = 0.02  # enclosed background smaller than this share of the subject stays subject
SECOND_SHARE = 0.25
# Working pixels on each side of an outline that an edge covers (`colour_edges`).
EDGE_BAND = 2


def remove_background(
    parameters: JobParameters, images: Mapping[str, Image.Image], seed: int
) -> Image.Image:
    image = plain(images["image"])
    rgb = image.convert("RGB")
    factor = max(1, -(-max(image.size) // WORK_SIDE))
    small = rgb.reduce(factor) if factor > 1 else rgb
    subject = _subject(small)
    # The background learnt from everything outside the subject, for the outline's alpha.
    background = _smooth(fill_from_surroundings(small, grow(subject, _step(small.size))))
    alpha = _alpha(rgb, background, subject, _noise(_distance(small, background), subject))
    if "A" in image.mode:
        alpha = ImageChops.multiply(alpha, image.getchannel("A"))
    result = rgb.convert("RGBA")
    result.putalpha(alpha)
    return result


def _subject(small: Image.Image) -> Image.Image:
    """What is not background, cleaned: its largest part and any others not much smaller."""
    border = _border(small.size)
    median = tuple(int(v) for v in ImageStat.Stat(small, border).median)
    near = threshold(_distance(small, Image.new("RGB", small.size, median)), BORDER_TOLERANCE)
    samples = ImageChops.darker(border, ImageChops.invert(near))
    if samples.getbbox() is None:  # a border of many colours: take all of it
        samples = border
    background = _smooth(fill_from_surroundings(small, ImageChops.invert(samples)))
    distance = _distance(small, background)
    edges = colour_edges(small)
    cut = _above(distance, samples, MIN_DISTANCE)
    # Passable: no edge, and a colour near enough the background's (a glow, not a subject).
    passable = ImageChops.darker(
        ImageChops.invert(threshold(edges, _above(edges, samples, MIN_EDGE))),
        ImageChops.invert(threshold(distance, 2 * cut)),
    )
    open_parts = components(passable)
    reached = [part for part in open_parts if part.touches_border]
    found = _cleaned(ImageChops.invert(drawn(reached, small.size)))
    parts = components(found)
    if not parts:
        raise PermanentEngineError(
            "remove-background found no subject: the image is background throughout"
        )
    subject = drawn(
        [part for part in parts if part.size >= SECOND_SHARE * parts[0].size], small.size
    )
    holes = _background_holes(open_parts, distance, cut, HOLE_SHARE * parts[0].size)
    return ImageChops.darker(subject, ImageChops.invert(holes)) if holes else subject


def _background_holes(
    open_parts: list[Component], distance: Image.Image, cut: int, at_least: float
) -> Image.Image | None:
    """Enclosed open parts (no edge inside) of the background's colour, not tiny."""
    holes = []
    for part in open_parts:
        if part.touches_border or part.size < at_least:
            continue
        mask = drawn([part], distance.size)
        if ImageStat.Stat(distance, mask).mean[0] < cut:
            holes.append(part)
    return drawn(holes, distance.size) if holes else None


def _border(size: tuple[int, int]) -> Image.Image:
    """A mask of the image's border, BORDER_SHARE of its shorter side deep."""
    depth = max(1, round(min(size) * BORDER_SHARE))
    border = Image.new("L", size, 255)
    border.paste(0, (depth, depth, size[0] - depth, size[1] - depth))
    return border


def _smooth(background: Image.Image) -> Image.Image:
    """Its shading, not its grain."""
    return wide_blur(background, min(background.size) / 24)


def _distance(image: Image.Image, background: Image.Image) -> Image.Image:
    """Per pixel, the largest of its channels' differences from the background ("L")."""
    return largest_channel(ImageChops.difference(image, background))


def _above(values: Image.Image, samples: Image.Image, floor: int) -> int:
    """Above the background's own grain: NOISE_MARGIN over the 95th percentile of `values`
    among the samples, at least `floor`."""
    counts = values.histogram(samples)
    total, seen = sum(counts), 0
    for value, count in enumerate(counts):
        seen += count
        if seen >= 0.95 * total:
            return min(250, max(floor, value + NOISE_MARGIN))
    return floor


def _noise(distance: Image.Image, subject: Image.Image) -> int:
    return _above(distance, ImageChops.invert(grow(subject, _step(subject.size))), MIN_DISTANCE)


def _step(size: tuple[int, int]) -> int:
    """The scale of the clean-up: about 1/150 of the shorter side."""
    return max(1, round(min(size) / 150))


def _cleaned(found: Image.Image) -> Image.Image:
    """Specks removed (an opening), then cracks bridged (a closing)."""
    step = _step(found.size)
    return shrink(grow(grow(shrink(found, step), step), step), step)


def _alpha(
    rgb: Image.Image, background: Image.Image, subject: Image.Image, cut: int
) -> Image.Image:
    """Full size: opaque inside the subject, clear outside, and along its outline the distance
    from the background on a ramp from `cut` (the background's grain) to twice that. The band
    is as wide as the edges that stopped the background (blurred, a Sobel wide): they stand on
    both sides of the outline."""
    size = rgb.size
    inside = _enlarged(shrink(subject, EDGE_BAND), size)
    outline = _enlarged(grow(subject, 1), size)
    distance = _distance(rgb, background.resize(size, Image.Resampling.BILINEAR))
    low, high = cut, 2 * cut
    ramp = distance.point([min(255, max(0, (v - low) * 255 // (high - low))) for v in range(256)])
    alpha = ImageChops.lighter(inside, ImageChops.darker(outline, ramp))
    return alpha.filter(ImageFilter.GaussianBlur(0.5))


def _enlarged(mask: Image.Image, size: tuple[int, int]) -> Image.Image:
    return threshold(mask.resize(size, Image.Resampling.BILINEAR))
