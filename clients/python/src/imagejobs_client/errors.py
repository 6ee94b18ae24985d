"""Every error the SDK raises. An API error carries the HTTP status, the error code of the
API's error body, its message, and the field it names (for validation errors)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from imagejobs_client.models import ErrorBody, Job


class ImageJobsError(Exception):
    """Base class of everything this SDK raises."""


class ConnectionFailed(ImageJobsError):
    """The API could not be reached (after the retries)."""


class WaitTimeout(ImageJobsError, TimeoutError):
    """A job did not end within the time the caller gave; `job` is how it stood last."""

    def __init__(self, job: Job, timeout: float) -> None:
        super().__init__(f"job {job.job_id} still {job.status} after {timeout:g} s")
        self.job = job
        self.timeout = timeout


class ApiError(ImageJobsError):
    """The API answered with an error status."""

    # The error answer's parts, each an attribute a caller reads back; all after `message` are
    # keyword-only.
    def __init__(  # noqa: PLR0913
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        body: ErrorBody | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(f"HTTP {status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.body = body
        self.retry_after = retry_after


class BadRequest(ApiError):
    """400: the request is malformed (e.g. an invalid header or cursor)."""


class ValidationError(BadRequest):
    """400 or 422 `validation_error`: `field` names what was refused (`width`, `Prefer`, ...)."""


class Forbidden(ApiError):
    """403: no API key, or one the API does not accept."""


class NotFound(ApiError):
    """404: no such job (or not yours: both answer the same). On a create, `field` names the
    image (`image`, `mask`, `style_image`) whose upload or job you do not have: it expired, was
    never sent, or is another key's."""


class Conflict(ApiError):
    """409: the job has already finished, or an idempotent request is still in progress."""


class PayloadTooLarge(ApiError):
    """413."""


class UnsupportedMediaType(ApiError):
    """415."""


class IdempotencyKeyReused(ApiError):
    """422 `idempotency_key_reused`: the key was used before with another request body."""


class RateLimited(ApiError):
    """429: slow down; `retry_after` is the seconds the API asked for, if it said."""


class ServiceUnavailable(ApiError):
    """503: retry later; `retry_after` as the API asked."""


class ServerError(ApiError):
    """Any other 5xx."""


class UploadFailed(ApiError):
    """S3 refused an upload's file: `code` is S3's (`EntityTooLarge`: over the deployment's
    limit; `AccessDenied`: the presigned POST expired, or its policy refused the file), and
    `field` is `file`."""


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequest,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    413: PayloadTooLarge,
    415: UnsupportedMediaType,
    422: ValidationError,
    429: RateLimited,
    503: ServiceUnavailable,
}
# The error codes that pick a class of their own, whatever the status.
_BY_CODE: dict[str, type[ApiError]] = {
    "validation_error": ValidationError,
    "idempotency_key_reused": IdempotencyKeyReused,
}


def error_for(status: int, payload: Any, retry_after: float | None) -> ApiError:
    """The typed exception for an error answer; `payload` is its parsed JSON body, if any."""
    from imagejobs_client.models import ErrorBody

    try:
        body: ErrorBody | None = ErrorBody.model_validate(payload)
    except ValueError:
        body = None
    code = body.error if body else f"http_{status}"
    message = body.message if body else "the API answered without an error body"
    field = body.detail[0].field if body and body.detail else None
    kind = _BY_CODE.get(code) or _BY_STATUS.get(status)
    if kind is None:
        kind = ServerError if status >= 500 else ApiError
    return kind(status, code, message, field=field, body=body, retry_after=retry_after)
