"""Amazon Bedrock's control plane: a model's lifecycle, read with GetFoundationModel.

`modelDetails.modelLifecycle` is `{status: ACTIVE | LEGACY, endOfLifeTime, legacyTime, ...}`
(botocore's bedrock 2023-04-20 service model, FoundationModelLifecycle; the states are
https://docs.aws.amazon.com/bedrock/latest/userguide/model-lifecycle.html, read 2026-12-06).
There is no EOL status: a model past its end of life is not found, and GetFoundationModel's
own errors are ResourceNotFound, AccessDenied, Validation, InternalServer and Throttling.

The client is made on the first call, so a function whose deployment offers no Bedrock model
never pays for it. Its endpoint is never set here: boto3 reads AWS_ENDPOINT_URL_BEDROCK (a
stand-in) or AWS_ENDPOINT_URL, else the Regional endpoint.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from imagejobs.exceptions import LifecycleCheckFailedError
from imagejobs.models.lifecycle import LifecycleStatus, ModelLifecycle

# What an answer that names no model means, and what to do about it.
_UNAVAILABLE = {
    "ResourceNotFoundException": "the model is past its end of life, or Bedrock does not offer"
    " it in this Region; offer another model (template parameter Models)",
    "AccessDeniedException": "grant the sweeper's role bedrock:GetFoundationModel on the model,"
    " and this account access to the model in the Bedrock console",
}
_STATUSES = {"ACTIVE": LifecycleStatus.ACTIVE, "LEGACY": LifecycleStatus.LEGACY}


class _BedrockControlPlane(Protocol):
    """The part of the `bedrock` client this module uses."""

    def get_foundation_model(self, **kwargs: Any) -> dict[str, Any]: ...


def bedrock_client() -> _BedrockControlPlane:
    # One quick retry; a check that still fails leaves the last lifecycle read in place.
    config = Config(
        connect_timeout=5, read_timeout=10, retries={"mode": "standard", "total_max_attempts": 2}
    )
    return boto3.client("bedrock", config=config)  # type: ignore[no-any-return]


class BedrockFoundationModels:
    """Implements `FoundationModels`."""

    def __init__(self, client: Callable[[], _BedrockControlPlane] = bedrock_client) -> None:
        self._make_client = client
        self._made: _BedrockControlPlane | None = None

    @property
    def _client(self) -> _BedrockControlPlane:
        if self._made is None:
            self._made = self._make_client()
        return self._made

    def lifecycle(self, model_id: str) -> ModelLifecycle:
        try:
            details = self._client.get_foundation_model(modelIdentifier=model_id)["modelDetails"]
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "") or "UnknownError"
            message = error.response.get("Error", {}).get("Message", "") or "no message"
            if code in _UNAVAILABLE:
                return ModelLifecycle(
                    model_id=model_id,
                    status=LifecycleStatus.UNAVAILABLE,
                    reason=f"{code}: {message} ({_UNAVAILABLE[code]})",
                )
            raise LifecycleCheckFailedError(model_id, f"{code}: {message}") from error
        except BotoCoreError as error:  # no connection, a timeout, a broken answer
            raise LifecycleCheckFailedError(model_id, type(error).__name__) from error
        return _lifecycle(model_id, details.get("modelLifecycle") or {})


def _lifecycle(model_id: str, reported: dict[str, Any]) -> ModelLifecycle:
    status = str(reported.get("status", ""))
    end_of_life = reported.get("endOfLifeTime")  # a datetime: botocore parses timestamps
    known = _STATUSES.get(status)
    return ModelLifecycle(
        model_id=model_id,
        # A status this code does not know yet is taken as Legacy: the model still answers,
        # and the Legacy alarm makes someone look.
        status=known or LifecycleStatus.LEGACY,
        end_of_life=end_of_life.date() if end_of_life is not None else None,
        reason=None if known else f"Bedrock reports the lifecycle status {status!r}",
    )
