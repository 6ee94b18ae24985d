"""What every API handler takes from the request besides its body: the caller, and limits."""

import re
from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import AfterValidator

from imagejobs.exceptions import InvalidHeaderError, UnauthenticatedError
from imagejobs.logic.waiting import MAX_WAIT_SECONDS, MIN_WAIT_SECONDS
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


# RFC 7240: `Prefer: wait=N` among other preferences, which are ignored (a preference is a hint).
_WAIT_PREFERENCE = re.compile(r"^\s*wait\s*=\s*\"?([^\s\";]*)\"?\s*$", re.IGNORECASE)


def wait_preference(app: APIGatewayRestResolver) -> int | None:
    """The seconds of a `Prefer: wait=N` header (1 to 25), or None when no wait is asked for."""
    prefer = app.current_event.headers.get("Prefer")  # case-insensitive in Powertools
    if prefer is None:
        return None
    for preference in prefer.split(","):
        if (match := _WAIT_PREFERENCE.match(preference.split(";")[0])) is None:
            continue
        value = match.group(1)
        if not (value.isascii() and value.isdigit()) or not (
            MIN_WAIT_SECONDS <= int(value) <= MAX_WAIT_SECONDS
        ):
            raise InvalidHeaderError(
                "Prefer",
                f"wait must be a whole number of seconds from {MIN_WAIT_SECONDS}"
                f" to {MAX_WAIT_SECONDS}",
            )
        return int(value)
    return None


# Kept back from the function's remaining time when it waits: enough to presign and answer.
WAIT_RESERVE_SECONDS = 2.0


def wait_budget(seconds: int, remaining_ms: int) -> float:
    """How long a handler may wait: what was asked, within the invocation's remaining time."""
    return max(0.0, min(float(seconds), remaining_ms / 1000 - WAIT_RESERVE_SECONDS))
