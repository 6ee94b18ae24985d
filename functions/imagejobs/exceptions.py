"""Every domain exception of the service, in one place.

Handlers map these to HTTP statuses in one `exception_handler` each; the worker maps the
engine errors to "fail the job now" or "let SQS retry". Nothing matches on message text.
"""

from __future__ import annotations


class ImageJobsError(Exception):
    """Base class: an error the service understands."""


class InvalidFieldError(ImageJobsError):
    """A named field of the request, and what is wrong with it (said to the client)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class InvalidParameterError(InvalidFieldError):
    """A request parameter is well-formed but outside what this deployment allows."""


class InvalidHeaderError(InvalidFieldError):
    """A request header that is out of shape (`field` is the header's name)."""


class UnauthenticatedError(ImageJobsError):
    """The request names no tenant (no API key id from API Gateway)."""


class InvalidCursorError(ImageJobsError):
    """A list cursor that this service did not issue to this tenant."""


class JobNotFoundError(ImageJobsError):
    """No such job, or not the tenant's: both answer the same, so ids reveal nothing."""

    def __init__(self, job_id: str) -> None:
        super().__init__(f"job {job_id} not found")
        self.job_id = job_id


class InputNotFoundError(InvalidFieldError):
    """An image a request names (an upload, or a job's image) that the tenant does not have."""


class JobStateConflictError(ImageJobsError):
    """A conditional write lost: the job is no longer in the state the caller expected."""

    def __init__(self, job_id: str, expected: str) -> None:
        super().__init__(f"job {job_id} is not {expected}")
        self.job_id = job_id
        self.expected = expected


class TooManyOpenJobsError(ImageJobsError):
    """The tenant already has as many open (queued or running) jobs as this deployment allows."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"at most {limit} open jobs per API key")
        self.limit = limit


class EnqueueFailedError(ImageJobsError):
    """The job was recorded but could not be queued; the caller may retry."""


class NotEnoughTimeError(ImageJobsError):
    """Too little of the invocation is left to render safely; the message goes back to SQS."""


class EngineError(ImageJobsError):
    """An image engine could not render a request."""


class PermanentEngineError(EngineError):
    """Retrying cannot help (bad parameters, refused content): fail the job now."""


class TransientEngineError(EngineError):
    """Retrying may help (throttling, timeouts, 5xx): give the message back to SQS."""


class ContentFilteredError(PermanentEngineError):
    """The model's content filters refused the prompt, an input image or the output image."""

    def __init__(self, model_id: str, side: str) -> None:
        super().__init__(f"{model_id} filtered the {side}")
        self.model_id = model_id
        self.side = side


class ModelUnavailableError(PermanentEngineError):
    """The model cannot be called: past its end of life, not offered, or access not granted."""

    def __init__(self, model_id: str, hint: str) -> None:
        super().__init__(f"{model_id} is unavailable: {hint}")
        self.model_id = model_id
        self.hint = hint
        # What a client is told, in the error body's `msg` for the field `model`.
        self.message = f"{model_id} cannot be used: {hint}"


class LifecycleCheckFailedError(ImageJobsError):
    """A model's lifecycle could not be read now (throttled, a 5xx, no connection): the last
    one read stands until a later check."""

    def __init__(self, model_id: str, reason: str) -> None:
        super().__init__(f"{model_id}: {reason}")
        self.model_id = model_id
        self.reason = reason


class ThrottledError(TransientEngineError):
    """The model's request quota is spent for now: the job waits and tries again, without
    using up its receives."""
