"""Images in and out: the base64 images a body carries, checked against a model's documented
limits, and the pictures the stand-in answers with.

An input image is judged from its header first (format, width, height), so a decompression bomb
is refused before any pixel is decoded; only then, and only up to DECODE_LIMIT pixels, is it
decoded, so that truncated or corrupt data is refused as the model would fail on it. The
pictures out are simple and deterministic (a seed-coloured ground, a band and a disc); what is
faithful is their size, format and alpha, which are what the pages document.
"""

from __future__ import annotations

import base64
import binascii
import io
import math
import random
import warnings
from dataclasses import dataclass

from PIL import Image, ImageDraw, UnidentifiedImageError

from imagejobs_dev.bedrock_standin.errors import InvalidBody

DECODE_LIMIT = 16_777_216  # pixels; larger images (allowed by no page here) are checked by header
FORMATS = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}  # output_format -> Pillow's name


@dataclass(frozen=True)
class ImageLimits:
    """What a page says an input image may be. `max_aspect` 2.5 means 1:2.5 to 2.5:1."""

    source: str
    formats: frozenset[str] = frozenset({"JPEG", "PNG", "WEBP"})
    min_side: int = 1
    max_side: int | None = None
    min_pixels: int = 1
    max_pixels: int | None = None
    max_aspect: float | None = None


@dataclass(frozen=True)
class InputImage:
    """A decoded input image, as the request log and the output rules see it."""

    format: str
    width: int
    height: int
    mode: str
    size_bytes: int
    picture: Image.Image | None  # None when it was checked by its header only

    @property
    def has_alpha(self) -> bool:
        return self.mode in ("RGBA", "LA", "PA") or (
            self.picture is not None and "transparency" in self.picture.info
        )

    def describe(self) -> str:
        return f"<elided: {self.format} {self.width}x{self.height}, {self.size_bytes} bytes>"


def _fail(field: str, problem: str, limits: ImageLimits) -> InvalidBody:
    return InvalidBody(field, problem, limits.source)


def decode(field: str, value: str, limits: ImageLimits) -> InputImage:
    """The image a base64 string carries, or InvalidBody naming `field` and the broken rule."""
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise _fail(field, "is not a valid base64 string", limits) from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            picture = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _fail(field, "has too many pixels to decode", limits) from None
    except (UnidentifiedImageError, OSError):
        raise _fail(field, "is not an image in a supported format", limits) from None
    names = ", ".join(sorted(name.lower() for name in limits.formats))
    if picture.format not in limits.formats:
        raise _fail(field, f"format {picture.format} is not supported (supported: {names})", limits)
    width, height = picture.size
    _check_size(field, width, height, limits)
    decoded: Image.Image | None = None
    if width * height <= DECODE_LIMIT:
        try:
            picture.load()
        except (OSError, SyntaxError, ValueError):
            raise _fail(field, "is truncated or corrupt and cannot be decoded", limits) from None
        decoded = picture
    return InputImage(picture.format, width, height, picture.mode, len(data), decoded)


def _check_size(field: str, width: int, height: int, limits: ImageLimits) -> None:
    if min(width, height) < limits.min_side:
        raise _fail(field, f"every side must be at least {limits.min_side} pixels", limits)
    if limits.max_side is not None and max(width, height) > limits.max_side:
        raise _fail(field, f"every side must be at most {limits.max_side} pixels", limits)
    pixels = width * height
    if pixels < limits.min_pixels:
        raise _fail(field, f"the total pixel count must be at least {limits.min_pixels}", limits)
    if limits.max_pixels is not None and pixels > limits.max_pixels:
        raise _fail(
            field, f"the total pixel count ({pixels}) cannot exceed {limits.max_pixels}", limits
        )
    if limits.max_aspect is not None and max(width, height) / min(width, height) > (
        limits.max_aspect
    ):
        ratio = f"{limits.max_aspect:g}"
        raise _fail(field, f"the aspect ratio must be between 1:{ratio} and {ratio}:1", limits)


# --------------------------------------------------------------------------- sizes out


def at_pixels(width: int, height: int, pixels: int, multiple: int = 1) -> tuple[int, int]:
    """A size of about `pixels` pixels with the aspect ratio of width x height."""
    scale = math.sqrt(pixels / (width * height))
    return (
        max(multiple, round(width * scale / multiple) * multiple),
        max(multiple, round(height * scale / multiple) * multiple),
    )


# --------------------------------------------------------------------------- pictures out


def picture(
    size: tuple[int, int],
    seed: int,
    output_format: str,
    *,
    alpha: bool = False,
    inset: tuple[Image.Image, int, int] | None = None,
) -> bytes:
    """The encoded picture for a seed: RGB, or RGBA with a transparent ground and an opaque
    subject when `alpha` (and the format can carry it); `inset` pastes an input at (x, y)."""
    rng = random.Random(seed)  # noqa: S311 - test pictures, not secrets
    ground = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
    ink = tuple(255 - channel for channel in ground)
    width, height = size
    fmt = FORMATS[output_format]
    keep_alpha = alpha and fmt != "JPEG"
    mode, fill = ("RGBA", (*ground, 0)) if keep_alpha else ("RGB", ground)
    canvas = Image.new(mode, size, fill)
    draw = ImageDraw.Draw(canvas)
    if not keep_alpha:
        band = rng.randrange(max(1, height))
        draw.rectangle((0, band, width, min(height, band + max(1, height // 8))), fill=ink)
    draw.ellipse((width // 4, height // 4, 3 * width // 4, 3 * height // 4), fill=(*ink, 255))
    if inset is not None:
        source, x, y = inset
        canvas.paste(source.convert(canvas.mode), (x, y))
    buffer = io.BytesIO()
    if fmt == "PNG":
        canvas.save(buffer, format="PNG", compress_level=1)
    else:
        canvas.save(buffer, format=fmt, quality=90)
    return buffer.getvalue()
