"""The DynamoDB item of a job, and the explicit mapping to and from the domain `Job`.

Attribute names here are the table's contract: template.yaml's key schema (`job_id`) and TTL
attribute (`expires_at`, epoch seconds) refer to them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, cast

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from pydantic import BaseModel, ConfigDict

from imagejobs.engines.base import DEFAULT_QUALITY, LOSSY_FORMATS, ImageFormat, Style
from imagejobs.models.domain import GeneratedImage, Job, JobError, JobParameters, JobStatus

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


class ImageItem(BaseModel):
    key: str
    width: int
    height: int
    format: ImageFormat
    seed: int

    def to_dynamodb(self) -> dict[str, Any]:
        return cast(dict[str, Any], _serializer.serialize(self.model_dump(mode="json")))


class JobItem(BaseModel):
    model_config = ConfigDict(extra="ignore")

    job_id: str
    owner: str
    status: JobStatus
    prompt: str
    negative_prompt: str | None = None
    width: int
    height: int
    seed: int
    num_images: int
    format: ImageFormat
    # Absent on items written before these parameters existed.
    style: Style = "none"
    quality: int | None = None
    guidance: Decimal | None = None
    engine: str
    created_at: str
    updated_at: str
    started_at: str | None = None
    finished_at: str | None = None
    expires_at: int
    attempts: int = 0
    images: list[ImageItem] = []
    error_type: str | None = None
    error_message: str | None = None
    cancel_requested: bool | None = None

    def to_dynamodb(self) -> dict[str, Any]:
        # None attributes are left out rather than stored as NULL, so that
        # `attribute_not_exists` conditions and sparse indexes behave as expected.
        plain = self.model_dump(mode="json", exclude_none=True)
        if self.guidance is not None:
            plain["guidance"] = self.guidance  # a DynamoDB number, not JSON's string
        return {name: _serializer.serialize(value) for name, value in plain.items()}

    @classmethod
    def from_dynamodb(cls, item: dict[str, Any]) -> JobItem:
        return cls.model_validate({k: _deserializer.deserialize(v) for k, v in item.items()})


def format_timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds: sorts as text and reads the same in every client."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_timestamp(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _optional_timestamp(text: str | None) -> datetime | None:
    return parse_timestamp(text) if text is not None else None


def _optional_format(moment: datetime | None) -> str | None:
    return format_timestamp(moment) if moment is not None else None


def job_to_item(job: Job) -> JobItem:
    params = job.parameters
    return JobItem(
        job_id=job.job_id,
        owner=job.owner,
        status=job.status,
        prompt=params.prompt,
        negative_prompt=params.negative_prompt,
        width=params.width,
        height=params.height,
        seed=params.seed,
        num_images=params.num_images,
        format=params.image_format,
        style=params.style,
        quality=params.quality,
        # DynamoDB takes no floats; the decimal of the float's shortest repr round-trips.
        guidance=Decimal(repr(params.guidance)) if params.guidance is not None else None,
        engine=job.engine,
        created_at=format_timestamp(job.created_at),
        updated_at=format_timestamp(job.updated_at),
        started_at=_optional_format(job.started_at),
        finished_at=_optional_format(job.finished_at),
        expires_at=int(job.expires_at.timestamp()),
        attempts=job.attempts,
        images=[image_to_item(image) for image in job.images],
        error_type=job.error.type if job.error else None,
        error_message=job.error.message if job.error else None,
        cancel_requested=job.cancel_requested or None,
    )


def image_to_item(image: GeneratedImage) -> ImageItem:
    return ImageItem(
        key=image.key,
        width=image.width,
        height=image.height,
        format=image.image_format,
        seed=image.seed,
    )


def _quality(item: JobItem) -> int | None:
    # Lossy images written before quality was recorded were encoded at the default.
    if item.quality is None and item.format in LOSSY_FORMATS:
        return DEFAULT_QUALITY
    return item.quality


def item_to_job(item: JobItem) -> Job:
    error = None
    if item.error_type is not None:
        error = JobError(type=item.error_type, message=item.error_message or "")
    return Job(
        job_id=item.job_id,
        owner=item.owner,
        status=item.status,
        parameters=JobParameters(
            prompt=item.prompt,
            negative_prompt=item.negative_prompt,
            width=item.width,
            height=item.height,
            seed=item.seed,
            num_images=item.num_images,
            image_format=item.format,
            style=item.style,
            quality=_quality(item),
            guidance=float(item.guidance) if item.guidance is not None else None,
        ),
        engine=item.engine,
        created_at=parse_timestamp(item.created_at),
        updated_at=parse_timestamp(item.updated_at),
        started_at=_optional_timestamp(item.started_at),
        finished_at=_optional_timestamp(item.finished_at),
        expires_at=datetime.fromtimestamp(item.expires_at, tz=UTC),
        attempts=item.attempts,
        images=tuple(
            GeneratedImage(
                key=i.key, width=i.width, height=i.height, image_format=i.format, seed=i.seed
            )
            for i in item.images
        ),
        error=error,
        cancel_requested=bool(item.cancel_requested),
    )
