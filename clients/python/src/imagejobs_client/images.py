"""What `image=` takes: an image to start from, made into what the API's `image` field holds.

Today that is a `data:` URL: a `str` is sent as it is (a data URL you made), and `bytes` or a
path (`pathlib.Path`, or any `os.PathLike`) become one, with the media type read from the
bytes. The API checks the bytes again (their format and size), so nothing here is trusted.

`image_field` is the one place a new kind of source goes (an upload, a job's image): callers
keep writing `image=...`.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Annotated, TypeAlias

from pydantic import PlainValidator, WithJsonSchema

# A data URL, the bytes of a PNG, JPEG or WebP file, or its path.
ImageSource: TypeAlias = str | bytes | os.PathLike[str]


def data_url(image: bytes | os.PathLike[str]) -> str:
    """The image as a `data:` URL: `data:image/png;base64,...`. A `ValueError` for bytes that
    are not a PNG, JPEG or WebP file (the API would refuse them too)."""
    data = Path(image).read_bytes() if isinstance(image, os.PathLike) else image
    return f"data:{_media_type(data)};base64,{base64.b64encode(data).decode('ascii')}"


def _media_type(data: bytes) -> str:
    """The format the API takes that `data` is, by its first bytes."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    raise ValueError("the image is not a PNG, JPEG or WebP file")


def image_field(image: object) -> str:
    """An `ImageSource` as the request's `image` field holds it."""
    if isinstance(image, str):
        return image
    if isinstance(image, bytes | os.PathLike):
        return data_url(image)
    raise TypeError(f"image takes a data: URL, bytes or a path, not {type(image).__name__}")


# The `image` field of a request: any `ImageSource`, held (and sent) as the API's string.
ImageInput = Annotated[ImageSource, PlainValidator(image_field), WithJsonSchema({"type": "string"})]
