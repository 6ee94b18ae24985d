"""The Python SDK of the imagejobs API.

from imagejobs_client import Client

client = Client(api_url, api_key)
job = client.jobs.create("a red fox", wait=20)
job.images[0].download("fox.png")

`AsyncClient` is the same for an event loop (`await client.jobs.create(...)`).
"""

from imagejobs_client._transport import ClientOptions
from imagejobs_client.async_client import AsyncClient, AsyncJobs
from imagejobs_client.client import Client, Jobs
from imagejobs_client.errors import (
    ApiError,
    BadRequest,
    Conflict,
    ConnectionFailed,
    Forbidden,
    IdempotencyKeyReused,
    ImageJobsError,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    ServerError,
    ServiceUnavailable,
    UnsupportedMediaType,
    ValidationError,
    WaitTimeout,
)
from imagejobs_client.models import (
    Delivery,
    ErrorBody,
    FieldError,
    Image,
    Job,
    JobCost,
    JobError,
    JobList,
    JobMetrics,
    JobOptions,
    JobParameters,
    JobRequest,
    JobStatus,
)

__all__ = [
    "ApiError",
    "AsyncClient",
    "AsyncJobs",
    "BadRequest",
    "Client",
    "ClientOptions",
    "Conflict",
    "ConnectionFailed",
    "Delivery",
    "ErrorBody",
    "FieldError",
    "Forbidden",
    "IdempotencyKeyReused",
    "Image",
    "ImageJobsError",
    "Job",
    "JobCost",
    "JobError",
    "JobList",
    "JobMetrics",
    "JobOptions",
    "JobParameters",
    "JobRequest",
    "JobStatus",
    "Jobs",
    "NotFound",
    "PayloadTooLarge",
    "RateLimited",
    "ServerError",
    "ServiceUnavailable",
    "UnsupportedMediaType",
    "ValidationError",
    "WaitTimeout",
]
