"""Amazon Bedrock image models (Nova Canvas, Titan Image Generator v2) through InvokeModel.

Both models take the same TEXT_IMAGE body and answer `{"images": [base64 PNG, ...], "error":
...}`. The service promises one seed per image (image n has seed + n, so any image can be
replayed alone), so each image is its own call with `numberOfImages: 1` and its own seed; the
calls run concurrently, so a job takes about as long as its slowest image.

The client is made once per cold start. Its endpoint is never set here: boto3 reads
AWS_ENDPOINT_URL_BEDROCK_RUNTIME (tests, a stand-in) or AWS_ENDPOINT_URL (LocalStack), and
otherwise calls the regional AWS endpoint.

Request and response bodies:
- https://docs.aws.amazon.com/nova/latest/userguide/image-gen-req-resp-structure.html
- https://docs.aws.amazon.com/nova/latest/userguide/image-gen-errors.html
- https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-image.html
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

from imagejobs.engines.base import RenderedImage, RenderRequest
from imagejobs.engines.encoding import encode
from imagejobs.engines.limits import BEDROCK_MODELS, EngineLimits, limits_for, styled_prompt
from imagejobs.engines.options import (
    BEDROCK_CONNECT_TIMEOUT_SECONDS,
    BEDROCK_TOTAL_MAX_ATTEMPTS,
    BedrockQuality,
    EngineOptions,
)
from imagejobs.exceptions import EngineError, PermanentEngineError, TransientEngineError

# Both models render at most 5 images a job, so every call of a job runs at once.
MAX_CONCURRENT_CALLS = 5


@dataclass(frozen=True, slots=True)
class ErrorRule:
    transient: bool
    hint: str = ""


# What an error code from InvokeModel means for the job. The first ten are every error the
# botocore service model (bedrock-runtime 2023-09-30) lists for InvokeModel; the last two are
# the authentication layer's. Codes not listed count as transient: the worker's retries are
# bounded, and the job fails with the error on the last delivery.
ERROR_RULES: dict[str, ErrorRule] = {
    # The account's request or token quota is spent for now; later calls succeed.
    "ThrottlingException": ErrorRule(transient=True),
    # Bedrock is briefly unavailable or overloaded (503).
    "ServiceUnavailableException": ErrorRule(transient=True),
    # The model ran past its own time limit on this call; another attempt may finish.
    "ModelTimeoutException": ErrorRule(transient=True),
    # A fault inside AWS (500), not in the request.
    "InternalServerException": ErrorRule(transient=True),
    # The model is still being loaded to serve requests.
    "ModelNotReadyException": ErrorRule(transient=True),
    # The model failed while processing; nothing says the request is at fault.
    "ModelErrorException": ErrorRule(transient=True),
    # A quota AWS documents as "resubmit your request later".
    "ServiceQuotaExceededException": ErrorRule(transient=True),
    # Invalid input or a content-filter refusal: the same request is refused again.
    "ValidationException": ErrorRule(transient=False),
    # Only an operator can grant model access or the IAM permission.
    "AccessDeniedException": ErrorRule(
        transient=False,
        hint="check that model access is granted to this model in the Bedrock console for this"
        " account and region, and that the worker's role allows bedrock:InvokeModel on it",
    ),
    # No such model here: a wrong model id, or one not offered in this region.
    "ResourceNotFoundException": ErrorRule(
        transient=False,
        hint="check the BedrockModelId parameter and that the model is offered in this region",
    ),
    # The credentials are not AWS's or the request was signed wrongly: no retry changes that.
    "UnrecognizedClientException": ErrorRule(
        transient=False, hint="check the worker's AWS credentials"
    ),
    "InvalidSignatureException": ErrorRule(
        transient=False, hint="check the worker's AWS credentials and clock"
    ),
}


class _BedrockRuntime(Protocol):
    """The part of the bedrock-runtime client this engine uses."""

    def invoke_model(self, **kwargs: Any) -> dict[str, Any]: ...


def client_config(read_timeout_seconds: int) -> Config:
    return Config(
        connect_timeout=BEDROCK_CONNECT_TIMEOUT_SECONDS,
        read_timeout=read_timeout_seconds,
        retries={"mode": "standard", "total_max_attempts": BEDROCK_TOTAL_MAX_ATTEMPTS},
        max_pool_connections=MAX_CONCURRENT_CALLS,
    )


class BedrockEngine:
    """Renders with a Bedrock image model. Implements `ImageEngine`."""

    def __init__(
        self,
        client: _BedrockRuntime,
        model_id: str,
        quality: BedrockQuality = "standard",
        read_timeout_seconds: int = 60,
    ) -> None:
        self.model_id = model_id
        self.limits: EngineLimits = limits_for("bedrock", model_id)
        self._client = client
        self._quality = quality
        self._read_timeout_seconds = read_timeout_seconds

    @property
    def engine_id(self) -> str:
        return self.limits.engine_id

    @classmethod
    def from_options(cls, options: EngineOptions) -> BedrockEngine:
        """The engine of the deployment's model; a `ValueError` if there is none or no such."""
        model_id = options.bedrock_model_id
        if not model_id:
            raise ValueError(
                f"the bedrock engine needs a model id (BedrockModelId): one of"
                f" {', '.join(BEDROCK_MODELS)}"
            )
        limits_for("bedrock", model_id)  # the ValueError for an unsupported model, before a client
        client = boto3.client(
            "bedrock-runtime", config=client_config(options.bedrock_read_timeout_seconds)
        )
        return cls(client, model_id, options.bedrock_quality, options.bedrock_read_timeout_seconds)

    def render(self, request: RenderRequest) -> list[RenderedImage]:
        if (violation := self.limits.check(request)) is not None:
            raise PermanentEngineError(f"{violation.field}: {violation.message}")
        seeds = [request.seed + n for n in range(request.num_images)]
        with ThreadPoolExecutor(
            max_workers=min(len(seeds), MAX_CONCURRENT_CALLS), thread_name_prefix="bedrock"
        ) as pool:
            futures = [pool.submit(self._render_one, request, seed) for seed in seeds]
        return _results(futures)

    def request_body(self, request: RenderRequest, seed: int) -> dict[str, Any]:
        """The InvokeModel body for one image of `request`, the same for both models."""
        text_params = {"text": styled_prompt(request.prompt, request.style)}
        if request.negative_prompt:  # the models refuse an empty negativeText
            text_params["negativeText"] = request.negative_prompt
        guidance = request.guidance
        return {
            "taskType": "TEXT_IMAGE",
            "textToImageParams": text_params,
            "imageGenerationConfig": {
                "numberOfImages": 1,
                "width": request.width,
                "height": request.height,
                "cfgScale": guidance if guidance is not None else self.limits.default_guidance,
                "seed": seed,
                "quality": self._quality,
            },
        }

    def _render_one(self, request: RenderRequest, seed: int) -> RenderedImage:
        body = json.dumps(self.request_body(request, seed)).encode()
        try:
            response = self._client.invoke_model(
                modelId=self.model_id,
                body=body,
                contentType="application/json",
                accept="application/json",
            )
            payload: bytes = response["body"].read()
        except ClientError as error:
            raise self._from_client_error(error) from error
        except ReadTimeoutError as error:
            raise TransientEngineError(
                f"{self.model_id} sent no answer within {self._read_timeout_seconds} s"
            ) from error
        except BotoCoreError as error:  # no connection, a dropped one, a broken response
            raise TransientEngineError(
                f"{self.model_id} could not be called: {type(error).__name__}"
            ) from error
        return self._image(request, seed, self._png_from(payload, seed))

    def _from_client_error(self, error: ClientError) -> EngineError:
        details = error.response.get("Error", {})
        code = details.get("Code", "") or "UnknownError"
        message = details.get("Message", "") or "no message"
        rule = ERROR_RULES.get(code, ErrorRule(transient=True))
        text = f"{self.model_id} answered {code}: {message}"
        if rule.hint:
            text = f"{text} ({rule.hint})"
        return TransientEngineError(text) if rule.transient else PermanentEngineError(text)

    def _png_from(self, payload: bytes, seed: int) -> bytes:
        """The one image of a successful response, or why there is none."""
        try:
            document = json.loads(payload)
        except ValueError as error:
            raise TransientEngineError(f"{self.model_id} answered with no JSON body") from error
        if not isinstance(document, dict):
            raise TransientEngineError(f"{self.model_id} answered with no JSON object")
        # A generated image the content filters blocked comes as a 200 with `error` set. The same
        # prompt and seed generate the same image again, so retrying cannot help.
        if refusal := document.get("error"):
            raise PermanentEngineError(
                f"{self.model_id} withheld the image for seed {seed}: {refusal}"
            )
        images = document.get("images")
        if not isinstance(images, list) or len(images) != 1 or not isinstance(images[0], str):
            count = len(images) if isinstance(images, list) else 0
            raise TransientEngineError(f"{self.model_id} returned {count} images, not 1")
        try:
            return base64.b64decode(images[0], validate=True)
        except binascii.Error as error:
            raise TransientEngineError(
                f"{self.model_id} returned an image not in base64"
            ) from error

    def _image(self, request: RenderRequest, seed: int, data: bytes) -> RenderedImage:
        try:
            image = Image.open(io.BytesIO(data))
            image.load()
        except OSError as error:  # Pillow's UnidentifiedImageError and truncated files
            raise TransientEngineError(f"{self.model_id} returned an unreadable image") from error
        if image.size != (request.width, request.height):
            # A model that ignores the size would ignore it again on a retry.
            width, height = image.size
            raise PermanentEngineError(
                f"{self.model_id} returned a {width}x{height} image for a"
                f" {request.width}x{request.height} request"
            )
        if request.image_format != "png" or image.format != "PNG":
            data = encode(image, request.image_format, request.quality)
        return RenderedImage(
            data=data,
            width=request.width,
            height=request.height,
            image_format=request.image_format,
            seed=seed,
        )


def _results(futures: list[Future[RenderedImage]]) -> list[RenderedImage]:
    """Every image in order, or the most decisive failure: a permanent one fails the job now,
    where a transient one would have SQS retry a job that cannot succeed."""
    errors = [error for future in futures if (error := future.exception()) is not None]
    if errors:
        raise next((e for e in errors if isinstance(e, PermanentEngineError)), errors[0])
    return [future.result() for future in futures]
