"""What the OpenAPI document says of each route beyond its models: statuses, headers, security.

The routes' own models (request bodies, parameters, return types) are Powertools'; this module
adds, in one place, the answers that come from elsewhere: the error bodies the handlers map
from exceptions (handlers/http_errors.py), the refusals before routing (request_gate.py) and
API Gateway's own (a missing key, the usage plan's throttle; template.yaml shapes their bodies
as the same `ErrorResponse`). `infra/imagejobs_dev/openapi.py` merges every resolver's
document into docs/openapi.json.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import BaseModel

from imagejobs.handlers.request_gate import MAX_BODY_BYTES, MAX_INTEGER_DIGITS, MAX_JSON_DEPTH
from imagejobs.models.api import ErrorResponse

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge

# The document's frame is plain JSON, not Powertools' OpenAPI models: every function's resolver
# carries it (so its own document is whole, as OpenAPIMerge needs), and those models are among
# the costliest imports of a cold start (`make bench` measures it); Powertools validates the
# frame into them when a document is generated.
API_KEY_SCHEME = "ApiKey"
_SECURITY_SCHEMES: dict[str, Any] = {
    API_KEY_SCHEME: {
        "type": "apiKey",
        "name": "x-api-key",
        "in": "header",
        "description": "The API key of a usage plan's tenant (`make up` prints one)",
    }
}
# The document's default; the routes API Gateway serves without a key say NO_KEY.
KEY_REQUIRED: list[dict[str, list[str]]] = [{API_KEY_SCHEME: []}]
NO_KEY: list[dict[str, list[str]]] = [{}]

_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}}

_ERRORS: dict[int, str] = {
    400: (
        "Malformed request: a path parameter, cursor or header out of shape, JSON that does not"
        f" parse, is not UTF-8, nests deeper than {MAX_JSON_DEPTH} levels or has an integer of"
        f" more than {MAX_INTEGER_DIGITS} digits"
    ),
    403: "No valid API key in `x-api-key`",
    404: "No such job, or not this key's",
    409: "A request with this Idempotency-Key is still in progress (retry after Retry-After)",
    413: f"The request body is larger than {MAX_BODY_BYTES} bytes",
    415: "The request body is not `application/json`, or has a Content-Encoding",
    422: "A well-formed request outside the API's limits; `detail` names each field",
    429: (
        "Too many requests for this API key: the usage plan's throttle or quota; on the submit"
        " routes also `too_many_open_jobs`, the key already has as many jobs queued or running"
        " as the deployment allows (retry after Retry-After)"
    ),
    503: "The job was recorded but could not be queued; retry after Retry-After",
}
_ERROR_HEADERS: dict[int, dict[str, Any]] = {
    409: _RETRY_AFTER,
    429: _RETRY_AFTER,
    503: _RETRY_AFTER,
}
# Answered by API Gateway itself as well as by the functions.
_FROM_THE_GATEWAY = (403, 429)

# Every request passes request_gate and API Gateway's throttle; keyed routes also the key check.
# 422 too: Powertools' validation gives every route one, which here has the one error body.
_GATE = (400, 413, 415, 422, 429)


class GatewayRefusal(BaseModel):
    """API Gateway's own refusals: 403 (no or a wrong key, a method the route lacks) and 429
    (throttle, quota). template.yaml's GatewayResponses give them the fields of
    `ErrorResponse`; every emulator or stage keeps at least `message`."""

    message: str
    error: str | None = None


def json_body(description: str, model: type[BaseModel], **headers: Any) -> OpenAPIResponse:
    response: OpenAPIResponse = {
        "description": description,
        "content": {"application/json": {"model": model}},
    }
    if headers:
        response["headers"] = headers
    return response


def text_body(description: str, *media_types: str) -> OpenAPIResponse:
    return {
        "description": description,
        "content": {media_type: {"schema": {"type": "string"}} for media_type in media_types},
    }


NOT_MODIFIED: OpenAPIResponse = {
    "description": "Not modified: the If-None-Match ETag is current",
    "content": {},
}


def errors(
    *statuses: int, keyed: bool = True, described: dict[int, str] | None = None
) -> dict[int, OpenAPIResponse]:
    """The error answers of a route: the gate's, the key's (if `keyed`), and `statuses`;
    `described` words a status for this route."""
    codes = sorted({*_GATE, *((403,) if keyed else ()), *statuses})
    responses: dict[int, OpenAPIResponse] = {}
    for code in codes:
        own = (described or {}).get(code)
        # A status described anew is another answer than the usual one, without its headers.
        model = GatewayRefusal if code in _FROM_THE_GATEWAY else ErrorResponse
        response = json_body(own or _ERRORS[code], model)
        if own is None and code in _ERROR_HEADERS:
            response["headers"] = _ERROR_HEADERS[code]
        responses[code] = response
    return responses


def answers(
    status: int,
    description: str,
    model: type[BaseModel],
    *error_statuses: int,
    described: dict[int, str] | None = None,
) -> dict[int, OpenAPIResponse]:
    """A keyed JSON route's responses: its success and its errors."""
    return {status: json_body(description, model), **errors(*error_statuses, described=described)}


LOCATION_HEADER = {
    "description": "The job's URL, relative to the request's (`jobs/{job_id}`)",
    "schema": {"type": "string"},
}

PREFERENCE_APPLIED_HEADER = {
    "description": "`wait=N`: the answer waited (up to N seconds) for the job to end",
    "schema": {"type": "string"},
}

TITLE = "imagejobs"
# The contract's own version: the next breaking change bumps the major.
VERSION = "1.0.0"
DESCRIPTION = (
    "Image-generation jobs: submit a prompt, follow the job, fetch its images from presigned"
    " URLs. Every route needs an API key in `x-api-key`, except the web page, `GET /config`,"
    " this document and `/docs`. Errors have one body, `ErrorResponse`."
)
TAGS = ["jobs", "webhooks", "drop-in", "web"]
# Relative: the document is served beside the routes, behind whatever stage or prefix.
_SERVERS: list[Any] = [{"url": ".", "description": "This deployment"}]


def _frame() -> dict[str, Any]:
    """The document's frame, as OpenAPIMerge and a resolver's configure_openapi both take it."""
    return {
        "title": TITLE,
        "version": VERSION,
        "description": DESCRIPTION,
        "servers": list(_SERVERS),
        "security_schemes": dict(_SECURITY_SCHEMES),
        "security": KEY_REQUIRED,
        "tags": list(TAGS),
    }


def api_merge() -> OpenAPIMerge:
    """The document's frame: the merged routes of every function go inside it."""
    from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge

    return OpenAPIMerge(**_frame(), on_conflict="error")


def describe_api(app: APIGatewayRestResolver) -> None:
    """Gives a function's resolver the document's frame, so its own document is whole too."""
    app.configure_openapi(**_frame())
