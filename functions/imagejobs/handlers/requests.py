"""What every API handler takes from the request besides its body: the caller, and limits."""

import re
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Path

from imagejobs.exceptions import InvalidHeaderError, UnauthenticatedError
from imagejobs.handlers.http_errors import too_large_response
from imagejobs.observability import logger

JobId = Annotated[
    str,
    Path(
        pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
        description="The id returned when the job was submitted",
    ),
]

IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")

# Far above any valid job (a 2000-character prompt and a few numbers).
MAX_BODY_BYTES = 16 * 1024


def caller(app: APIGatewayRestResolver) -> str:
    """The caller's API key id, which API Gateway puts in the request after checking the key.

    The id, not the key's value, identifies a tenant: it is not a secret and can be logged.
    """
    api_key_id = app.current_event.request_context.identity.api_key_id
    if not api_key_id:
        # Only reachable if the API is deployed without ApiKeyRequired, or invoked directly.
        raise UnauthenticatedError
    logger.append_keys(owner=api_key_id)
    return api_key_id


def idempotency_key(app: APIGatewayRestResolver) -> str | None:
    """The Idempotency-Key header, if the client sent one (1 to 255 visible ASCII characters)."""
    key = app.current_event.headers.get("Idempotency-Key")  # case-insensitive in Powertools
    if key is None:
        return None
    if not IDEMPOTENCY_KEY.match(key):
        raise InvalidHeaderError("Idempotency-Key", "must be 1 to 255 visible ASCII characters")
    return key


def oversized_body_response(event: dict[str, Any]) -> dict[str, Any] | None:
    """A 413 for a body over the limit, or None. Checked before routing, because the
    resolver's validation runs before any middleware and would answer 422 instead."""
    body = event.get("body") or ""
    if len(body.encode()) > MAX_BODY_BYTES:
        return too_large_response(MAX_BODY_BYTES)
    return None
