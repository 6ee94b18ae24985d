"""What a job cost: its model's price per image, and its share of AWS at list prices.

`PRICES` is the one price table: each line with its Region, the date it was read and where.
`job_usage` is what one job made AWS do, from what the job records (the Lambda GB-seconds its
submit and attempts measured, its attempts, waits, images and webhook deliveries) and the
requests each step makes. Those counts are the ones a hook on the functions' boto3
clients counted on LocalStack (`imagejobs.dal.aws_calls`, docs/cost-and-scale.md), and the
end-to-end tests check them again against a job's counted calls. What a client does after
(its status reads, downloading the images) is its own choice, and priced apart in the doc.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, fields
from datetime import date

from pydantic import BaseModel, Field

from imagejobs.engines.base import IMAGE_FIELDS
from imagejobs.engines.catalogue import CATALOGUE
from imagejobs.models.domain import Job, JobStatus
from imagejobs.models.storage import item_bytes

# --- the price table ----------------------------------------------------------------------

# AWS's price pages render their Region tables in the browser, so the figures were read where
# AWS (or, marked, a secondary source) prints them as text; `read_at_source` says which.
_LAMBDA = "https://docs.aws.amazon.com/whitepapers/latest/how-aws-pricing-works/lambda.html"
_API = (
    "https://docs.aws.amazon.com/whitepapers/latest/"
    "best-practices-api-gateway-private-apis-integration/cost-optimization.html"
)
_DYNAMODB = "https://airbyte.com/data-engineering-resources/dynamodb-pricing (2025-07-21)"
_SQS = "https://cloudburn.io/blog/amazon-sqs-pricing (2026-03-14)"
_S3 = "https://deepeshsoni.com/archives/256 (S3 Standard, US East)"


@dataclass(frozen=True, slots=True)
class ListPrice:
    usd: float
    per: int  # units the price is for
    unit: str
    source: str
    # False: AWS's own page could not be read as text; the figure is the secondary source's.
    read_at_source: bool

    @property
    def usd_per_unit(self) -> float:
        return self.usd / self.per


@dataclass(frozen=True, slots=True)
class PriceTable:
    region: str
    as_of: date
    lambda_gb_second: ListPrice
    lambda_request: ListPrice
    api_request: ListPrice
    dynamodb_write_unit: ListPrice
    dynamodb_read_unit: ListPrice
    sqs_request: ListPrice
    s3_put: ListPrice
    s3_get: ListPrice
    s3_gb_month: ListPrice


# us-west-2, where Bedrock serves the catalogue's models on demand. The pages give US East
# (N. Virginia) or no Region; these services list the same figures in US West (Oregon), which
# the pages did not let us read: each line keeps its source. Free tiers are left out.
PRICES = PriceTable(
    region="us-west-2",
    as_of=date(2026, 12, 6),
    lambda_gb_second=ListPrice(0.0000166667, 1, "GB-second, x86", _LAMBDA, read_at_source=True),
    lambda_request=ListPrice(0.20, 1_000_000, "request", _LAMBDA, read_at_source=True),
    api_request=ListPrice(3.50, 1_000_000, "REST API call (first 333 M)", _API, True),
    dynamodb_write_unit=ListPrice(
        0.625, 1_000_000, "on-demand write request unit", _DYNAMODB, False
    ),
    dynamodb_read_unit=ListPrice(0.125, 1_000_000, "on-demand read request unit", _DYNAMODB, False),
    sqs_request=ListPrice(0.40, 1_000_000, "standard queue request (64 KB)", _SQS, False),
    s3_put=ListPrice(0.005, 1000, "S3 Standard PUT", _S3, False),
    s3_get=ListPrice(0.0004, 1000, "S3 Standard GET", _S3, False),
    s3_gb_month=ListPrice(0.023, 1, "S3 Standard GB-month (first 50 TB)", _S3, False),
)

# --- usage --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Usage:
    """What AWS is paid for, in the units of `PriceTable`."""

    lambda_gb_second: float = 0.0
    lambda_request: float = 0.0
    api_request: float = 0.0
    dynamodb_write_unit: float = 0.0
    dynamodb_read_unit: float = 0.0
    sqs_request: float = 0.0
    s3_put: float = 0.0
    s3_get: float = 0.0
    s3_gb_month: float = 0.0

    def __add__(self, other: Usage) -> Usage:
        return Usage(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    def __mul__(self, times: float) -> Usage:
        return Usage(*(getattr(self, f.name) * times for f in fields(self)))

    def usd(self, prices: PriceTable = PRICES) -> float:
        total = 0.0
        for f in fields(self):
            price: ListPrice = getattr(prices, f.name)
            total += getattr(self, f.name) * price.usd_per_unit
        return total


# DynamoDB's units: a write of up to 1 KB, a strongly consistent read of up to 4 KB; each
# item of a transaction costs two ("Read/write capacity mode", the DynamoDB developer guide).
# The tenant's counter item is far under 1 KB.
WRITE_UNIT_BYTES = 1024
READ_UNIT_BYTES = 4096
TRANSACTION_FACTOR = 2
COUNTER_WRITE_UNITS = 1
DAYS_PER_MONTH = 30.4375
# Calls made by AWS for the job rather than by its functions: API Gateway's request, Lambda's
# invocations, and the event source mapping's receive and delete of each message (AWS bills
# its polls as SQS requests; a batch shares a receive, so one each is the most a message costs).
API_REQUEST = "apigateway.Request"
INVOKE = "lambda.Invoke"
ESM_CALLS = ("sqs.ReceiveMessage", "sqs.DeleteMessage")
BY_AWS = frozenset({API_REQUEST, INVOKE, *ESM_CALLS})
TRANSACTION = "dynamodb.TransactWriteItems"
# Each start's sample of the queue's drain rate: one write to a small item.
DRAIN_SAMPLE = "dynamodb.UpdateItem@drain"
TRANSACTION_ITEMS = "dynamodb.TransactWriteItems.items"


def job_calls(job: Job) -> Counter[str]:
    """The AWS calls the job made, as far as it went, named `service.Operation` as the hook
    on the functions' clients names them (`imagejobs.dal.aws_calls`).

    Submit: the API call and its invocation, a transaction of the tenant's counter and the
    job's item, the job's message (and the input image, if any). Every message of the job is
    received (a job canceled while queued included): an invocation and a GetItem each, and
    START's UpdateItem when it starts the job with the drain rate's sample (reading its input
    image, storing each image it made). A throttled wait: an UpdateItem and the job's own new
    message. The end: a transaction of the job's update and the counter. A cancel: its API
    call, invocation and GetItem. Each webhook event: its message and marking it sent; each
    attempt: an invocation, reading the job and the tenant's secrets, recording the
    attempt."""
    calls: Counter[str] = Counter({API_REQUEST: 1, INVOKE: 1, TRANSACTION: 1, TRANSACTION_ITEMS: 2})
    messages = 1 + job.throttled_waits
    calls["sqs.SendMessage"] += messages
    for operation in ESM_CALLS:
        calls[operation] += messages
    receives = max(job.attempts, 1)
    calls[INVOKE] += receives
    calls["dynamodb.GetItem"] += receives
    calls["dynamodb.UpdateItem"] += job.attempts + job.throttled_waits
    calls[DRAIN_SAMPLE] += job.attempts
    if job.parameters.image is not None:
        calls["s3.PutObject"] += 1
        calls["s3.GetObject"] += job.attempts
    calls["s3.PutObject"] += len(job.images)
    if job.status.is_terminal:
        calls[TRANSACTION] += 1
        calls[TRANSACTION_ITEMS] += 2
    if job.status is JobStatus.CANCELED and (job.error is None or job.cancel_requested):
        calls.update({API_REQUEST: 1, INVOKE: 1, "dynamodb.GetItem": 1})
        if job.cancel_requested:
            calls["dynamodb.UpdateItem"] += 1
    if job.webhook is not None:
        # The worker reads the job again after each receive to dispatch what it caused.
        calls["dynamodb.GetItem"] += receives
    for delivery in job.deliveries:
        calls["sqs.SendMessage"] += delivery.attempts
        for operation in ESM_CALLS:
            calls[operation] += delivery.attempts
        calls["dynamodb.UpdateItem"] += 1 + delivery.attempts
        calls[INVOKE] += delivery.attempts
        calls["dynamodb.GetItem"] += 2 * delivery.attempts
    return calls


def job_usage(job: Job) -> Usage:
    """What the job's calls, its Lambda time and its stored images come to, in billed units."""
    return calls_usage(
        job_calls(job),
        item_bytes=item_bytes(job),
        gb_seconds=job.lambda_gb_seconds,
        gb_months=stored_gb_months(job),
    )


def calls_usage(
    calls: Counter[str], *, item_bytes: int, gb_seconds: float, gb_months: float
) -> Usage:
    """Calls (named as `job_calls` names them) in billed units: each write or read of the
    job's item costs what an item of `item_bytes` does."""
    write = math.ceil(item_bytes / WRITE_UNIT_BYTES)
    read = math.ceil(item_bytes / READ_UNIT_BYTES)
    transaction_units = TRANSACTION_FACTOR * (write + COUNTER_WRITE_UNITS)
    return Usage(
        lambda_gb_second=gb_seconds,
        lambda_request=calls[INVOKE],
        api_request=calls[API_REQUEST],
        dynamodb_write_unit=calls[TRANSACTION] * transaction_units
        + calls["dynamodb.UpdateItem"] * write
        + calls[DRAIN_SAMPLE],
        dynamodb_read_unit=calls["dynamodb.GetItem"] * read,
        sqs_request=sum(count for name, count in calls.items() if name.startswith("sqs.")),
        s3_put=calls["s3.PutObject"],
        s3_get=calls["s3.GetObject"],
        s3_gb_month=gb_months,
    )


def stored_gb_months(job: Job) -> float:
    """Its images (and its input image), kept as long as the job is."""
    stored = sum(image.size_bytes or 0 for image in job.images)
    for name in IMAGE_FIELDS:
        taken = getattr(job.parameters, name)
        if taken is not None:
            stored += taken.size_bytes or 0
    kept_days = (job.expires_at - job.created_at).total_seconds() / 86400
    return stored / 1024**3 * kept_days / DAYS_PER_MONTH


# --- the job's cost -------------------------------------------------------------------------


class JobCost(BaseModel):
    """In US dollars at list prices (GET /models gives each model's price and its source)."""

    model: float | None = Field(
        description="the model's price per image, times the images it made; null when no price"
        " for the model could be read (GET /models shows its price and source)"
    )
    platform: float = Field(
        description="the job's share of AWS: the Lambda GB-seconds it was billed and its"
        " requests (API Gateway, DynamoDB, SQS, S3), its images stored while it is kept;"
        " docs/cost-and-scale.md"
    )
    total: float | None = Field(description="model and platform; null when the model's is")


def job_cost(job: Job, prices: PriceTable = PRICES) -> JobCost | None:
    """What a finished job cost; None while it is open."""
    if job.status not in _ENDED:
        return None
    spec = CATALOGUE.get(job.parameters.model)
    price = spec.price.usd_per_image if spec is not None else None
    platform = round(job_usage(job).usd(prices), 9)
    if price is None:
        return JobCost(model=None, platform=platform, total=None)
    model = round(price * job.images_rendered, 9)
    return JobCost(model=model, platform=platform, total=round(model + platform, 9))


_ENDED = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELED})
