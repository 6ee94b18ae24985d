"""The Python SDK of the imagejobs API.

from imagejobs_client import Client

client = Client(api_url, api_key)
job = client.jobs.create("a red fox", wait=20)
job.images[0].download("fox.png")

`AsyncClient` is the same for an event loop (`await client.jobs.create(...)`).
`client.models.list()` lists the models a job may name (`create(..., model=...)`).
"""

from imagejobs_client._transport import ClientOptions
from imagejobs_client.async_client import AsyncClient, AsyncJobs, AsyncModels
from imagejobs_client.client import Client, Jobs, Models
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
from imagejobs_client.images import ImageSource, data_url
from imagejobs_client.models import (
    AspectRatio,
    Delivery,
    ErrorBody,
    FieldError,
    FloatSpan,
    Image,
    InputImage,
    InputLimits,
    IntRange,
    Job,
    JobCost,
    JobError,
    JobList,
    JobMetrics,
    JobOptions,
    JobParameters,
    JobRequest,
    JobStatus,
    LengthLimit,
    Lifecycle,
    Model,
    ModelList,
    ModelParameters,
    Price,
    Task,
)

__all__ = [
    "ApiError",
    "AspectRatio",
    "AsyncClient",
    "AsyncJobs",
    "AsyncModels",
    "BadRequest",
    "Client",
    "ClientOptions",
    "Conflict",
    "ConnectionFailed",
    "Delivery",
    "ErrorBody",
    "FieldError",
    "FloatSpan",
    "Forbidden",
    "IdempotencyKeyReused",
    "Image",
    "ImageJobsError",
    "ImageSource",
    "InputImage",
    "InputLimits",
    "IntRange",
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
    "LengthLimit",
    "Lifecycle",
    "Model",
    "ModelList",
    "ModelParameters",
    "Models",
    "NotFound",
    "PayloadTooLarge",
    "Price",
    "RateLimited",
    "ServerError",
    "ServiceUnavailable",
    "Task",
    "UnsupportedMediaType",
    "ValidationError",
    "WaitTimeout",
    "data_url",
]
