"""The images a job takes in, resolved at submit: read from their bytes, checked against the
model's limits, and kept where the worker will find them.

- inline (a data: URL): decoded, checked, normalised (below) and stored under `inputs/`;
- an upload (`{"upload_id"}`): the object `uploads/<tenant>/<upload_id>`, which only that
  tenant's presigned POST could write; checked and normalised the same way;
- a job's image (`{"job_id", "index"}`): one of the tenant's own finished images, taken as it
  is stored (the service wrote it), its size and format from the job's record.

Another tenant's upload or job reads as one that does not exist: 404, naming the field. Images
are normalised to PNG once here (EXIF orientation applied; CMYK, 16-bit, palette and grey made
RGB or RGBA), so every engine gets what every model takes, and nothing is refused later.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from imagejobs.engines.base import CONTENT_TYPES, FILE_EXTENSIONS, ImageField, InputImage
from imagejobs.engines.catalogue import ModelSpec
from imagejobs.exceptions import InputNotFoundError, InvalidParameterError, JobNotFoundError
from imagejobs.logic.status import tenants_job
from imagejobs.models.domain import JobStatus
from imagejobs.models.inputs import MAX_INLINE_IMAGE_BYTES, ImageInput, JobImageRef, UploadRef
from imagejobs.ports import ImageStore, JobRepository


@dataclass(frozen=True)
class ForJob:
    """The job being submitted: its id, its tenant, its model, and where images are."""

    job_id: str
    tenant: str
    spec: ModelSpec
    jobs: JobRepository
    images: ImageStore


def upload_key(tenant: str, upload_id: str) -> str:
    return f"uploads/{tenant}/{upload_id}"


def resolve_input(field: ImageField, given: ImageInput, job: ForJob) -> InputImage:
    """The job's record of the image `given` names, its bytes stored where the record says."""
    if isinstance(given, JobImageRef):
        return _job_image(field, given, job)
    if isinstance(given, UploadRef):
        data = job.images.get(upload_key(job.tenant, given.upload_id))
        if data is None:
            raise InputNotFoundError(field, "No such upload: it expired, or was never sent")
        return _store(field, data, job, upload_id=given.upload_id)
    return _store(field, _data_url_bytes(field, given), job)


def _store(field: ImageField, data: bytes, job: ForJob, upload_id: str | None = None) -> InputImage:
    # Pillow is imported only for a request that carries an image.
    from imagejobs.engines.inputs import read_input

    if job.spec.inputs is None:
        raise InvalidParameterError(field, f"{job.spec.id} takes no image")
    read = read_input(data, job.spec.inputs, field)
    key = f"inputs/{job.job_id}/{field}.{FILE_EXTENSIONS['png']}"
    job.images.put(key, read.png, CONTENT_TYPES["png"])
    return InputImage(
        source="upload" if upload_id is not None else "inline",
        key=key,
        width=read.width,
        height=read.height,
        image_format="png",
        size_bytes=len(data),
        upload_id=upload_id,
    )


def _job_image(field: ImageField, given: JobImageRef, job: ForJob) -> InputImage:
    try:
        source = tenants_job(given.job_id, job.tenant, job.jobs)
    except JobNotFoundError as error:  # not the tenant's, or no such job
        raise InputNotFoundError(field, "No such job") from error
    if source.status is not JobStatus.SUCCEEDED or given.index >= len(source.images):
        raise InputNotFoundError(field, f"job {given.job_id} has no image {given.index}")
    image = source.images[given.index]
    if job.spec.inputs is not None:
        from imagejobs.engines.inputs import check_size

        check_size(image.width, image.height, job.spec.inputs, field)
    return InputImage(
        source="job",
        key=image.key,
        width=image.width,
        height=image.height,
        image_format=image.image_format,
        job_id=given.job_id,
        index=given.index,
    )


def _data_url_bytes(field: str, data_url: str) -> bytes:
    encoded = data_url.partition(",")[2]
    try:
        data = base64.b64decode("".join(encoded.split()), validate=True)
    except binascii.Error:
        raise InvalidParameterError(field, "the data URL's base64 is not valid") from None
    if len(data) > MAX_INLINE_IMAGE_BYTES:
        raise InvalidParameterError(
            field, f"an inline image may have at most {MAX_INLINE_IMAGE_BYTES} bytes"
        )
    return data
