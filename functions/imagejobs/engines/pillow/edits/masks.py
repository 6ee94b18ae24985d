"""Masks: which pixels an edit changes, as an "L" image, 255 where it does and 0 where not;
and the passes over pixels the edits share.

Every pass here is one of Pillow's C loops over the pixels (a LUT, a box blur, a channel
operation), whose cost does not depend on a radius; only `components` walks in Python, and it
walks runs of pixels, not pixels, on images already made small.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageFilter

from imagejobs.exceptions import PermanentEngineError

HALF = 128  # a mask pixel counts from here; an alpha below it counts as transparent


def plain(image: Image.Image) -> Image.Image:
    """RGB, or RGBA where the image has transparency: what every edit works on."""
    has_alpha = "A" in image.mode or "transparency" in image.info
    wanted = "RGBA" if has_alpha else "RGB"
    return image if image.mode == wanted else image.convert(wanted)


def threshold(mask: Image.Image, at: int = HALF) -> Image.Image:
    """255 where `mask` is at least `at`, else 0."""
    return mask.point([0] * at + [255] * (256 - at))


def edit_region(images: Mapping[str, Image.Image], grow_by: int) -> Image.Image:
    """Where inpaint and erase change the image: the mask's white (a transparent pixel of the
    mask counts as black), else the image's transparent pixels; widened by `grow_by` pixels.
    A `PermanentEngineError` when that is nothing."""
    image = images["image"]
    if "mask" in images:
        mask = images["mask"]
        region = mask.convert("L")
        if "A" in mask.mode:
            region = ImageChops.multiply(region, mask.getchannel("A"))
        region = threshold(region)
    elif image.mode == "RGBA":
        region = threshold(ImageChops.invert(image.getchannel("A")))  # alpha below HALF
    else:
        raise PermanentEngineError(
            "there is nothing to change: give a mask (white where to change), or an image with"
            " transparent pixels"
        )
    if region.getbbox() is None:
        raise PermanentEngineError("the mask is black everywhere: there is nothing to change")
    return grow(region, grow_by)


def grow(mask: Image.Image, pixels: int) -> Image.Image:
    """The mask widened by `pixels` each way: a box blur across then down, each followed by a
    threshold at "anything at all" (a lone pixel still leaves 255 / (2 * pixels + 1) >= 1)."""
    if pixels <= 0:
        return mask
    across = threshold(mask.filter(ImageFilter.BoxBlur((pixels, 0))), 1)
    return threshold(across.filter(ImageFilter.BoxBlur((0, pixels))), 1)


def shrink(mask: Image.Image, pixels: int) -> Image.Image:
    """The mask narrowed by `pixels` each way (the black grown)."""
    return ImageChops.invert(grow(ImageChops.invert(mask), pixels))


def feathered(mask: Image.Image, pixels: float) -> Image.Image:
    """The mask with a soft inner edge about `pixels` wide; still 0 everywhere it was 0."""
    if pixels < 1:
        return mask
    return ImageChops.darker(mask, mask.filter(ImageFilter.GaussianBlur(pixels / 2)))


def wide_blur(image: Image.Image, radius: float) -> Image.Image:
    """A Gaussian blur of `radius`, done small where it is wide: a blur that wide leaves no
    detail the smaller image could not hold, and costs a fraction of the pixels."""
    factor = max(1, min(int(radius / 3), *image.size))
    if factor == 1:
        return image.filter(ImageFilter.GaussianBlur(radius)) if radius >= 0.5 else image
    small = image.reduce(factor).filter(ImageFilter.GaussianBlur(radius / factor))
    box = (0.0, 0.0, image.width / factor, image.height / factor)
    return small.resize(image.size, Image.Resampling.BILINEAR, box)


SOBEL = ((-1, 0, 1, -2, 0, 2, -1, 0, 1), (-1, -2, -1, 0, 0, 0, 1, 2, 1))
# |v - 128| * 2: a Sobel response stored about 128, back to the height of the step it found.
MAGNITUDE = [min(255, abs(v - 128) * 2) for v in range(256)]


def colour_edges(image: Image.Image, blur: float = 1) -> Image.Image:
    """Per pixel of an RGB image, the height of the colour step it is on: the larger Sobel
    response, across or down, of any channel, after a blur that keeps grain from counting
    ("L"). The outer ring, which Pillow's kernels leave as it was, is 0."""
    soft = image.filter(ImageFilter.GaussianBlur(blur))
    across, down = (
        soft.filter(ImageFilter.Kernel((3, 3), kernel, scale=8, offset=128)).point(MAGNITUDE * 3)
        for kernel in SOBEL
    )
    steps = largest_channel(ImageChops.lighter(across, down))
    inner = (1, 1, image.width - 1, image.height - 1)
    edges = Image.new("L", image.size, 0)
    edges.paste(steps.crop(inner), inner[:2])
    return edges


def largest_channel(image: Image.Image) -> Image.Image:
    """Per pixel of an RGB image, its largest channel ("L")."""
    red, green, blue = image.split()
    return ImageChops.lighter(red, ImageChops.lighter(green, blue))


@dataclass(frozen=True, slots=True)
class Component:
    """Pixels of a mask that touch one another (side by side, or corner to corner)."""

    size: int
    touches_border: bool
    runs: tuple[tuple[int, int, int], ...]  # (row, first column, end column) of each run


def components(mask: Image.Image) -> list[Component]:
    """The connected white parts of a binary mask, largest first: runs of white on each row,
    joined with the runs they touch on the row above (union-find on runs, not pixels)."""
    width, height = mask.size
    data = mask.tobytes()
    runs: list[tuple[int, int, int]] = []
    joined = _Joined()
    above: list[int] = []
    for row in range(height):
        here = []
        for match in _WHITE.finditer(data, row * width, (row + 1) * width):
            start, end = match.start() - row * width, match.end() - row * width
            here.append(joined.add())
            runs.append((row, start, end))
        _join_rows(runs, above, here, joined)
        above = here
    return _grouped(runs, [joined.root(run) for run in range(len(runs))], width, height)


_WHITE = re.compile(rb"[^\x00]+")


class _Joined:
    """Union-find over run numbers."""

    def __init__(self) -> None:
        self.parent: list[int] = []

    def add(self) -> int:
        self.parent.append(len(self.parent))
        return len(self.parent) - 1

    def root(self, run: int) -> int:
        parent = self.parent
        while parent[run] != run:
            parent[run] = parent[parent[run]]
            run = parent[run]
        return run

    def join(self, a: int, b: int) -> None:
        self.parent[self.root(a)] = self.root(b)


def _join_rows(
    runs: list[tuple[int, int, int]], above: list[int], here: list[int], joined: _Joined
) -> None:
    """Join each run of a row with the runs above it that it touches (corners too). Both rows'
    runs are in order and apart, so one pass over each does."""
    first = 0
    for run in here:
        _, start, end = runs[run]
        while first < len(above) and runs[above[first]][2] < start:
            first += 1  # ends left of this run: left of every later run too
        other = first
        while other < len(above) and runs[above[other]][1] <= end:
            joined.join(above[other], run)
            other += 1


def _grouped(
    runs: list[tuple[int, int, int]], roots: list[int], width: int, height: int
) -> list[Component]:
    groups: dict[int, list[tuple[int, int, int]]] = {}
    for run, group in zip(runs, roots, strict=True):
        groups.setdefault(group, []).append(run)
    found = [
        Component(
            size=sum(end - start for _, start, end in members),
            touches_border=any(
                row in (0, height - 1) or start == 0 or end == width for row, start, end in members
            ),
            runs=tuple(members),
        )
        for members in groups.values()
    ]
    return sorted(found, key=lambda component: component.size, reverse=True)


def drawn(parts: list[Component], size: tuple[int, int]) -> Image.Image:
    """A mask of `size`, white on the runs of `parts`."""
    width, height = size
    data = bytearray(width * height)
    for part in parts:
        for row, start, end in part.runs:
            data[row * width + start : row * width + end] = b"\xff" * (end - start)
    return Image.frombytes("L", size, bytes(data))
