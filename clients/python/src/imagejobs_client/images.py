"""What `image=`, `mask=` and `style_image=` take, and what the request's fields hold.

The API takes an image three ways (docs/api.md, "Images in"): a `data:` URL sent inline, an
upload (`{"upload_id"}`, a file sent straight to S3 with a presigned POST, `POST /uploads`), or
an image of one of your own jobs (`{"job_id", "index"}`), so that edits chain. `jobs.create`
takes any `ImageSource` and sends one of those:

- `bytes`, a path (`pathlib.Path`, any `os.PathLike`) or a binary file: uploaded first, then
  named by its upload id. Uploading works for every size the deployment takes (inline stops at
  512 KiB), keeps the request small when a create is retried, and records the upload's id in
  the job;
- a `str`: an upload id (`up_…`, from `uploads.create`) or a `data:` URL you made (`data_url`);
- an `Image` of a job (`job.images[0]`), or an `UploadRef` / `JobImageRef`, as they are.

The media type is read from the bytes; the API reads them again, so nothing here is trusted.
"""

from __future__ import annotations

import base64
import os
import re
from pathlib import Path
from typing import IO, Annotated, Any, TypeAlias

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# As the API spells them (its UploadRef and JobImageRef).
UPLOAD_ID = re.compile(r"^up_[0-9a-f]{32}$")
DATA_URL_PREFIX = "data:"

# The bytes of a file, where they come from: read once, when the job is created.
FileSource: TypeAlias = bytes | os.PathLike[str] | IO[bytes]


class UploadRef(BaseModel):
    """An image uploaded with `POST /uploads` (`client.uploads.create`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    upload_id: Annotated[str, StringConstraints(pattern=UPLOAD_ID.pattern)]


class JobImageRef(BaseModel):
    """An image of one of your own jobs, by its index among the job's images."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    job_id: str
    index: int = Field(default=0)


# What the request's `image`, `mask` and `style_image` hold, as the API takes them.
ImageRef: TypeAlias = str | UploadRef | JobImageRef


def media_type(data: bytes) -> str:
    """The format the API takes that `data` is, by its first bytes; a `ValueError` for any
    other (the API would refuse it too)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    raise ValueError("the image is not a PNG, JPEG or WebP file")


def read_file(source: FileSource) -> bytes:
    """The bytes of `source`: bytes as they are, a path's contents, a binary file read."""
    if isinstance(source, bytes):
        return source
    if isinstance(source, os.PathLike):
        return Path(source).read_bytes()
    if hasattr(source, "read"):
        data = source.read()
        if not isinstance(data, bytes):
            raise TypeError("open the image file in binary mode ('rb')")
        return data
    raise TypeError(f"an image file is bytes, a path or a binary file, not {type(source).__name__}")


def data_url(image: bytes | os.PathLike[str] | IO[bytes]) -> str:
    """The image as a `data:` URL (`data:image/png;base64,...`), to send it inline: at most
    512 KiB, checked by the API. A `ValueError` for bytes that are no PNG, JPEG or WebP."""
    data = read_file(image)
    return f"data:{media_type(data)};base64,{base64.b64encode(data).decode('ascii')}"


def as_ref(value: Any) -> ImageRef | None:
    """What needs no upload, as the request holds it; None for a file to upload first."""
    if isinstance(value, UploadRef | JobImageRef):
        return value
    if isinstance(value, str):
        if UPLOAD_ID.match(value):
            return UploadRef(upload_id=value)
        if value.startswith(DATA_URL_PREFIX):
            return value
        raise ValueError(
            "a str image is an upload id (up_...) or a data: URL; pass a file's path as a"
            " pathlib.Path"
        )
    job_image = getattr(value, "as_input", None)
    if callable(job_image):  # an Image of a job
        ref = job_image()
        assert isinstance(ref, JobImageRef)
        return ref
    if isinstance(value, bytes | os.PathLike) or hasattr(value, "read"):
        return None
    raise TypeError(
        "an image is bytes, a path, a binary file, a job's Image, an upload id or a data: URL,"
        f" not {type(value).__name__}"
    )
