"""Stability AI's models on Amazon Bedrock, through InvokeModel.

Each model's entry in `engines.catalogue` gives its request body and where Bedrock serves it
(its own id on demand in some Regions, a `us.` cross-Region inference profile elsewhere). The
models answer `{"seeds": [...], "finish_reasons": [...], "images": [base64]}` with one image a
call, and the service promises one seed per image (image n has seed + n, so any image can be
replayed alone), so each image is its own call; the calls run concurrently.

A `finish_reasons` entry other than null says what happened instead of an image: "Filter reason:
prompt", "... input image" or "... output image" (the content filters: retrying the same request
gets the same answer), or "Inference error" (transient). Pages: the catalogue's `page` of each
model; the error codes are InvokeModel's in botocore's service model (bedrock-runtime 2023-09-30).

The client is made once per model per cold start. Its endpoint is never set here: boto3 reads
AWS_ENDPOINT_URL_BEDROCK_RUNTIME (a stand-in) or AWS_ENDPOINT_URL, else the Regional endpoint.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, ReadTimeoutError
from PIL import Image

from imagejobs.engines.base import Inputs, JobParameters, RenderedImage
from imagejobs.engines.catalogue import ModelSpec
from imagejobs.engines.encoding import encode
from imagejobs.engines.options import (
    BEDROCK_CONNECT_TIMEOUT_SECONDS,
    BEDROCK_TOTAL_MAX_ATTEMPTS,
    EngineOptions,
)
from imagejobs.exceptions import (
    ContentFilteredError,
    EngineError,
    ModelUnavailableError,
    PermanentEngineError,
    ThrottledError,
    TransientEngineError,
)

_PILLOW_FORMATS = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP"}
# A job has at most this many images, so every call of a job runs at once.
MAX_CONCURRENT_CALLS = 4
# What each `finish_reasons` filter names.
FILTERED = {
    "Filter reason: prompt": "prompt",
    "Filter reason: input image": "input image",
    "Filter reason: output image": "output image",
}
INFERENCE_ERROR = "Inference error"


@dataclass(frozen=True, slots=True)
class ErrorRule:
    transient: bool
    hint: str = ""


# What an error code from InvokeModel means for the job. The first ten are every error the
# botocore service model lists for InvokeModel; the last two are the authentication layer's.
# Codes not listed count as transient: the worker's retries are bounded.
ERROR_RULES: dict[str, ErrorRule] = {
    # ThrottlingException and ServiceQuotaExceededException are the quota: see _THROTTLED.
    "ServiceUnavailableException": ErrorRule(transient=True),
    "ModelTimeoutException": ErrorRule(transient=True),
    "InternalServerException": ErrorRule(transient=True),
    "ModelNotReadyException": ErrorRule(transient=True),
    "ModelErrorException": ErrorRule(transient=True),
    # Invalid input: the same request is refused again.
    "ValidationException": ErrorRule(transient=False),
    "UnrecognizedClientException": ErrorRule(
        transient=False, hint="check the worker's AWS credentials"
    ),
    "InvalidSignatureException": ErrorRule(
        transient=False, hint="check the worker's AWS credentials and clock"
    ),
}
# The request quota is spent for now; the worker waits it out without using up receives.
_THROTTLED = frozenset({"ThrottlingException", "ServiceQuotaExceededException"})
# The model cannot be called from here: only an operator (or a new model) changes that.
_UNAVAILABLE = {
    "AccessDeniedException": "grant this account access to the model in the Bedrock console,"
    " and the worker's role bedrock:InvokeModel on it",
    "ResourceNotFoundException": "the model is past its end of life, or not offered in this"
    " Region (GET /models shows its lifecycle)",
}


class _BedrockRuntime(Protocol):
    """The part of the bedrock-runtime client this engine uses."""

    @property
    def meta(self) -> Any: ...

    def invoke_model(self, **kwargs: Any) -> dict[str, Any]: ...


def client_config(read_timeout_seconds: int) -> Config:
    return Config(
        connect_timeout=BEDROCK_CONNECT_TIMEOUT_SECONDS,
        read_timeout=read_timeout_seconds,
        retries={"mode": "standard", "total_max_attempts": BEDROCK_TOTAL_MAX_ATTEMPTS},
        max_pool_connections=MAX_CONCURRENT_CALLS,
    )


class BedrockEngine:
    """Renders with one Bedrock model. Implements `ImageEngine`."""

    def __init__(self, spec: ModelSpec, client: _BedrockRuntime, read_timeout_seconds: int = 60):
        if spec.bedrock is None:
            raise ValueError(f"{spec.id} is not a Bedrock model")
        self.spec = spec
        self._body = spec.bedrock.body
        self._client = client
        self._read_timeout_seconds = read_timeout_seconds
        region = client.meta.region_name
        self.invoke_id = spec.bedrock.invoke_id(spec.id, region)

    @property
    def engine_id(self) -> str:
        return self.spec.engine_id

    @classmethod
    def for_model(cls, spec: ModelSpec, options: EngineOptions) -> BedrockEngine:
        client = boto3.client(
            "bedrock-runtime", config=client_config(options.bedrock_read_timeout_seconds)
        )
        return cls(spec, client, options.bedrock_read_timeout_seconds)

    def render(self, parameters: JobParameters, inputs: Inputs) -> list[RenderedImage]:
        if self.invoke_id is None:
            region = self._client.meta.region_name
            raise ModelUnavailableError(self.spec.id, f"Bedrock does not serve it in {region}")
        if (violation := self.spec.check(parameters)) is not None:
            raise PermanentEngineError(f"{violation.field}: {violation.message}")
        seeds = [parameters.seed + n for n in range(parameters.num_images)]
        with ThreadPoolExecutor(
            max_workers=min(len(seeds), MAX_CONCURRENT_CALLS), thread_name_prefix="bedrock"
        ) as pool:
            futures = [pool.submit(self._render_one, parameters, seed, inputs) for seed in seeds]
        return _results(futures)

    def request_body(self, parameters: JobParameters, seed: int, inputs: Inputs) -> dict[str, Any]:
        return self._body(parameters, seed, inputs)

    def _render_one(self, parameters: JobParameters, seed: int, inputs: Inputs) -> RenderedImage:
        body = json.dumps(self.request_body(parameters, seed, inputs)).encode()
        try:
            response = self._client.invoke_model(
                modelId=self.invoke_id,
                body=body,
                contentType="application/json",
                accept="application/json",
            )
            payload: bytes = response["body"].read()
        except ClientError as error:
            raise self._from_client_error(error) from error
        except ReadTimeoutError as error:
            raise TransientEngineError(
                f"{self.spec.id} sent no answer within {self._read_timeout_seconds} s"
            ) from error
        except BotoCoreError as error:  # no connection, a dropped one, a broken response
            raise TransientEngineError(
                f"{self.spec.id} could not be called: {type(error).__name__}"
            ) from error
        return self._image(parameters, seed, self._image_bytes(payload))

    def _from_client_error(self, error: ClientError) -> EngineError:
        details = error.response.get("Error", {})
        code = details.get("Code", "") or "UnknownError"
        message = details.get("Message", "") or "no message"
        text = f"{self.spec.id} answered {code}: {message}"
        if code in _THROTTLED:
            return ThrottledError(text)
        if code in _UNAVAILABLE:
            return ModelUnavailableError(self.spec.id, f"{code}: {message} ({_UNAVAILABLE[code]})")
        rule = ERROR_RULES.get(code, ErrorRule(transient=True))
        if rule.hint:
            text = f"{text} ({rule.hint})"
        return TransientEngineError(text) if rule.transient else PermanentEngineError(text)

    def _image_bytes(self, payload: bytes) -> bytes:
        """The one image of an answer, or what the model said instead."""
        try:
            document = json.loads(payload)
        except ValueError as error:
            raise TransientEngineError(f"{self.spec.id} answered with no JSON body") from error
        if not isinstance(document, dict):
            raise TransientEngineError(f"{self.spec.id} answered with no JSON object")
        reasons = document.get("finish_reasons") or [None]
        reason = reasons[0] if isinstance(reasons, list) else None
        if reason in FILTERED:
            raise ContentFilteredError(self.spec.id, FILTERED[reason])
        if reason is not None:
            # "Inference error", or a reason the pages do not list yet: another try may work.
            raise TransientEngineError(f"{self.spec.id} finished with {reason!r}")
        images = document.get("images")
        if not isinstance(images, list) or len(images) != 1 or not isinstance(images[0], str):
            count = len(images) if isinstance(images, list) else 0
            raise TransientEngineError(f"{self.spec.id} returned {count} images, not 1")
        try:
            return base64.b64decode(images[0], validate=True)
        except binascii.Error as error:
            raise TransientEngineError(f"{self.spec.id} returned an image not in base64") from error

    def _image(self, parameters: JobParameters, seed: int, data: bytes) -> RenderedImage:
        try:
            image = Image.open(io.BytesIO(data))
            image.load()
        except OSError as error:  # Pillow's UnidentifiedImageError and truncated files
            raise TransientEngineError(f"{self.spec.id} returned an unreadable image") from error
        if image.format != _PILLOW_FORMATS[parameters.image_format]:
            # The model answered in another format (PNG, as asked): encode the job's own. An
            # answer already in the job's format is kept, not encoded twice.
            data = encode(image, parameters.image_format, parameters.quality)
        # The model chooses the pixels for the aspect ratio: the image says what they are.
        width, height = image.size
        return RenderedImage(
            data=data, width=width, height=height, image_format=parameters.image_format, seed=seed
        )


def _results(futures: list[Future[RenderedImage]]) -> list[RenderedImage]:
    """Every image in order, or the most decisive failure: a permanent one fails the job now,
    where a transient one would have SQS retry a job that cannot succeed; a throttle waits."""
    errors = [error for future in futures if (error := future.exception()) is not None]
    if errors:
        raise next((e for e in errors if isinstance(e, PermanentEngineError)), errors[0])
    return [future.result() for future in futures]
