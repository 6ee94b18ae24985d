"""What `uploads.create` does, and how `jobs.create` turns an image into what the request
holds, written once for both clients (see `_jobs.py`).

An upload is two requests: `POST /uploads` (the API signs an S3 POST for a key of its choosing)
and the file's POST to S3 (multipart/form-data: the signed fields, the `Content-Type` read from
the bytes, the file last). Both are safe to repeat: the first makes nothing, and the second
writes the same key again.
"""

from __future__ import annotations

import re
from typing import Any

from imagejobs_client._transport import Form, FormFile, Operation, Transport
from imagejobs_client.errors import UploadFailed
from imagejobs_client.images import (
    FileSource,
    ImageRef,
    UploadRef,
    as_ref,
    media_type,
    read_file,
)
from imagejobs_client.models import Upload

_EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}


def upload(transport: Transport, source: FileSource) -> Operation[str]:
    """Uploads the image file `source`; its upload id. A `ValueError`, before anything is
    sent, for bytes that are no PNG, JPEG or WebP file or are over the deployment's limit."""
    data = read_file(source)
    content_type = media_type(data)
    answer = yield from transport.call("POST", "uploads")
    offer = Upload.model_validate(answer.payload)
    if len(data) > offer.max_bytes:
        raise ValueError(
            f"the image has {len(data):,} bytes; this deployment takes uploads of at most"
            f" {offer.max_bytes:,}"
        )
    # S3 checks the policy's conditions against the form's fields: the Content-Type is one.
    fields = {**offer.fields, "Content-Type": content_type}
    file = FormFile("file", f"image.{_EXTENSIONS[content_type]}", data, content_type)
    reply = yield from transport.post_form(offer.url, Form(fields, file))
    if reply.status >= 300:
        code, message = _s3_error(reply.content)
        raise UploadFailed(reply.status, code or f"http_{reply.status}", message, field="file")
    return offer.upload_id


def image_ref(transport: Transport, value: Any) -> Operation[ImageRef]:
    """What the request's image field holds for `value` (an `ImageSource`): a file is
    uploaded first."""
    ref = as_ref(value)
    if ref is not None:
        return ref
    return UploadRef(upload_id=(yield from upload(transport, value)))


def _s3_error(content: bytes) -> tuple[str | None, str]:
    """S3's error `Code` and `Message` from its XML body
    (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html). Two fixed elements
    of a document S3 wrote: read by pattern, with no XML parser to feed entities to."""
    text = content.decode("utf-8", "replace")
    code = re.search(r"<Code>([^<]{1,100})</Code>", text)
    message = re.search(r"<Message>([^<]{1,500})</Message>", text)
    return (
        code.group(1) if code else None,
        message.group(1) if message else "S3 refused the upload",
    )
