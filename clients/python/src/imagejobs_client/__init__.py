"""The Python SDK of the imagejobs API.

from imagejobs_client import Client

client = Client(api_url, api_key)
job = client.jobs.create("a red fox", wait=20)
job.images[0].download("fox.png")
cutout = client.jobs.create(task="remove-background", image=Path("photo.jpg"), wait=True)
bigger = client.jobs.create(task="upscale", mode="fast", image=cutout.images[0], wait=True)

`AsyncClient` is the same for an event loop (`await client.jobs.create(...)`).
`client.models.list()` lists the models a job may name (`create(..., model=...)`) and the tasks
each does; `client.uploads.create(file)` uploads an image for a job (`create` does it itself
when given a file).
"""

from imagejobs_client._transport import ClientOptions
from imagejobs_client.async_client import AsyncClient, AsyncJobs, AsyncModels, AsyncUploads
from imagejobs_client.catalogue import (
    FloatSpan,
    InputLimits,
    IntRange,
    LengthLimit,
    Lifecycle,
    Model,
    ModelList,
    ModelParameters,
    ModelTask,
    Price,
)
from imagejobs_client.client import Client, Jobs, Models, Uploads
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
    UploadFailed,
    ValidationError,
    WaitTimeout,
)
from imagejobs_client.images import JobImageRef, UploadRef, data_url
from imagejobs_client.job_request import ImageSource, JobOptions, JobRequest
from imagejobs_client.models import (
    AspectRatio,
    Delivery,
    ErrorBody,
    FieldError,
    Image,
    InputImage,
    Job,
    JobCost,
    JobError,
    JobList,
    JobMetrics,
    JobParameters,
    JobStatus,
    Task,
    Upload,
    UpscaleMode,
)

__all__ = [
    "ApiError",
    "AspectRatio",
    "AsyncClient",
    "AsyncJobs",
    "AsyncModels",
    "AsyncUploads",
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
    "JobImageRef",
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
    "ModelTask",
    "Models",
    "NotFound",
    "PayloadTooLarge",
    "Price",
    "RateLimited",
    "ServerError",
    "ServiceUnavailable",
    "Task",
    "UnsupportedMediaType",
    "Upload",
    "UploadFailed",
    "UploadRef",
    "Uploads",
    "UpscaleMode",
    "ValidationError",
    "WaitTimeout",
    "data_url",
]
