"""Search and recolor, from the image's own regions: the pixels of the colour the select_prompt
names ("the red car": red) take the colour the prompt names, keeping their shading.

Without a model nothing is found by name, so the select_prompt must name a colour the
renderer knows (submit refuses one that does not: `catalogue.built_in`). A pixel is of a
colour's family as the vocabulary names it (`colour_words.SHADES`): a vivid pixel by its hue
(the family of the coloured shade nearest in hue, so the shadow on a red thing is still red),
any other by the shade nearest its colour (so a pale tint is white, a dark one black or brown).
The selection is opened (specks out), grown by `grow_mask` and feathered by two pixels; nothing
outside it changes.

The new colour is the first colour word of the prompt, else the colour the renderer gives the
prompt's words (`scene.compose`: "ocean" is cyan, an unknown word a colour of its own). Each
selected pixel takes its hue; its saturation and value move to the new colour's, keeping their
differences from the selection's mean (scaled down when the new colour is darker or duller),
so highlights and shadows stay where they were.
"""

from __future__ import annotations

from collections.abc import Mapping

from PIL import Image, ImageChops, ImageStat

from imagejobs.engines.base import JobParameters
from imagejobs.engines.colour_words import SHADES, Shade, named_shade
from imagejobs.engines.pillow.colour import RGB, hsv, vivid
from imagejobs.engines.pillow.edits.masks import feathered, grow, plain, shrink, threshold
from imagejobs.engines.pillow.scene import compose
from imagejobs.engines.pillow.vocabulary import FAMILY_HUES
from imagejobs.exceptions import PermanentEngineError

DEFAULT_GROW = 5  # the catalogue's default for grow_mask
# On Pillow's 0-255 scales: a pixel at least this saturated and bright is named by its hue.
VIVID = 115
SATURATED = 0.3  # a shade at least this saturated says what its hue is called


def recolor(parameters: JobParameters, images: Mapping[str, Image.Image], seed: int) -> Image.Image:
    image = plain(images["image"])
    selected = named_shade(parameters.select_prompt or "")
    if selected is None:  # submit refuses it; a job stored before that rule may still come
        raise PermanentEngineError("select_prompt names no colour the built-in renderer knows")
    family = SHADES[selected].family
    rgb = image.convert("RGB")
    channels = rgb.convert("HSV").split()
    found = _of_family(family, rgb, channels)
    grow_by = DEFAULT_GROW if parameters.grow_mask is None else parameters.grow_mask
    region = grow(grow(shrink(found, 1), 1), grow_by)
    if region.getbbox() is None:
        raise PermanentEngineError(f"the image has nothing {family} to recolor")
    recoloured = _recoloured(channels, found, _new_colour(parameters))
    result = image.copy()
    result.paste(recoloured.convert(image.mode), (0, 0), feathered(region, 2))
    if image.mode == "RGBA":  # the selection's transparency stays as it was
        result.putalpha(image.getchannel("A"))
    return result


def _hue_gap(hue: float, shade: Shade) -> float:
    gap = abs(hue - hsv(shade.rgb)[0])
    return min(gap, 1 - gap)  # hue is a circle


class _Names:
    """The colour families, and lookup tables from a pixel to its family's number: by Pillow's
    hue (0-255), and by the index of the nearest shade in a palette of the shades."""

    def __init__(self) -> None:
        shades = list(SHADES.values())
        self.families = tuple(dict.fromkeys(shade.family for shade in shades))
        coloured = [s for s in shades if s.family in FAMILY_HUES and hsv(s.rgb)[1] >= SATURATED]
        self.by_hue = [
            self.families.index(min(coloured, key=lambda s: _hue_gap(h / 255, s)).family)
            for h in range(256)
        ]
        padded = shades + [shades[-1]] * (256 - len(shades))
        self.palette = Image.new("P", (1, 1))
        self.palette.putpalette([channel for shade in padded for channel in shade.rgb])
        self.by_shade = [self.families.index(shade.family) for shade in padded]


_NAMES = _Names()


def _of_family(family: str, rgb: Image.Image, channels: tuple[Image.Image, ...]) -> Image.Image:
    """255 where a pixel's colour is of `family`, else 0."""
    hue, saturation, value = channels
    nearest = rgb.quantize(palette=_NAMES.palette, dither=Image.Dither.NONE)
    by_shade = Image.frombytes("L", rgb.size, nearest.tobytes()).point(_NAMES.by_shade)
    vivid_pixels = ImageChops.darker(threshold(saturation, VIVID), threshold(value, VIVID))
    families = Image.composite(hue.point(_NAMES.by_hue), by_shade, vivid_pixels)
    named = _NAMES.families.index(family)
    return families.point([255 if number == named else 0 for number in range(256)])


def _new_colour(parameters: JobParameters) -> RGB:
    named = named_shade(parameters.prompt or "")
    if named is not None:
        return SHADES[named].rgb
    scene = compose(parameters.prompt or "", parameters.negative_prompt)
    return scene.highlight or vivid(scene.accents)[0]


def _recoloured(channels: tuple[Image.Image, ...], found: Image.Image, colour: RGB) -> Image.Image:
    """Every pixel in the new colour's hue, its saturation and value moved to the colour's,
    keeping their differences from the selection's mean (scaled down, never up)."""
    hue, saturation, value = channels
    new_hue, new_saturation, new_value = (round(c * 255) for c in hsv(colour))
    shifted = [
        channel.point(_shift(ImageStat.Stat(channel, found).mean[0], to))
        for channel, to in ((saturation, new_saturation), (value, new_value))
    ]
    return Image.merge("HSV", (Image.new("L", hue.size, new_hue), *shifted)).convert("RGB")


def _shift(mean: float, to: int) -> list[int]:
    scale = min(1.0, to / mean) if mean > 0 else 1.0
    return [min(255, max(0, round(to + (v - mean) * scale))) for v in range(256)]
