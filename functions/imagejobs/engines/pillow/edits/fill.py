"""Erase and inpaint: the masked region filled from its surroundings, or with the prompt's
picture blended in. Outside the region (the mask grown by `grow_mask`) not a pixel changes.

The fill is a pull-push interpolation (Gortler et al., "The Lumigraph", 1996): the image with
the region made transparent is halved again and again, each level's colour the average of the
known pixels under it (Pillow halves RGBA premultiplied, so unknown pixels add no colour) and
its weight that of all of them, up to 1; then from the smallest level down each level's gaps
are filled from the one below, enlarged. The region takes on the colours around it, each pixel
mostly from the nearest, smoothly: what is erased leaves what it stood in front of, as far as
its edges tell. Every step is one of Pillow's C passes, about 4/3 of the pixels in all.

Inpaint with a prompt paints the prompt's picture (`picture.paint_prompt`) to the region's box
and lays it into the region over that fill, fading into it at the region's edge. The image's
own transparency outside the region is kept (and its transparent pixels lend no colour to the
fill); the region comes out opaque. Only the region's box and as much again around it are
worked on: the rest of the image cannot change the fill much, and costs nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

from PIL import Image, ImageChops

from imagejobs.engines.base import JobParameters
from imagejobs.engines.pillow.edits.masks import edit_region, feathered, plain, wide_blur
from imagejobs.engines.pillow.picture import paint_prompt
from imagejobs.engines.pillow.scene import compose
from imagejobs.exceptions import PermanentEngineError

DEFAULT_GROW = 5  # the catalogue's default for grow_mask
FULL = 255
# The alpha of a halved level is the sum of the four it covers, up to full: x4.
SUMMED = [min(FULL, 4 * value) for value in range(256)]


def erase(parameters: JobParameters, images: Mapping[str, Image.Image], seed: int) -> Image.Image:
    return _filled(parameters, images, seed, with_prompt=False)


def inpaint(parameters: JobParameters, images: Mapping[str, Image.Image], seed: int) -> Image.Image:
    return _filled(parameters, images, seed, with_prompt=bool(parameters.prompt))


def _filled(
    parameters: JobParameters, images: Mapping[str, Image.Image], seed: int, *, with_prompt: bool
) -> Image.Image:
    image = plain(images["image"])
    region = edit_region(
        images, DEFAULT_GROW if parameters.grow_mask is None else parameters.grow_mask
    )
    # The region and as much again around it: what its fill depends on.
    left, top, right, bottom = region.getbbox() or (0, 0, *region.size)
    reach = max(16, right - left, bottom - top)
    box = (
        max(0, left - reach),
        max(0, top - reach),
        min(image.width, right + reach),
        min(image.height, bottom + reach),
    )
    part = region.crop(box)
    filled = fill_from_surroundings(image.crop(box), part)
    if with_prompt:
        filled = _with_picture(parameters, filled, part, seed)
    result = image.copy()
    result.paste(filled.convert(image.mode), box, part)
    return result


def _with_picture(
    parameters: JobParameters, filled: Image.Image, region: Image.Image, seed: int
) -> Image.Image:
    """The prompt's picture painted to the region's box, laid into the region over the fill and
    fading into it over the region's outer eighth."""
    left, top, right, bottom = region.getbbox() or (0, 0, *region.size)
    scene = compose(parameters.prompt or "", parameters.negative_prompt)
    picture = paint_prompt(parameters, scene, (right - left, bottom - top), seed)
    layer = filled.copy()
    layer.paste(picture.convert("RGB"), (left, top))
    return Image.composite(layer, filled, feathered(region, _breadth(region) / 8))


def fill_from_surroundings(image: Image.Image, region: Image.Image) -> Image.Image:
    """`image` with every pixel of `region` (L, 255 where) filled from those around it; RGB."""
    levels = _pyramid(image, region)
    filled = levels.pop()
    if filled.getchannel("A").getextrema()[1] == 0:
        raise PermanentEngineError("the mask covers the whole image: there is nothing to fill from")
    filled.putalpha(FULL)
    while levels:  # each level let go of once used: a 16 MP image's pyramid is 85 MB
        finer = levels.pop()
        # The coarser level covers twice the finer's extent, rounded up: map it back exactly.
        box = (0.0, 0.0, finer.width / 2, finer.height / 2)
        enlarged = filled.resize(finer.size, Image.Resampling.BILINEAR, box)
        filled = Image.alpha_composite(enlarged, finer)
    filled = filled.convert("RGB")
    # Smoothed inside, where the coarse levels' straight lines would show; exact at the edge.
    smooth = wide_blur(filled, _breadth(region) / 12)
    return Image.composite(smooth, filled, feathered(region, _breadth(region) / 4))


def _pyramid(image: Image.Image, region: Image.Image) -> list[Image.Image]:
    """The image with `region` (and any transparent pixel) unknown, halved down to one pixel:
    each level's colour the known pixels' average, its weight their sum, up to full."""
    known = image.convert("RGB").convert("RGBA")
    weight = ImageChops.invert(region)
    if image.mode == "RGBA":
        weight = ImageChops.darker(weight, image.getchannel("A"))
    known.putalpha(weight)
    levels = [known]
    while max(levels[-1].size) > 1:
        halved = levels[-1].reduce(2)  # premultiplied: unknown pixels bring no colour
        halved.putalpha(halved.getchannel("A").point(SUMMED))
        levels.append(halved)
    return levels


def _breadth(region: Image.Image) -> float:
    """The shorter side of the region's box: how big a thing it is."""
    left, top, right, bottom = region.getbbox() or (0, 0, 1, 1)
    return float(min(right - left, bottom - top))
