"""Bedrock's errors as the wire carries them, and the ones the stand-in answers with.

Both bedrock-runtime (2023-09-30) and the bedrock control plane (2023-04-20) speak restJson1:
an error is an HTTP status, an `x-amzn-ErrorType` header whose part before the first `:` is the
code, and a JSON body `{"message": ...}`. botocore's RestJSONParser takes the code from that
header (botocore/parsers.py, `_inject_error_code`) and the message from the body, so boto3
raises `ClientError` with `Error.Code` = the code. Statuses are the service models' own
(botocore/data/bedrock-runtime/2023-09-30/service-2.json, InvokeModel's `errors`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# What each error code's shape declares in the service models (httpStatusCode).
STATUS: dict[str, int] = {
    "AccessDeniedException": 403,
    "ResourceNotFoundException": 404,
    "ThrottlingException": 429,
    "ModelTimeoutException": 408,
    "InternalServerException": 500,
    "ServiceUnavailableException": 503,
    "ValidationException": 400,
    "ServiceQuotaExceededException": 400,
    "ModelNotReadyException": 429,
    "ModelErrorException": 424,
}

# What the front door answers before an operation runs (AWS's common errors,
# https://docs.aws.amazon.com/bedrock/latest/APIReference/CommonErrors.html).
FRONT_DOOR_STATUS: dict[str, int] = {
    "MissingAuthenticationTokenException": 403,
    "UnrecognizedClientException": 403,
    "InvalidSignatureException": 403,
    "IncompleteSignatureException": 400,
    "UnknownOperationException": 404,
}

# Messages as Bedrock sends them where a public page or report quotes them; the rest are
# representative (the code and status are what clients act on).
MESSAGES: dict[str, str] = {
    "AccessDeniedException": "You don't have access to the model with the specified model ID.",
    "ResourceNotFoundException": "Model not found.",
    "ThrottlingException": "Too many requests, please wait before trying again.",
    "ModelTimeoutException": (
        "Model has timed out in processing the request. Try your request again."
    ),
    "InternalServerException": (
        "The system encountered an unexpected error during processing. Try your request again."
    ),
    "ServiceUnavailableException": "Bedrock is unable to process your request.",
    "ValidationException": "Malformed input request, please reformat your input and try again.",
    "ServiceQuotaExceededException": "Your request exceeds the service quota for your account.",
    "ModelNotReadyException": "Model is not ready to serve inference requests.",
    "ModelErrorException": "The model failed to process the request.",
}

# Reported by users of real Bedrock, word for word (see docs/bedrock-sources.md, "Errors"):
# an EOL model: https://github.com/aws-samples/amazon-bedrock-ai-karaoke/issues/21 and
# https://github.com/aws-solutions-library-samples/accelerated-intelligent-document-processing-on-aws/issues/708
END_OF_LIFE = (
    "This model version has reached the end of its life. Please refer to the AWS documentation"
    " for more details."
)
# a Legacy model that the account has not used lately (closed to new customers):
# https://github.com/aws-samples/amazon-bedrock-workshop/issues/386
LEGACY_INACTIVE = (
    "Access denied. This Model is marked by provider as Legacy and you have not been actively"
    " using the model in the last 15 days. Please upgrade to an active model on Amazon Bedrock"
)


def on_demand_not_supported(model_id: str) -> str:
    """A bare model id that is served only through an inference profile (reported word for word,
    e.g. https://github.com/terricain/aioboto3/issues/352)."""
    return (
        f"Invocation of model ID {model_id} with on-demand throughput isn’t supported. Retry your"  # noqa: RUF001
        " request with the ID or ARN of an inference profile that contains this model."
    )


INVALID_MODEL_ID = "The provided model identifier is invalid."


@dataclass(eq=False)
class ServiceError(Exception):
    """One error answer: `code` is the x-amzn-ErrorType; `source` names the page behind the rule
    (sent as `x-imagejobs-standin-source`, which botocore ignores, and kept in the request log)."""

    code: str
    message: str = ""
    source: str = ""
    extra: dict[str, Any] = field(default_factory=dict)  # more members, e.g. ModelErrorException's

    @property
    def status(self) -> int:
        return STATUS.get(self.code) or FRONT_DOOR_STATUS.get(self.code, 400)

    def document(self) -> dict[str, Any]:
        return {"message": self.message or MESSAGES.get(self.code, ""), **self.extra}


def service_error(code: str, message: str = "", source: str = "") -> ServiceError:
    """The error `code` (one of InvokeModel's declared errors) with its usual message."""
    if code not in STATUS:
        raise ValueError(f"{code!r} is not one of InvokeModel's errors: {sorted(STATUS)}")
    extra: dict[str, Any] = {}
    if code == "ModelErrorException":  # the shape's other members: what the model itself answered
        extra = {"originalStatusCode": 500, "resourceName": "stand-in"}
    return ServiceError(code, message or MESSAGES[code], source, extra)


class InvalidBody(ServiceError):
    """A body the model's documented schema refuses: a ValidationException naming the field."""

    def __init__(self, path: str, problem: str, source: str) -> None:
        # Bedrock validates bodies against a JSON schema and words it so (the path is `#/field`).
        where = f"#/{path}" if path else "#"
        super().__init__(
            "ValidationException",
            f"Malformed input request: {where}: {problem}, please reformat your input and try"
            " again.",
            source,
        )
