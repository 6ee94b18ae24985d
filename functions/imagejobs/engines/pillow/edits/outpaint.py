"""Outpaint: the canvas extended by `left`, `right`, `up` and `down` pixels and the margins
filled; the input sits unchanged at (left, up) of an image the input's size plus the margins.

The margins continue the image as a mirror would (reflected at each edge, corners both ways, as
often as a margin wider than the image needs), sharp next to the image and blurring with the
distance from it, as a lens would past what it saw. With a prompt, the prompt's picture
(`picture.paint_prompt`) painted at the whole canvas's size takes over the margins beyond that
near band, so the image stands in the scene the prompt asks for.
"""

from __future__ import annotations

from collections.abc import Mapping

from PIL import Image, ImageOps

from imagejobs.engines.base import JobParameters
from imagejobs.engines.pillow.edits.masks import plain, wide_blur
from imagejobs.engines.pillow.picture import paint_prompt
from imagejobs.engines.pillow.scene import compose
from imagejobs.exceptions import PermanentEngineError

Margins = tuple[int, int, int, int]  # left, right, up, down


def outpaint(
    parameters: JobParameters, images: Mapping[str, Image.Image], seed: int
) -> Image.Image:
    image = plain(images["image"])
    margins = (
        parameters.left or 0,
        parameters.right or 0,
        parameters.up or 0,
        parameters.down or 0,
    )
    if not any(margins):
        raise PermanentEngineError("outpaint needs a margin: left, right, up or down above 0")
    left, _, up, _ = margins
    mirrored = reflected(image, margins)
    # How far out the margins go from the image's own detail to a blur of it.
    reach = max(8.0, min(image.size) / 4)
    near = _distance_ramp(image.size, margins, reach)
    extended = Image.composite(wide_blur(mirrored, reach / 4), mirrored, near)
    if parameters.prompt:
        scene = compose(parameters.prompt, parameters.negative_prompt)
        picture = paint_prompt(parameters, scene, extended.size, seed).convert(image.mode)
        far = _distance_ramp(image.size, margins, reach / 2)
        extended = Image.composite(picture, extended, far)
    extended.paste(image, (left, up))
    return extended


def reflected(image: Image.Image, margins: Margins) -> Image.Image:
    """`image` with each margin filled by its mirror image across the nearest edge: a margin
    wider than the image reflects the reflection, and so on."""
    left, right, up, down = margins
    while left or right or up or down:
        width, height = image.size
        step = (min(left, width), min(right, width), min(up, height), min(down, height))
        image = _reflected_once(image, step)
        left, right, up, down = (a - b for a, b in zip((left, right, up, down), step, strict=True))
    return image


def _reflected_once(image: Image.Image, margins: Margins) -> Image.Image:
    left, right, up, down = margins
    width, height = image.size
    wider = Image.new(image.mode, (left + width + right, height))
    wider.paste(image, (left, 0))
    if left:
        wider.paste(ImageOps.mirror(image.crop((0, 0, left, height))), (0, 0))
    if right:
        wider.paste(
            ImageOps.mirror(image.crop((width - right, 0, width, height))), (left + width, 0)
        )
    taller = Image.new(image.mode, (wider.width, up + height + down))
    taller.paste(wider, (0, up))
    if up:
        taller.paste(ImageOps.flip(wider.crop((0, 0, wider.width, up))), (0, 0))
    if down:
        taller.paste(
            ImageOps.flip(wider.crop((0, height - down, wider.width, height))), (0, up + height)
        )
    return taller


def _distance_ramp(size: tuple[int, int], margins: Margins, reach: float) -> Image.Image:
    """An "L" mask of the canvas: 0 on the image and at its edge, rising with the distance from
    it to 255 at `reach` and beyond. Drawn at a fraction of the canvas's size, then enlarged:
    it has no detail to lose."""
    left, right, up, down = margins
    width, height = size
    scale = max(1, int(reach / 8))
    canvas = (
        (left + width + right + scale - 1) // scale,
        (up + height + down + scale - 1) // scale,
    )
    inside = Image.new("L", canvas, 255)
    held = Image.new("L", canvas, 0)
    box = (left // scale, up // scale, -(-(left + width) // scale), -(-(up + height) // scale))
    held.paste(inside.crop(box), box[:2])
    # Out to `reach` from the image: a blur of it, whose falling half is the ramp.
    spread = wide_blur(held, reach / scale / 2)
    ramp = spread.point([max(0, 255 - 2 * v) for v in range(256)])
    ramp.paste(0, box)
    full = (left + width + right, up + height + down)
    return ramp.resize(full, Image.Resampling.BILINEAR, (0, 0, full[0] / scale, full[1] / scale))
