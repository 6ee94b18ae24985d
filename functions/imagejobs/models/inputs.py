"""How a request names an image it gives a job: inline, an upload, or an image of a job.

`"image": "data:image/png;base64,..."` for small images; `{"upload_id": "..."}` for one uploaded
with `POST /uploads` (a presigned S3 POST, so the file never passes through the API); and
`{"job_id": "...", "index": 0}` for an image of one of the tenant's own jobs, so edits chain.
`mask` and `style_image` take the same three forms. Submit reads each from its bytes.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# An image sent inline; its bytes are checked at submit (format, size), never trusted by name.
MAX_INLINE_IMAGE_BYTES = 512 * 1024
DataUrl = Annotated[
    str,
    StringConstraints(
        pattern=r"^data:image/[a-z]+;base64,[A-Za-z0-9+/=\s]+$",
        max_length=len("data:image/webp;base64,") + (MAX_INLINE_IMAGE_BYTES + 2) // 3 * 4,
    ),
]
UploadId = Annotated[str, StringConstraints(pattern=r"^up_[0-9a-f]{32}$")]
_JOB_ID = r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"


class UploadRef(BaseModel):
    """An image uploaded with `POST /uploads`."""

    model_config = ConfigDict(extra="forbid", strict=True)

    upload_id: UploadId


class JobImageRef(BaseModel):
    """An image of one of the tenant's own jobs, by its index among the job's images."""

    model_config = ConfigDict(extra="forbid", strict=True)

    job_id: Annotated[str, StringConstraints(pattern=_JOB_ID)]
    index: Annotated[int, Field(ge=0, le=3)] = 0


ImageInput = DataUrl | UploadRef | JobImageRef
