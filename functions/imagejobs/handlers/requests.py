"""What every API handler takes from the request besides its body: the caller, and limits."""

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Header, Path
from pydantic import AfterValidator, StringConstraints

from imagejobs.exceptions import UnauthenticatedError
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

# A retried submit with the same key, caller and body answers with the first job.
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
        description="`wait=N` (N from 1 to 25 seconds): answer once the job has ended, or after N",
    ),
]


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
