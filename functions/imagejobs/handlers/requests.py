"""What every API handler takes from the request besides its body: the tenant, and limits."""

import re
from datetime import timedelta
from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Header, Path
from pydantic import AfterValidator, StringConstraints

from imagejobs.exceptions import InvalidHeaderError, UnauthenticatedError
from imagejobs.logic.waiting import MAX_WAIT_SECONDS, MIN_WAIT_SECONDS
from imagejobs.observability import logger

# A UUID, in either case (RFC 9562: UUIDs compare case-insensitively); ids are stored lower-case.
# The pattern is a StringConstraints before the validator, not Path's own: Powertools documents
# only the metadata before its Path marker, so a Path(pattern=...) followed by a validator left
# the pattern out of the OpenAPI document (the contract test found it).
JobId = Annotated[
    str,
    StringConstraints(
        pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
    ),
    AfterValidator(str.lower),
    Path(description="The id returned when the job was submitted"),
]

# A retried submit with the same key, tenant and body answers with the first job.
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        pattern=r"^[\x21-\x7e]{1,255}$",
        description=(
            "1 to 255 visible ASCII characters. A retry with the same key and body, from the"
            " same API key, answers with the first job instead of making a second"
        ),
    ),
]

# RFC 7240. Read by the routes that can wait for a job to end.
Prefer = Annotated[
    str | None,
    Header(
        alias="Prefer",
        max_length=256,
        description=(
            "`wait=N`, N a whole number of seconds from 1 to 25: answer as soon as the job has"
            " ended, or after N seconds with the job as it stands (`Preference-Applied: wait=N`)."
            " Another N is a 400; other preferences are ignored"
        ),
    ),
]


# Replicate's header and spelling (https://replicate.com/changelog/2025-10-16-prediction-deadlines,
# "Cancel-After: 1m"): whole hours, minutes and seconds, largest first.
MAX_CANCEL_AFTER = timedelta(hours=24)
CancelAfter = Annotated[
    str | None,
    Header(
        alias="Cancel-After",
        max_length=32,
        description=(
            "A deadline, from submit: `90s`, `5m`, `1h`, `1h30m` (whole hours, minutes and"
            " seconds, largest first; 1 s to 24 h). A job not finished by then ends `canceled`"
            " with `error.type` `deadline_exceeded`: if it had not started it never does (no"
            " model is paid for); if it was running, between images, and nothing it wrote is"
            " kept"
        ),
    ),
]
_DURATION = re.compile(r"^(?:(\d{1,2})h)?(?:(\d{1,4})m)?(?:(\d{1,5})s)?$")


def cancel_after(value: str | None) -> timedelta | None:
    """The deadline a `Cancel-After` header asks for, or None when there is none."""
    if value is None:
        return None
    match = _DURATION.match(value.strip())
    if match is None or not any(match.groups()):
        raise InvalidHeaderError("Cancel-After", "give a duration such as 90s, 5m, 1h or 1h30m")
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    duration = timedelta(hours=hours, minutes=minutes, seconds=seconds)
    if not timedelta(seconds=1) <= duration <= MAX_CANCEL_AFTER:
        raise InvalidHeaderError("Cancel-After", "must be from 1s to 24h")
    return duration


def tenant_of(app: APIGatewayRestResolver) -> str:
    """The tenant: the API key id API Gateway puts in the request after checking the key.

    The id, not the key's value, identifies a tenant: it is not a secret and can be logged.
    """
    api_key_id = app.current_event.request_context.identity.api_key_id
    if not api_key_id:
        # Only reachable if the API is deployed without ApiKeyRequired, or invoked directly.
        raise UnauthenticatedError
    logger.append_keys(tenant=api_key_id)
    return api_key_id


# RFC 7240: `Prefer: wait=N` among other preferences, which are ignored (a preference is a hint).
_WAIT_PREFERENCE = re.compile(r"^\s*wait\s*=\s*\"?([^\s\";]*)\"?\s*$", re.IGNORECASE)


def wait_preference(prefer: str | None) -> int | None:
    """The seconds of a `Prefer: wait=N` header (1 to 25), or None when no wait is asked for."""
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
