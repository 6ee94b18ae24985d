"""Reading an image a client sends: what it really is, from its bytes, whether a model takes it,
and the same picture as a plain PNG that every engine and model takes.

The format is sniffed from the bytes, never taken from a name or a content type. The header is
read first, so a decompression bomb (a small file that declares a huge picture) is refused
before any pixel is decoded; then the whole image is decoded once, so a truncated file is
refused at submit rather than failing the job later. What is odd but readable is handled: the
EXIF orientation is applied (the size checked is the size seen), and CMYK, 16-bit, palette and
grey images become RGB (or RGBA where they have transparency). An animation is refused by name.
Submit imports this module only when a request carries an image: it is the one place submit
needs Pillow.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

from imagejobs.engines.base import ImageFormat
from imagejobs.engines.catalogue.spec import InputLimits
from imagejobs.exceptions import InvalidParameterError

_FORMATS: dict[str, ImageFormat] = {"PNG": "png", "JPEG": "jpeg", "WEBP": "webp"}


@dataclass(frozen=True, slots=True)
class ReadImage:
    image_format: ImageFormat
    # As seen: after the EXIF orientation.
    width: int
    height: int
    has_alpha: bool
    # The same picture as PNG, RGB or RGBA, upright.
    png: bytes


def read_input(data: bytes, limits: InputLimits, field: str = "image") -> ReadImage:
    """What the image in `data` is; an `InvalidParameterError` naming `field` if it is not one
    the model takes."""
    image = _open(data, field)
    image_format = _FORMATS.get(image.format or "")
    if image_format is None or image_format not in limits.formats:
        raise InvalidParameterError(
            field, f"must be {' or '.join(limits.formats)}; this is {image.format or 'unknown'}"
        )
    if getattr(image, "n_frames", 1) > 1:
        raise InvalidParameterError(field, "must be a still image, not an animation")
    # Every limit holds the same way turned a quarter: the size as stored is checked.
    check_size(*image.size, limits, field)
    try:
        image.load()
        upright = _plain(ImageOps.exif_transpose(image))
    except (OSError, Image.DecompressionBombError) as error:
        raise InvalidParameterError(
            field, "cannot be decoded: the file is cut short or broken"
        ) from error
    buffer = io.BytesIO()
    upright.save(buffer, format="PNG")
    return ReadImage(
        image_format, upright.width, upright.height, upright.mode == "RGBA", buffer.getvalue()
    )


def _open(data: bytes, field: str) -> Image.Image:
    try:
        with warnings.catch_warnings():
            # Pillow warns past MAX_IMAGE_PIXELS, and raises past twice that; the model's
            # limits, checked next, are far lower.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        raise InvalidParameterError(
            field, "declares far more pixels than any model takes (a decompression bomb)"
        ) from None
    except (OSError, ValueError):
        raise InvalidParameterError(field, "is not a png, jpeg or webp image") from None


def _plain(image: Image.Image) -> Image.Image:
    """RGB, or RGBA where the image has transparency."""
    if image.mode.startswith("I"):  # 16-bit (or 32-bit) grey: down to 8 bits
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    return image.convert("RGBA" if has_alpha else "RGB")


def check_size(width: int, height: int, limits: InputLimits, field: str) -> None:
    if (problem := limits.problem(width, height)) is not None:
        raise InvalidParameterError(field, problem)
