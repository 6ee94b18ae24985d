"""The one place where exceptions become HTTP responses, for every API function's resolver.

Every error body is an `ErrorResponse`: a stable `error` code, a readable `message`, and for
validation errors a FastAPI-shaped `detail` list naming each field. Bodies never echo the
request's values, stack traces or internal names. `ANSWERS` is the whole mapping: one row per
exception type, registered on each API function's resolver by `register_error_handlers`
(through api_contract.serve_api).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)

from imagejobs.exceptions import (
    EnqueueFailedError,
    InvalidCursorError,
    InvalidHeaderError,
    InvalidParameterError,
    JobNotFoundError,
    JobStateConflictError,
    TooManyOpenJobsError,
    UnauthenticatedError,
)
from imagejobs.models.api import ErrorResponse, FieldErrorView, shown_name
from imagejobs.observability import logger


def error_response(
    status: HTTPStatus,
    error: str,
    message: str,
    detail: Sequence[FieldErrorView] = (),
    headers: dict[str, str] | None = None,
) -> Response[str]:
    body = ErrorResponse(error=error, message=message, detail=list(detail))
    return Response(
        status_code=status.value,
        content_type=content_types.APPLICATION_JSON,
        body=body.model_dump_json(),
        headers=headers,
    )


def early_error_response(status: HTTPStatus, error: str, message: str) -> dict[str, Any]:
    """An error answered before routing (see handlers.request_gate), as a proxy response."""
    return {
        "statusCode": status.value,
        "multiValueHeaders": {"Content-Type": [content_types.APPLICATION_JSON]},
        "body": ErrorResponse(error=error, message=message).model_dump_json(),
        "isBase64Encoded": False,
    }


def field_error_response(
    status: HTTPStatus, location: str, field: str, msg: str, hint: str
) -> Response[str]:
    """A validation error about one named field (`location` is body, query or header)."""
    detail = FieldErrorView(loc=[location, field], field=field, msg=msg, type="value_error")
    return error_response(status, "validation_error", f"Invalid request: {field}: {hint}", [detail])


@dataclass(frozen=True, slots=True)
class ErrorAnswer:
    """An error answered with `status`, its `error` code and `message` (text, or made from the
    exception), and `headers`."""

    status: HTTPStatus
    error: str
    message: str | Callable[[Any], str]
    headers: Mapping[str, str] | None = None

    def __call__(self, exception: Exception) -> Response[str]:
        message = self.message if isinstance(self.message, str) else self.message(exception)
        headers = dict(self.headers) if self.headers is not None else None
        return error_response(self.status, self.error, message, headers=headers)


@dataclass(frozen=True, slots=True)
class FieldErrorAnswer:
    """A validation error about one named field (`location` is body, query or header): the
    field and message an InvalidFieldError names, unless the row words them; the `hint` in the
    message is the `msg` unless given."""

    status: HTTPStatus
    location: str
    field: str | None = None
    msg: str | None = None
    hint: str | None = None

    def __call__(self, exception: Exception) -> Response[str]:
        field = self.field or str(getattr(exception, "field", ""))
        msg = self.msg or str(getattr(exception, "message", ""))
        return field_error_response(self.status, self.location, field, msg, self.hint or msg)


# Field names can be the client's own (an unknown key): each is shown only if it is short and
# printable, and no more than this many errors are listed, so an error body never echoes much of
# a request.
MAX_LISTED_ERRORS = 5


def _invalid_request(error: RequestValidationError) -> Response[str]:
    errors = error.errors()
    detail = [_field_error(raw) for raw in errors[:MAX_LISTED_ERRORS]]
    # Unparseable JSON and malformed path parameters or headers are 400; a well-formed body or
    # query that breaks the schema is 422, as FastAPI answers, for clients of the systems we
    # replace.
    malformed = any(d.type == "json_invalid" or d.loc[0] in ("path", "header") for d in detail)
    status = HTTPStatus.BAD_REQUEST if malformed else HTTPStatus.UNPROCESSABLE_ENTITY
    summary = "; ".join(f"{d.field}: {d.msg}" for d in detail)
    if len(errors) > len(detail):
        summary += f" (and {len(errors) - len(detail)} more)"
    return error_response(status, "validation_error", f"Invalid request: {summary}", detail)


NO_SUCH_RESOURCE = ErrorAnswer(HTTPStatus.NOT_FOUND, "not_found", "No such resource")
_INTERNAL_ERROR = ErrorAnswer(
    HTTPStatus.INTERNAL_SERVER_ERROR, "internal_error", "Something went wrong on our side"
)


def _unexpected(error: Exception) -> Response[str]:
    logger.exception("unhandled error")
    return _INTERNAL_ERROR(error)


# A job takes seconds on the built-in engine, tens on Bedrock: by then a place is likely free.
OPEN_JOBS_RETRY_AFTER_SECONDS = 5
_RETRY_SOON = {"Retry-After": "1"}

# Each exception type and how it is answered. Powertools picks the row of the nearest class in
# the exception's MRO, so `Exception` is the catch-all and NotFoundError a route that is not.
ANSWERS: dict[type[Exception], Callable[[Any], Response[str]]] = {
    RequestValidationError: _invalid_request,
    RequestUnsupportedContentType: ErrorAnswer(
        HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "Send the request body as application/json",
    ),
    InvalidParameterError: FieldErrorAnswer(HTTPStatus.UNPROCESSABLE_ENTITY, "body"),
    UnauthenticatedError: ErrorAnswer(
        HTTPStatus.FORBIDDEN, "forbidden", "A valid API key is required"
    ),
    InvalidHeaderError: FieldErrorAnswer(HTTPStatus.BAD_REQUEST, "header"),
    IdempotencyValidationError: ErrorAnswer(
        HTTPStatus.UNPROCESSABLE_ENTITY,
        "idempotency_key_reused",
        "This Idempotency-Key was already used with a different request body",
    ),
    IdempotencyAlreadyInProgressError: ErrorAnswer(
        HTTPStatus.CONFLICT,
        "request_in_progress",
        "A request with this Idempotency-Key is still being processed; retry shortly",
        _RETRY_SOON,
    ),
    InvalidCursorError: FieldErrorAnswer(
        HTTPStatus.BAD_REQUEST,
        "query",
        field="cursor",
        msg="Not a cursor",
        hint="pass back a next_cursor from this API",
    ),
    JobStateConflictError: ErrorAnswer(
        HTTPStatus.CONFLICT, "conflict", "The job has already finished"
    ),
    JobNotFoundError: ErrorAnswer(HTTPStatus.NOT_FOUND, "not_found", "No such job"),
    EnqueueFailedError: ErrorAnswer(
        HTTPStatus.SERVICE_UNAVAILABLE,
        "service_unavailable",
        "The job could not be queued; please retry",
        _RETRY_SOON,
    ),
    TooManyOpenJobsError: ErrorAnswer(
        HTTPStatus.TOO_MANY_REQUESTS,
        "too_many_open_jobs",
        lambda error: (
            f"This API key already has {error.limit} jobs queued or running, the most this"
            " deployment allows; submit again when one of them ends"
        ),
        {"Retry-After": str(OPEN_JOBS_RETRY_AFTER_SECONDS)},
    ),
    NotFoundError: NO_SUCH_RESOURCE,
    Exception: _unexpected,
}


def register_error_handlers(app: APIGatewayRestResolver) -> None:
    for exception_type, answer in ANSWERS.items():
        app.exception_handler(exception_type)(answer)


def _field_error(raw: dict[str, Any]) -> FieldErrorView:
    loc = [
        shown_name(part) if isinstance(part, str) else part
        for part in raw.get("loc", ())
        if isinstance(part, str | int)
    ]
    names = [str(part) for part in loc[1:] if isinstance(part, str)]
    return FieldErrorView(
        loc=loc or ["body"],
        field=".".join(names) or (str(loc[0]) if loc else "body"),
        msg=str(raw.get("msg", "Invalid value")),
        type=str(raw.get("type", "value_error")),
    )
