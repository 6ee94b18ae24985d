"""Encoding a rendered picture into the requested file format, the same way for every engine.

The encoders run with fixed settings: no timestamps or metadata are written, and nothing
depends on defaults that a Pillow upgrade could change silently, so the same picture and
quality give the same bytes on every run and machine with the same Pillow.
"""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from imagejobs.engines.base import DEFAULT_QUALITY, ImageFormat

ENCODERS: dict[str, tuple[str, dict[str, Any]]] = {
    "png": ("PNG", {"optimize": False, "compress_level": 6}),
    "jpeg": ("JPEG", {"optimize": False, "progressive": False, "subsampling": 2}),
    "webp": ("WEBP", {"method": 4, "lossless": False, "exact": False}),
}


def encode(image: Image.Image, image_format: ImageFormat, quality: int | None = None) -> bytes:
    """`quality` (1-100) applies to JPEG and WebP; None means `DEFAULT_QUALITY`."""
    pil_format, options = ENCODERS[image_format]
    if image_format != "png":
        options = {**options, "quality": quality if quality is not None else DEFAULT_QUALITY}
    # JPEG has no transparency; PNG and WebP keep it where the picture has it.
    keep = ("RGB", "RGBA") if image_format != "jpeg" else ("RGB",)
    if image.mode not in keep:
        image = image.convert("RGBA" if "A" in image.mode and image_format != "jpeg" else "RGB")
    buffer = io.BytesIO()
    image.save(buffer, format=pil_format, **options)
    return buffer.getvalue()
