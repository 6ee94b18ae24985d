"""What every API handler takes from the request besides its body: the caller, and limits."""

import re
from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import AfterValidator

from imagejobs.exceptions import InvalidHeaderError, UnauthenticatedError
from imagejobs.observability import logger

# A UUID, in either case (RFC 9562: UUIDs compare case-insensitively); ids are stored lower-case.
JobId = Annotated[
    str,
    Path(
        pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
        description="The id returned when the job was submitted",
    ),
    AfterValidator(str.lower),
]

IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


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
