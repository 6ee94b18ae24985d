"""The one place where exceptions become HTTP responses, for both API functions.

Every error body is an `ErrorResponse`: a stable `error` code, a readable `message`, and for
validation errors a FastAPI-shaped `detail` list naming each field. Bodies never echo the
request's values, stack traces or internal names.
"""

from __future__ import annotations

from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
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
    InputNotFoundError,
    InvalidCursorError,
    InvalidHeaderError,
    InvalidParameterError,
    JobNotFoundError,
    JobStateConflictError,
    ModelUnavailableError,
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


def register_error_handlers(app: APIGatewayRestResolver) -> None:
    @app.exception_handler(RequestValidationError)
    def invalid_request(error: RequestValidationError) -> Response[str]:
        errors = error.errors()
        detail = [_field_error(raw) for raw in errors[:MAX_LISTED_ERRORS]]
        # Unparseable JSON and malformed path parameters or headers are 400; a well-formed
        # body or query that breaks the schema is 422, as FastAPI answers, for clients of the
        # systems we replace.
        malformed = any(d.type == "json_invalid" or d.loc[0] in ("path", "header") for d in detail)
        status = HTTPStatus.BAD_REQUEST if malformed else HTTPStatus.UNPROCESSABLE_ENTITY
        summary = "; ".join(f"{d.field}: {d.msg}" for d in detail)
        if len(errors) > len(detail):
            summary += f" (and {len(errors) - len(detail)} more)"
        return error_response(status, "validation_error", f"Invalid request: {summary}", detail)

    @app.exception_handler(RequestUnsupportedContentType)
    def unsupported_content_type(_: RequestUnsupportedContentType) -> Response[str]:
        return error_response(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the request body as application/json",
        )

    @app.exception_handler(InvalidParameterError)
    def invalid_parameter(error: InvalidParameterError) -> Response[str]:
        return field_error_response(
            HTTPStatus.UNPROCESSABLE_ENTITY, "body", error.field, error.message, error.message
        )

    @app.exception_handler(UnauthenticatedError)
    def unauthenticated(_: UnauthenticatedError) -> Response[str]:
        return error_response(HTTPStatus.FORBIDDEN, "forbidden", "A valid API key is required")

    @app.exception_handler(InvalidHeaderError)
    def invalid_header(error: InvalidHeaderError) -> Response[str]:
        return field_error_response(
            HTTPStatus.BAD_REQUEST, "header", error.header, error.message, error.message
        )

    @app.exception_handler(IdempotencyValidationError)
    def idempotency_key_reused(_: IdempotencyValidationError) -> Response[str]:
        return error_response(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            "This Idempotency-Key was already used with a different request body",
        )

    @app.exception_handler(IdempotencyAlreadyInProgressError)
    def idempotency_in_progress(_: IdempotencyAlreadyInProgressError) -> Response[str]:
        return error_response(
            HTTPStatus.CONFLICT,
            "request_in_progress",
            "A request with this Idempotency-Key is still being processed; retry shortly",
            headers={"Retry-After": "1"},
        )

    @app.exception_handler(InvalidCursorError)
    def invalid_cursor(_: InvalidCursorError) -> Response[str]:
        return field_error_response(
            HTTPStatus.BAD_REQUEST,
            "query",
            "cursor",
            "Not a cursor",
            "pass back a next_cursor from this API",
        )

    @app.exception_handler(JobStateConflictError)
    def state_conflict(_: JobStateConflictError) -> Response[str]:
        return error_response(HTTPStatus.CONFLICT, "conflict", "The job has already finished")

    @app.exception_handler(JobNotFoundError)
    def job_not_found(_: JobNotFoundError) -> Response[str]:
        return error_response(HTTPStatus.NOT_FOUND, "not_found", "No such job")

    @app.exception_handler(EnqueueFailedError)
    def enqueue_failed(_: EnqueueFailedError) -> Response[str]:
        return error_response(
            HTTPStatus.SERVICE_UNAVAILABLE,
            "service_unavailable",
            "The job could not be queued; please retry",
            headers={"Retry-After": "1"},
        )

    @app.exception_handler(InputNotFoundError)
    def input_not_found(error: InputNotFoundError) -> Response[str]:
        detail = FieldErrorView(
            loc=["body", error.field], field=error.field, msg=error.message, type="not_found"
        )
        return error_response(
            HTTPStatus.NOT_FOUND, "not_found", f"{error.field}: {error.message}", [detail]
        )

    @app.exception_handler(ModelUnavailableError)
    def model_unavailable(error: ModelUnavailableError) -> Response[str]:
        detail = FieldErrorView(
            loc=["body", "model"], field="model", msg=error.hint, type="model_unavailable"
        )
        return error_response(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            "model_unavailable",
            f"The model {error.model_id} cannot be used: {error.hint}",
            [detail],
        )

    @app.exception_handler(TooManyOpenJobsError)
    def too_many_open_jobs(error: TooManyOpenJobsError) -> Response[str]:
        return error_response(
            HTTPStatus.TOO_MANY_REQUESTS,
            "too_many_open_jobs",
            f"This API key already has {error.limit} jobs queued or running, the most this"
            " deployment allows; submit again when one of them ends",
            headers={"Retry-After": str(OPEN_JOBS_RETRY_AFTER_SECONDS)},
        )

    @app.not_found
    def route_not_found(_: Exception) -> Response[str]:
        return error_response(HTTPStatus.NOT_FOUND, "not_found", "No such resource")

    @app.exception_handler(Exception)
    def unexpected(error: Exception) -> Response[str]:
        logger.exception("unhandled error")
        return error_response(
            HTTPStatus.INTERNAL_SERVER_ERROR, "internal_error", "Something went wrong on our side"
        )


# A job takes seconds on the built-in engine, tens on Bedrock: by then a place is likely free.
OPEN_JOBS_RETRY_AFTER_SECONDS = 5

# Field names can be the client's own (an unknown key): each is shown only if it is short and
# printable, and no more than this many errors are listed, so an error body never echoes much of
# a request.
MAX_LISTED_ERRORS = 5


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
