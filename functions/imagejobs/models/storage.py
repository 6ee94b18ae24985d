"""The DynamoDB item of a job, and the mapping to and from the domain `Job`.

Attribute names here are the table's contract: template.yaml's key schema (`job_id`), TTL
attribute (`expires_at`, epoch seconds), `by-owner` index (`owner`, `created_at`) and sparse
`open-jobs` index (`open_status`, `updated_at`) refer to them. The item differs from the `Job`
only in what DynamoDB needs: the parameters flat beside the job's attributes, text timestamps,
numbers as decimals, the error as two attributes, the index key, the tenant under its stored
name, and no attribute for what is not set. A page of a tenant's jobs ends at a position, which
the `by-owner` index knows as a key.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, cast

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from pydantic import BaseModel, ConfigDict, Field

from imagejobs.engines.base import BUILT_IN_MODEL, DEFAULT_QUALITY, LOSSY_FORMATS, JobParameters
from imagejobs.models.domain import GeneratedImage, Job, JobError, JobStatus, PagePosition
from imagejobs.models.webhooks import Delivery, WebhookEvent, WebhookSubscription

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()

# The job's tenant is stored as `owner`: renaming a key attribute of the table or of an index
# would replace the table and lose its items. This module is the only one that maps the two.
TENANT_ATTRIBUTE = "owner"


class JobItem(BaseModel):
    model_config = ConfigDict(
        extra="ignore", validate_by_name=True, validate_by_alias=True, serialize_by_alias=True
    )

    job_id: str
    tenant: str = Field(alias=TENANT_ATTRIBUTE)
    status: JobStatus
    # Stored flat: the item's attributes prompt, width, ..., format, quality, style, guidance.
    parameters: JobParameters
    engine_id: str = Field(alias="engine")
    created_at: str
    updated_at: str
    started_at: str | None = None
    finished_at: str | None = None
    expires_at: int
    attempts: int = 0
    images: tuple[GeneratedImage, ...] = ()
    error_type: str | None = None
    error_message: str | None = None
    cancel_requested: bool | None = None
    throttled_waits: int | None = None
    first_throttled_at: str | None = None
    # Added to by the transitions that record what an attempt spent.
    model_seconds: float | None = None
    images_rendered: int | None = None
    lambda_gb_seconds: float | None = None
    deadline_at: str | None = None
    # The status again, only while the job is open (queued or running): the key of the sparse
    # `open-jobs` index the sweeper reads. Every terminal transition removes it.
    open_status: JobStatus | None = None
    # Absent when nothing was ignored, as on items written before it existed.
    ignored_parameters: tuple[str, ...] | None = None
    # The webhook, if the job asked for one; each event's delivery is an attribute of its own
    # (`delivery_started`, `delivery_completed`), so that a transition and the delivery
    # function each update one path without reading the other's.
    webhook_url: str | None = None
    webhook_events: tuple[WebhookEvent, ...] | None = None
    delivery_started: Delivery | None = None
    delivery_completed: Delivery | None = None

    def to_dynamodb(self) -> dict[str, Any]:
        # None attributes are left out rather than stored as NULL, so that
        # `attribute_not_exists` conditions and sparse indexes behave as expected.
        plain = self.model_dump(mode="json", exclude_none=True, exclude={"parameters"})
        plain |= self.parameters.model_dump(mode="json", exclude_none=True)
        return {name: _serializer.serialize(_decimals(value)) for name, value in plain.items()}

    @classmethod
    def from_dynamodb(cls, item: dict[str, Any]) -> JobItem:
        plain = {name: _deserializer.deserialize(value) for name, value in item.items()}
        # Lossy images written before quality was recorded were encoded at the default.
        if plain.get("format") in LOSSY_FORMATS:
            plain.setdefault("quality", DEFAULT_QUALITY)
        # Jobs written before a job named its model ran on the engine it records
        # ("pillow", or "bedrock:<model id>", retired models included).
        plain.setdefault("model", str(plain.get("engine", BUILT_IN_MODEL)).removeprefix("bedrock:"))
        return cls.model_validate({**plain, "parameters": plain})


def _decimals(value: Any) -> Any:
    """DynamoDB takes no floats: each becomes the decimal of its shortest repr, which reads
    back as the same float."""
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {key: _decimals(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_decimals(inner) for inner in value]
    return value


def image_to_dynamodb(image: GeneratedImage) -> dict[str, Any]:
    plain = image.model_dump(mode="json", exclude_none=True)
    return cast(dict[str, Any], _serializer.serialize(_decimals(plain)))


# Job fields whose attribute has another name in the item.
_ATTRIBUTE_NAMES = {"engine_id": "engine", "tenant": TENANT_ATTRIBUTE}


def field_attributes(name: str, value: Any) -> dict[str, Any]:
    """The item's attributes (typed for DynamoDB) that hold one `Job` field's value: what a
    transition writes when it changes that field alone."""
    if name == "error":
        return {
            "error_type": _serializer.serialize(value.type),
            "error_message": _serializer.serialize(value.message),
        }
    if isinstance(value, datetime):
        value = format_timestamp(value)
    elif isinstance(value, tuple | list):
        value = [item.model_dump(mode="json", exclude_none=True) for item in value]
    return {_ATTRIBUTE_NAMES.get(name, name): _serializer.serialize(_decimals(value))}


def delivery_attribute(event: WebhookEvent) -> str:
    return f"delivery_{event.value}"


def delivery_to_dynamodb(delivery: Delivery) -> dict[str, Any]:
    plain = delivery.model_dump(mode="json", exclude_none=True)
    return cast(dict[str, Any], _serializer.serialize(plain))


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
    return JobItem.model_validate(
        {
            **dict(job),
            "created_at": format_timestamp(job.created_at),
            "updated_at": format_timestamp(job.updated_at),
            "started_at": _optional_format(job.started_at),
            "finished_at": _optional_format(job.finished_at),
            "expires_at": int(job.expires_at.timestamp()),
            "error_type": job.error.type if job.error else None,
            "error_message": job.error.message if job.error else None,
            "cancel_requested": job.cancel_requested or None,
            "throttled_waits": job.throttled_waits or None,
            "first_throttled_at": _optional_format(job.first_throttled_at),
            "model_seconds": job.model_seconds or None,
            "images_rendered": job.images_rendered or None,
            "lambda_gb_seconds": job.lambda_gb_seconds or None,
            "deadline_at": _optional_format(job.deadline_at),
            "open_status": None if job.status.is_terminal else job.status,
            "ignored_parameters": job.ignored_parameters or None,
            "webhook_url": job.webhook.url if job.webhook else None,
            "webhook_events": job.webhook.events if job.webhook else None,
            **{delivery_attribute(d.event): d for d in job.deliveries},
        }
    )


def item_to_job(item: JobItem) -> Job:
    error = None
    if item.error_type is not None:
        error = JobError(type=item.error_type, message=item.error_message or "")
    return Job.model_validate(
        {
            **dict(item),
            "created_at": parse_timestamp(item.created_at),
            "updated_at": parse_timestamp(item.updated_at),
            "started_at": _optional_timestamp(item.started_at),
            "finished_at": _optional_timestamp(item.finished_at),
            "expires_at": datetime.fromtimestamp(item.expires_at, tz=UTC),
            "error": error,
            "cancel_requested": bool(item.cancel_requested),
            "throttled_waits": item.throttled_waits or 0,
            "first_throttled_at": _optional_timestamp(item.first_throttled_at),
            "model_seconds": item.model_seconds or 0.0,
            "images_rendered": item.images_rendered or 0,
            "lambda_gb_seconds": item.lambda_gb_seconds or 0.0,
            "deadline_at": _optional_timestamp(item.deadline_at),
            "ignored_parameters": item.ignored_parameters or (),
            "webhook": _subscription(item),
            "deliveries": tuple(
                delivery
                for delivery in (item.delivery_started, item.delivery_completed)
                if delivery is not None
            ),
        }
    )


def _subscription(item: JobItem) -> WebhookSubscription | None:
    if item.webhook_url is None:
        return None
    return WebhookSubscription(url=item.webhook_url, events=item.webhook_events or ())


def item_bytes(job: Job) -> int:
    """The size DynamoDB bills the job's item at: each attribute's name and value (the
    developer guide's "Item sizes and formats")."""
    return sum(
        len(name.encode()) + _value_bytes(value)
        for name, value in job_to_item(job).to_dynamodb().items()
    )


def _value_bytes(typed: dict[str, Any]) -> int:
    [(kind, value)] = typed.items()
    match kind:
        case "S":
            return len(value.encode())
        case "N":
            digits = len(value.lstrip("-").replace(".", "").strip("0")) or 1
            return math.ceil(digits / 2) + 1
        case "BOOL" | "NULL":
            return 1
        case "L":
            return 3 + sum(1 + _value_bytes(inner) for inner in value)
        case "M":
            return 3 + sum(
                1 + len(name.encode()) + _value_bytes(inner) for name, inner in value.items()
            )
        case _:  # B and the sets are not in a job's item
            return len(str(value))


def page_position(job: Job) -> PagePosition:
    return PagePosition(tenant=job.tenant, created_at=job.created_at, job_id=job.job_id)


def position_key(position: PagePosition) -> dict[str, Any]:
    return {
        TENANT_ATTRIBUTE: {"S": position.tenant},
        "created_at": {"S": format_timestamp(position.created_at)},
        "job_id": {"S": position.job_id},
    }


def position_from_key(key: dict[str, Any]) -> PagePosition:
    return PagePosition(
        tenant=key[TENANT_ATTRIBUTE]["S"],
        created_at=parse_timestamp(key["created_at"]["S"]),
        job_id=key["job_id"]["S"],
    )
