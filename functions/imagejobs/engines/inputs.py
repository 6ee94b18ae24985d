"""Reading an image a client sends: what it really is, from its bytes, and whether a model takes it.

The format is sniffed from the bytes, never taken from a name or a content type. The header is
read first, so a decompression bomb (a small file that declares a huge picture) is refused
before any pixel is decoded; then the whole image is decoded once, so a truncated file is
refused at submit rather than failing the job later. Submit imports this module only when a
request carries an image: it is the one place submit needs Pillow.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image

from imagejobs.engines.base import ImageFormat
from imagejobs.engines.catalogue import InputLimits
from imagejobs.exceptions import InvalidParameterError

_FORMATS: dict[str, ImageFormat] = {"PNG": "png", "JPEG": "jpeg", "WEBP": "webp"}


@dataclass(frozen=True, slots=True)
class ReadImage:
    image_format: ImageFormat
    width: int
    height: int


def read_input(data: bytes, limits: InputLimits, field: str = "image") -> ReadImage:
    """What the image in `data` is; an `InvalidParameterError` naming `field` if it is not one
    the model takes."""
    try:
        with warnings.catch_warnings():
            # Pillow warns, then raises, past MAX_IMAGE_PIXELS; the limits below come first.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (OSError, Image.DecompressionBombError, ValueError):
        raise InvalidParameterError(field, "is not a png, jpeg or webp image") from None
    image_format = _FORMATS.get(image.format or "")
    if image_format is None or image_format not in limits.formats:
        raise InvalidParameterError(
            field, f"must be {' or '.join(limits.formats)}; this is {image.format or 'unknown'}"
        )
    width, height = image.size
    _check_size(width, height, limits, field)
    if getattr(image, "n_frames", 1) > 1:
        raise InvalidParameterError(field, "must be a still image, not an animation")
    try:
        image.load()
    except (OSError, Image.DecompressionBombError) as error:
        raise InvalidParameterError(
            field, "cannot be decoded: the file is cut short or broken"
        ) from error
    return ReadImage(image_format, width, height)


def _check_size(width: int, height: int, limits: InputLimits, field: str) -> None:
    if min(width, height) < limits.min_side or max(width, height) > limits.max_side:
        raise InvalidParameterError(
            field,
            f"each side must be {limits.min_side} to {limits.max_side} pixels; this is"
            f" {width}x{height}",
        )
    if not limits.min_pixels <= width * height <= limits.max_pixels:
        raise InvalidParameterError(
            field,
            f"must have {limits.min_pixels:,} to {limits.max_pixels:,} pixels; this has"
            f" {width * height:,}",
        )
    shape = max(width / height, height / width)
    if limits.max_aspect is not None and shape > limits.max_aspect:
        raise InvalidParameterError(
            field, f"must be no wider or taller than {limits.max_aspect}:1; this is {shape:.2f}:1"
        )
