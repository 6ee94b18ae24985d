"""The Bedrock engine, with the real boto3 client, against a local bedrock-runtime stand-in.

boto3 reaches the stand-in only through AWS_ENDPOINT_URL_BEDROCK_RUNTIME, as a deployment
would reach a non-AWS endpoint; the stand-in checks every request's SigV4 signature and body
as the service would (tests/support/bedrock_standin.py). These tests do not run under moto,
except the worker's, which need its DynamoDB and S3: moto answers only requests for
*.amazonaws.com hosts and lets the stand-in's 127.0.0.1 requests through (no passthrough
setting needed in moto 5.2.5), which those tests confirm by what the stand-in saw.
"""

import base64
import io
import json
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import botocore.auth
import pytest
from botocore.awsrequest import AWSPreparedRequest
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.retries.standard import ExponentialBackoff
from PIL import Image, ImageChops, ImageStat

from imagejobs.engines import get_engine
from imagejobs.engines.base import ImageFormat, RenderRequest, Style
from imagejobs.engines.bedrock import BedrockEngine
from imagejobs.engines.encoding import encode
from imagejobs.engines.limits import STYLE_PROMPTS, styled_prompt
from imagejobs.engines.options import BEDROCK_TOTAL_MAX_ATTEMPTS, EngineOptions
from imagejobs.exceptions import PermanentEngineError, TransientEngineError
from imagejobs.logic.worker import JobOutcome, image_key
from imagejobs.models.domain import JobStatus
from tests.support import bedrock_standin as standin_faults
from tests.support.bedrock_standin import (
    NOVA_CANVAS,
    TITAN_IMAGE_V2,
    BedrockStandIn,
    Call,
    ServiceError,
    model_image,
)
from tests.support.worker import WORKER_JOB_ID as JOB_ID
from tests.support.worker import WorkerWorld

REGION = "us-east-1"
ACCESS_KEY = "AKIASTANDIN000000001"
SECRET_KEY = "stand-in/secret/key/known/only/to/the/tests"


@dataclass(frozen=True)
class Model:
    model_id: str
    # A size the model renders, not square, so a swapped width and height shows.
    width: int
    height: int
    # The documented cfgScale default.
    default_cfg_scale: float


NOVA = Model(NOVA_CANVAS, 448, 320, 6.5)
TITAN = Model(TITAN_IMAGE_V2, 576, 384, 8.0)
BOTH_MODELS = [pytest.param(NOVA, id="nova-canvas"), pytest.param(TITAN, id="titan-v2")]


@pytest.fixture(scope="module")
def aws_session() -> boto3.Session:
    """The session boto3.client uses in these tests, shared: a new one spends ~0.1 s loading
    service models. Its credentials are the only ones the stand-in accepts."""
    return boto3.Session(
        aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY, region_name=REGION
    )


@pytest.fixture
def bedrock(
    monkeypatch: pytest.MonkeyPatch, aws_session: boto3.Session
) -> Iterator[BedrockStandIn]:
    """A running stand-in, which boto3 finds through AWS_ENDPOINT_URL_BEDROCK_RUNTIME."""
    for name in (
        "AWS_ENDPOINT_URL",
        "AWS_PROFILE",
        "AWS_BEARER_TOKEN_BEDROCK",  # would switch the client from SigV4 to a bearer token
        "AWS_RETRY_MODE",
        "AWS_MAX_ATTEMPTS",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "http_proxy",
        "https_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
    # Sign as Lambda does: awscrt is not among the function's requirements, so botocore signs
    # with its own SigV4Auth there (this venv has awscrt, which botocore would prefer).
    monkeypatch.setitem(botocore.auth.AUTH_TYPE_MAPS, "v4", botocore.auth.SigV4Auth)
    # The SDK retries exactly as configured, without the jittered sleep between attempts.
    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0.0)
    # Restored here rather than by monkeypatch, so that it is put back before moto (under the
    # worker's tests) puts back the session it replaced.
    saved_session = boto3.DEFAULT_SESSION
    boto3.DEFAULT_SESSION = aws_session
    try:
        with BedrockStandIn(region=REGION, credentials={ACCESS_KEY: SECRET_KEY}) as standin:
            monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", standin.url)
            yield standin
    finally:
        boto3.DEFAULT_SESSION = saved_session


def engine_for(model: Model, **options: Any) -> BedrockEngine:
    return BedrockEngine.from_options(EngineOptions(bedrock_model_id=model.model_id, **options))


def request_for(model: Model, **fields: Any) -> RenderRequest:
    values: dict[str, Any] = {
        "prompt": "a lighthouse on a cliff",
        "width": model.width,
        "height": model.height,
        "seed": 7,
        **fields,
    }
    return RenderRequest(**values)


def decode(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def mean_difference(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute per-channel difference, 0 (identical) to 255."""
    return float(sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3)


def seeds_sent(calls: list[Call]) -> list[int | None]:
    return sorted((call.seed for call in calls), key=lambda seed: -1 if seed is None else seed)


# --------------------------------------------------------------------------- request bodies


@pytest.mark.parametrize("model", BOTH_MODELS)
def test_the_request_body_is_the_documented_text_to_image_body(
    bedrock: BedrockStandIn, model: Model
) -> None:
    # Given a premium deployment and a styled request with a negative prompt and no guidance
    engine = engine_for(model, bedrock_quality="premium")
    style: Style = "product_ad"

    # When one image is rendered
    engine.render(
        request_for(model, prompt="a red bicycle", negative_prompt="people", style=style, seed=41)
    )

    # Then the model received exactly the documented TEXT_IMAGE body
    (call,) = bedrock.calls
    assert call.body == {
        "taskType": "TEXT_IMAGE",
        "textToImageParams": {
            "text": f"a red bicycle, {STYLE_PROMPTS['product_ad']}",
            "negativeText": "people",
        },
        "imageGenerationConfig": {
            "numberOfImages": 1,
            "width": model.width,
            "height": model.height,
            "cfgScale": model.default_cfg_scale,
            "seed": 41,
            "quality": "premium",
        },
    }


@pytest.mark.parametrize("model", BOTH_MODELS)
@pytest.mark.parametrize("negative_prompt", [None, ""], ids=["none", "empty"])
def test_no_negative_text_is_sent_without_a_negative_prompt(
    bedrock: BedrockStandIn, model: Model, negative_prompt: str | None
) -> None:
    # Given a request without a negative prompt (the models refuse an empty negativeText)
    engine = engine_for(model)

    # When it is rendered
    engine.render(request_for(model, negative_prompt=negative_prompt))

    # Then the body carries the plain prompt, no negativeText, and the default quality
    (call,) = bedrock.calls
    assert call.body["textToImageParams"] == {"text": "a lighthouse on a cliff"}
    assert call.body["imageGenerationConfig"]["quality"] == "standard"


@pytest.mark.parametrize("model", BOTH_MODELS)
def test_guidance_is_sent_as_the_cfg_scale(bedrock: BedrockStandIn, model: Model) -> None:
    # Given a request with its own guidance
    engine = engine_for(model)

    # When it is rendered
    engine.render(request_for(model, guidance=3.25))

    # Then the model gets that cfgScale instead of its default
    (call,) = bedrock.calls
    assert call.body["imageGenerationConfig"]["cfgScale"] == 3.25


@pytest.mark.parametrize("model", BOTH_MODELS)
def test_each_image_is_one_call_with_its_own_seed_and_comes_back_in_seed_order(
    bedrock: BedrockStandIn, model: Model
) -> None:
    # Given a request for four images from seed 100
    engine = engine_for(model)

    # When it is rendered
    images = engine.render(request_for(model, seed=100, num_images=4))

    # Then the model was called once per image, for one image, with seeds 100..103
    assert seeds_sent(bedrock.calls) == [100, 101, 102, 103]
    assert all(call.body["imageGenerationConfig"]["numberOfImages"] == 1 for call in bedrock.calls)
    # And image n is the model's picture for seed 100 + n
    assert [image.seed for image in images] == [100, 101, 102, 103]
    expected = bedrock.images_for([100, 101, 102, 103], model.width, model.height)
    assert [image.data for image in images] == expected


def test_the_calls_of_a_job_run_at_the_same_time(bedrock: BedrockStandIn) -> None:
    # Given a stand-in that answers only once four calls are in flight together
    bedrock.require_concurrency(4)
    engine = engine_for(NOVA)

    # When four images are rendered
    images = engine.render(request_for(NOVA, num_images=4))

    # Then they were all in flight at once (one after another would have failed)
    assert len(images) == 4
    assert bedrock.peak_in_flight == 4
    assert len(bedrock.calls) == 4


@pytest.mark.parametrize("model", BOTH_MODELS)
def test_every_call_is_a_signed_json_post_to_the_models_invoke_path(
    bedrock: BedrockStandIn, model: Model
) -> None:
    # Given an engine for the model
    engine = engine_for(model)

    # When it renders two images
    engine.render(request_for(model, num_images=2))

    # Then each call went to /model/{url-encoded model id}/invoke as signed JSON
    encoded_id = model.model_id.replace(":", "%3A")
    for call in bedrock.calls:
        assert (call.method, call.raw_path) == ("POST", f"/model/{encoded_id}/invoke")
        assert call.model_id == model.model_id
        assert call.headers["content-type"] == "application/json"
        assert call.headers["accept"] == "application/json"
        # And the stand-in verified its SigV4 signature, scoped to the region and "bedrock"
        assert f"/{REGION}/bedrock/aws4_request" in call.headers["authorization"]
        assert call.signature_valid
        assert call.status == 200


# --------------------------------------------------------------------------- images


@pytest.mark.parametrize("model", BOTH_MODELS)
def test_png_is_the_models_own_file(bedrock: BedrockStandIn, model: Model) -> None:
    # Given a PNG request
    engine = engine_for(model)

    # When it is rendered
    (image,) = engine.render(request_for(model, image_format="png"))

    # Then the bytes are exactly the PNG the model sent, at the requested size
    (call,) = bedrock.calls
    assert image.data == call.images[0]
    assert decode(image.data).size == (model.width, model.height)
    assert (image.width, image.height, image.image_format, image.seed) == (
        model.width,
        model.height,
        "png",
        7,
    )


@pytest.mark.parametrize("model", BOTH_MODELS)
@pytest.mark.parametrize(("image_format", "pil_format"), [("jpeg", "JPEG"), ("webp", "WEBP")])
def test_lossy_formats_are_the_models_picture_re_encoded(
    bedrock: BedrockStandIn, model: Model, image_format: ImageFormat, pil_format: str
) -> None:
    # Given a request for a lossy format
    engine = engine_for(model)

    # When it is rendered
    (image,) = engine.render(request_for(model, image_format=image_format, quality=90))

    # Then the file is in that format, at the requested size, and shows the model's picture
    decoded = decode(image.data)
    assert decoded.format == pil_format
    assert decoded.size == (model.width, model.height)
    assert image.content_type == f"image/{image_format}"
    own = decode(model_image(7, model.width, model.height)).convert("RGB")
    another = decode(model_image(8, model.width, model.height)).convert("RGB")
    difference = mean_difference(decoded.convert("RGB"), own)
    assert difference * 3 < mean_difference(decoded.convert("RGB"), another)


@pytest.mark.parametrize("image_format", ["jpeg", "webp"])
def test_the_lossy_quality_is_applied(bedrock: BedrockStandIn, image_format: ImageFormat) -> None:
    # Given the same picture asked for at a low and a high quality
    engine = engine_for(NOVA)

    # When both are rendered
    (low,) = engine.render(request_for(NOVA, image_format=image_format, quality=20))
    (high,) = engine.render(request_for(NOVA, image_format=image_format, quality=95))

    # Then the low-quality file is much smaller
    assert len(low.data) * 2 < len(high.data)


# --------------------------------------------------------------------------- errors


@dataclass(frozen=True)
class ErrorCase:
    fault: ServiceError
    error_class: type[Exception]
    attempts: int  # what botocore's standard retry mode makes of it, with 2 attempts at most


ERROR_CASES = [
    # Retried once by the SDK (throttling codes, 5xx, errors the model marks retryable).
    ErrorCase(standin_faults.THROTTLING, TransientEngineError, BEDROCK_TOTAL_MAX_ATTEMPTS),
    ErrorCase(standin_faults.SERVICE_UNAVAILABLE, TransientEngineError, BEDROCK_TOTAL_MAX_ATTEMPTS),
    ErrorCase(standin_faults.INTERNAL_SERVER, TransientEngineError, BEDROCK_TOTAL_MAX_ATTEMPTS),
    ErrorCase(standin_faults.MODEL_NOT_READY, TransientEngineError, BEDROCK_TOTAL_MAX_ATTEMPTS),
    # Left to SQS.
    ErrorCase(standin_faults.MODEL_TIMEOUT, TransientEngineError, 1),
    ErrorCase(standin_faults.MODEL_ERROR, TransientEngineError, 1),
    ErrorCase(standin_faults.SERVICE_QUOTA_EXCEEDED, TransientEngineError, 1),
    # Final.
    ErrorCase(standin_faults.CONTENT_FILTERED, PermanentEngineError, 1),
    ErrorCase(standin_faults.ACCESS_DENIED, PermanentEngineError, 1),
    ErrorCase(standin_faults.RESOURCE_NOT_FOUND, PermanentEngineError, 1),
]


@pytest.mark.parametrize("case", ERROR_CASES, ids=lambda case: case.fault.code)
def test_each_service_error_is_transient_or_permanent_after_the_sdks_attempts(
    bedrock: BedrockStandIn, case: ErrorCase
) -> None:
    # Given a model that answers every call with the error
    bedrock.fail(case.fault)
    engine = engine_for(NOVA)

    # When one image is rendered
    with pytest.raises(case.error_class) as raised:
        engine.render(request_for(NOVA))

    # Then the error says which model answered what, and the SDK made the expected attempts
    assert NOVA.model_id in str(raised.value)
    assert case.fault.code in str(raised.value)
    assert case.fault.message in str(raised.value)
    assert type(raised.value) is case.error_class
    assert len(bedrock.calls) == case.attempts
    assert all(call.error_code == case.fault.code for call in bedrock.calls)


def test_one_throttled_call_is_absorbed_by_the_sdk_retry(bedrock: BedrockStandIn) -> None:
    # Given a model that throttles the first call only
    bedrock.fail(standin_faults.THROTTLING, times=1)
    engine = engine_for(NOVA)

    # When one image is rendered
    (image,) = engine.render(request_for(NOVA))

    # Then the SDK's second attempt delivered it
    assert [call.status for call in bedrock.calls] == [429, 200]
    assert image.data == bedrock.calls[1].images[0]


@pytest.mark.parametrize("model", BOTH_MODELS)
def test_a_content_filter_refusal_fails_for_good_with_the_models_words(
    bedrock: BedrockStandIn, model: Model
) -> None:
    # Given a model whose content filters block the prompt
    bedrock.fail(standin_faults.CONTENT_FILTERED)
    engine = engine_for(model)

    # When it is asked for two images
    with pytest.raises(PermanentEngineError) as raised:
        engine.render(request_for(model, num_images=2))

    # Then the failure is permanent and quotes the model
    assert "blocked by our content filters" in str(raised.value)
    assert "ValidationException" in str(raised.value)


@pytest.mark.parametrize(
    ("fault", "hint"),
    [
        (standin_faults.ACCESS_DENIED, "model access"),
        (standin_faults.RESOURCE_NOT_FOUND, "BedrockModelId"),
    ],
    ids=["access-denied", "not-found"],
)
def test_deployment_errors_say_what_to_check(
    bedrock: BedrockStandIn, fault: ServiceError, hint: str
) -> None:
    # Given a model that refuses this deployment
    bedrock.fail(fault)

    # When an image is rendered
    with pytest.raises(PermanentEngineError) as raised:
        engine_for(TITAN).render(request_for(TITAN))

    # Then the message says what to check
    assert hint in str(raised.value)


def test_an_image_blocked_after_generation_fails_for_good(bedrock: BedrockStandIn) -> None:
    # Given a model that generates the image but withholds it (a 200 with `error` set)
    bedrock.fail(standin_faults.OUTPUT_BLOCKED)

    # When it is rendered
    with pytest.raises(PermanentEngineError) as raised:
        engine_for(NOVA).render(request_for(NOVA))

    # Then the job cannot succeed with this prompt and seed, and the message says why
    assert "All of the generated images have been blocked" in str(raised.value)
    assert len(bedrock.calls) == 1


def test_a_response_slower_than_the_read_timeout_is_transient(bedrock: BedrockStandIn) -> None:
    # Given a model that never answers and a 1 s read timeout
    bedrock.fail(standin_faults.HOLD)
    engine = engine_for(NOVA, bedrock_read_timeout_seconds=1)

    # When an image is rendered
    started = time.monotonic()
    with pytest.raises(TransientEngineError) as raised:
        engine.render(request_for(NOVA))
    elapsed = time.monotonic() - started

    # Then each attempt gave up after about a second, and SQS gets the retry
    assert "no answer within 1 s" in str(raised.value)
    assert len(bedrock.calls) == BEDROCK_TOTAL_MAX_ATTEMPTS
    assert BEDROCK_TOTAL_MAX_ATTEMPTS <= elapsed < BEDROCK_TOTAL_MAX_ATTEMPTS + 3


def test_an_endpoint_that_refuses_connections_is_transient(
    bedrock: BedrockStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an endpoint where nothing listens
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", f"http://127.0.0.1:{port}")
    engine = engine_for(NOVA)

    # When an image is rendered
    with pytest.raises(TransientEngineError) as raised:
        engine.render(request_for(NOVA))

    # Then it is worth retrying later
    assert "EndpointConnectionError" in str(raised.value)
    assert bedrock.calls == []


@pytest.mark.parametrize(
    "body",
    [b"<html>gateway error</html>", json.dumps({"images": []}).encode()],
    ids=["not-json", "no-image"],
)
def test_a_garbled_answer_is_transient(bedrock: BedrockStandIn, body: bytes) -> None:
    # Given a model that answers 200 with no usable image
    bedrock.fail(standin_faults.Reply(body))

    # When an image is rendered
    with pytest.raises(TransientEngineError):
        engine_for(NOVA).render(request_for(NOVA))


def test_an_image_that_does_not_decode_is_transient(bedrock: BedrockStandIn) -> None:
    # Given a model whose "image" is not a picture
    not_a_png = base64.b64encode(b"this is not a PNG").decode()
    bedrock.fail(standin_faults.Reply({"images": [not_a_png], "error": None}))

    # When an image is rendered
    with pytest.raises(TransientEngineError) as raised:
        engine_for(NOVA).render(request_for(NOVA))

    # Then it is reported as unreadable
    assert "unreadable" in str(raised.value)


def test_an_image_of_another_size_fails_for_good(bedrock: BedrockStandIn) -> None:
    # Given a model that returns 320x320 for a 448x320 request
    bedrock.fail(standin_faults.WrongSize(320, 320))

    # When the image is rendered
    with pytest.raises(PermanentEngineError) as raised:
        engine_for(NOVA).render(request_for(NOVA))

    # Then the mismatch is named
    assert "320x320 image for a 448x320 request" in str(raised.value)


def test_a_permanent_failure_of_one_image_outweighs_a_transient_one(
    bedrock: BedrockStandIn,
) -> None:
    # Given a job whose first image is throttled and whose second is refused
    bedrock.fail(standin_faults.THROTTLING, seed=7)
    bedrock.fail(standin_faults.CONTENT_FILTERED, seed=8)

    # When both are rendered
    with pytest.raises(PermanentEngineError) as raised:
        engine_for(NOVA).render(request_for(NOVA, seed=7, num_images=2))

    # Then the job fails now instead of being retried to the same refusal
    assert "blocked by our content filters" in str(raised.value)
    assert seeds_sent(bedrock.calls) == [7, 7, 8]


# --------------------------------------------------------------------------- before any call


@pytest.mark.parametrize(
    ("model", "fields", "field"),
    [
        pytest.param(NOVA, {"width": 440}, "width", id="nova-width-not-a-multiple-of-16"),
        pytest.param(NOVA, {"prompt": "x" * 1025}, "prompt", id="nova-prompt-too-long"),
        pytest.param(NOVA, {"seed": 858_993_459, "num_images": 2}, "seed", id="nova-last-seed"),
        pytest.param(TITAN, {"width": 500, "height": 500}, "width", id="titan-unlisted-size"),
        pytest.param(TITAN, {"negative_prompt": "x" * 513}, "negative_prompt", id="titan-neg"),
        pytest.param(TITAN, {"guidance": 12.0}, "guidance", id="titan-guidance"),
        pytest.param(TITAN, {"num_images": 6}, "num_images", id="titan-six-images"),
    ],
)
def test_a_request_beyond_the_models_limits_fails_before_any_call(
    bedrock: BedrockStandIn, model: Model, fields: dict[str, Any], field: str
) -> None:
    # Given a request the model would refuse
    engine = engine_for(model)

    # When it is rendered
    with pytest.raises(PermanentEngineError) as raised:
        engine.render(request_for(model, **fields))

    # Then it fails naming the field, and nothing was sent
    assert str(raised.value).startswith(f"{field}: ")
    assert bedrock.calls == []


@pytest.mark.parametrize("model_id", [None, "", "stability.sd3-large-v1:0"])
def test_a_missing_or_unsupported_model_id_is_refused_at_cold_start(
    bedrock: BedrockStandIn, model_id: str | None
) -> None:
    # Given options without a model this engine implements
    options = EngineOptions(bedrock_model_id=model_id)

    # When the engine is built
    with pytest.raises(ValueError, match=NOVA_CANVAS):
        BedrockEngine.from_options(options)

    # Then nothing was called
    assert bedrock.calls == []


def test_get_engine_builds_a_working_bedrock_engine(bedrock: BedrockStandIn) -> None:
    # Given the template's engine kind and options
    options = EngineOptions(bedrock_model_id=TITAN_IMAGE_V2, bedrock_quality="premium")

    # When the worker builds its engine and renders with it
    engine = get_engine("bedrock", options)
    (image,) = engine.render(request_for(TITAN))

    # Then it is the Bedrock engine, with the deployment's quality
    assert engine.engine_id == f"bedrock:{TITAN_IMAGE_V2}"
    assert image.data == bedrock.calls[0].images[0]
    assert bedrock.calls[0].body["imageGenerationConfig"]["quality"] == "premium"


def test_the_endpoint_comes_from_the_environment_and_nowhere_else(
    bedrock: BedrockStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given LocalStack's catch-all endpoint next to the Bedrock-specific one
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    engine = engine_for(NOVA)

    # When an image is rendered
    engine.render(request_for(NOVA))

    # Then the Bedrock-specific endpoint won
    assert len(bedrock.calls) == 1

    # And with neither variable the client calls AWS's regional endpoint: nothing in code
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    monkeypatch.delenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME")
    plain = engine_for(NOVA)
    assert plain._client.meta.endpoint_url == f"https://bedrock-runtime.{REGION}.amazonaws.com"  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- the stand-in's checks


def raw_client(access_key: str = ACCESS_KEY, secret_key: str = SECRET_KEY) -> Any:
    return boto3.client(
        "bedrock-runtime",
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        config=Config(retries={"mode": "standard", "total_max_attempts": 1}),
    )


def valid_body(**config: Any) -> dict[str, Any]:
    return {
        "taskType": "TEXT_IMAGE",
        "textToImageParams": {"text": "a lighthouse"},
        "imageGenerationConfig": {"numberOfImages": 1, "width": 512, "height": 512, **config},
    }


def invoke(client: Any, body: dict[str, Any], model_id: str = TITAN_IMAGE_V2) -> Any:
    return client.invoke_model(
        modelId=model_id,
        body=json.dumps(body),
        contentType="application/json",
        accept="application/json",
    )


def test_the_stand_in_answers_a_correctly_signed_call(bedrock: BedrockStandIn) -> None:
    # Given a client with the credentials the stand-in knows
    # When it invokes the model
    response = invoke(raw_client(), valid_body(seed=5))

    # Then it gets the seed's picture, as Titan's documented response shape
    document = json.loads(response["body"].read())
    assert document["error"] is None
    assert base64.b64decode(document["images"][0]) == model_image(5, 512, 512)


@pytest.mark.parametrize(
    ("access_key", "secret_key", "code"),
    [
        (ACCESS_KEY, "a-wrong-secret", "InvalidSignatureException"),
        ("AKIAUNKNOWN000000000", SECRET_KEY, "UnrecognizedClientException"),
    ],
    ids=["wrong-secret", "unknown-key"],
)
def test_the_stand_in_rejects_calls_signed_with_wrong_credentials(
    bedrock: BedrockStandIn, access_key: str, secret_key: str, code: str
) -> None:
    # Given a client signing with credentials the stand-in does not accept
    client = raw_client(access_key, secret_key)

    # When it invokes the model
    with pytest.raises(ClientError) as raised:
        invoke(client, valid_body())

    # Then it is refused with 403, as AWS refuses it, and gets no image
    assert raised.value.response["Error"]["Code"] == code
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    (call,) = bedrock.calls
    assert not call.signature_valid
    assert call.images == []


def test_the_stand_in_rejects_a_body_changed_after_signing(bedrock: BedrockStandIn) -> None:
    # Given a client whose requests are altered between signing and sending
    client = raw_client()

    def tamper(request: AWSPreparedRequest, **kwargs: Any) -> None:
        assert isinstance(request.body, bytes)
        request.body = request.body.replace(b'"seed": 5', b'"seed": 6')

    client.meta.events.register("before-send.bedrock-runtime.InvokeModel", tamper)

    # When it invokes the model
    with pytest.raises(ClientError) as raised:
        invoke(client, valid_body(seed=5))

    # Then the signature no longer matches what arrived
    assert raised.value.response["Error"]["Code"] == "InvalidSignatureException"
    assert bedrock.calls[0].body is None
    assert b'"seed": 6' in bedrock.calls[0].raw_body


def test_an_engine_with_rejected_credentials_fails_for_good(bedrock: BedrockStandIn) -> None:
    # Given a worker whose credentials the service does not accept
    boto3.DEFAULT_SESSION = boto3.Session(
        aws_access_key_id=ACCESS_KEY, aws_secret_access_key="a-wrong-secret", region_name=REGION
    )
    engine = engine_for(NOVA)

    # When it renders
    with pytest.raises(PermanentEngineError) as raised:
        engine.render(request_for(NOVA))

    # Then no retry is wasted on it and the message says what to check
    assert "InvalidSignatureException" in str(raised.value)
    assert "credentials" in str(raised.value)
    assert len(bedrock.calls) == 1


@pytest.mark.parametrize(
    ("model_id", "body", "complaint"),
    [
        (TITAN_IMAGE_V2, valid_body(width=500, height=500), "500x500 is not supported"),
        (NOVA_CANVAS, valid_body(width=440), "divisible by 16"),
        (NOVA_CANVAS, valid_body(seed=858_993_460), "seed"),
        (TITAN_IMAGE_V2, valid_body(cfgScale=10.5), "cfgScale"),
        (TITAN_IMAGE_V2, valid_body(quality="ultra"), "quality"),
        (TITAN_IMAGE_V2, valid_body(numberOfImages=6), "numberOfImages"),
        (
            TITAN_IMAGE_V2,
            {**valid_body(), "textToImageParams": {"text": "a", "negativeText": ""}},
            "negativeText",
        ),
        (TITAN_IMAGE_V2, {**valid_body(), "textToImageParams": {"text": "x" * 513}}, "text"),
        (
            TITAN_IMAGE_V2,
            {**valid_body(), "textToImageParams": {"text": "a", "style": "X"}},
            "style",
        ),
        (TITAN_IMAGE_V2, {**valid_body(), "taskType": "INPAINTING"}, "taskType"),
        ("amazon.titan-image-generator-v9:0", valid_body(), "model identifier is invalid"),
    ],
    ids=[
        "titan-size",
        "nova-size",
        "nova-seed",
        "cfg-scale",
        "quality",
        "six-images",
        "empty-negative-text",
        "titan-text-too-long",
        "titan-has-no-style",
        "other-task",
        "unknown-model",
    ],
)
def test_the_stand_in_refuses_bodies_the_model_refuses(
    bedrock: BedrockStandIn, model_id: str, body: dict[str, Any], complaint: str
) -> None:
    # Given a body the model's documentation does not allow
    # When it is sent
    with pytest.raises(ClientError) as raised:
        invoke(raw_client(), body, model_id)

    # Then it is a 400 ValidationException saying what is wrong
    error = raised.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert complaint in error["Message"]


def test_the_stand_in_accepts_the_crt_signers_signature_too(
    bedrock: BedrockStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the signer botocore prefers where awscrt is installed: another SigV4 implementation
    crt_auth = pytest.importorskip("botocore.crt.auth")
    monkeypatch.setitem(botocore.auth.AUTH_TYPE_MAPS, "v4", crt_auth.CrtSigV4Auth)

    # When the engine renders with it
    (image,) = engine_for(NOVA).render(request_for(NOVA))

    # Then the stand-in's check, made with botocore's SigV4Auth, accepts its signature
    (call,) = bedrock.calls
    assert call.signature_valid
    assert image.data == call.images[0]


def test_the_stand_in_refuses_a_correct_but_stale_signature(
    bedrock: BedrockStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a client whose clock is twenty minutes slow, so it signs correctly but in the past
    past = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=20)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: past)

    # When it invokes the model
    with pytest.raises(ClientError) as raised:
        invoke(raw_client(), valid_body())

    # Then AWS's answer to a replay or a skewed clock comes back
    assert raised.value.response["Error"]["Code"] == "InvalidSignatureException"
    assert "expired" in raised.value.response["Error"]["Message"]


# --------------------------------------------------------------------------- the worker


def add_nova_job(world: WorkerWorld, num_images: int, **parameters: Any) -> None:
    """A queued job for Nova Canvas: PNG at a size the model renders, unless overridden."""
    values: dict[str, Any] = {
        "prompt": "a lighthouse on a cliff",
        "width": NOVA.width,
        "height": NOVA.height,
        "image_format": "png",
        "num_images": num_images,
        **parameters,
    }
    world.add_job(engine=f"bedrock:{NOVA_CANVAS}", **values)


@pytest.fixture
def nova(bedrock: BedrockStandIn) -> BedrockEngine:
    return engine_for(NOVA)


def test_a_bedrock_job_succeeds_with_one_seed_per_image(
    world: WorkerWorld, nova: BedrockEngine, bedrock: BedrockStandIn
) -> None:
    # Given a queued job for three PNG images from seed 7
    add_nova_job(world, num_images=3)

    # When the worker processes its message
    outcome = world.run(nova)

    # Then it succeeded with images whose seeds are 7, 8 and 9
    assert outcome is JobOutcome.SUCCEEDED
    job = world.jobs.get(JOB_ID)
    assert job is not None
    assert job.status is JobStatus.SUCCEEDED
    assert [image.seed for image in job.images] == [7, 8, 9]
    # And S3 holds the model's own pictures for those seeds, which the stand-in served
    assert seeds_sent(bedrock.calls) == [7, 8, 9]
    expected = bedrock.images_for([7, 8, 9], NOVA.width, NOVA.height)
    assert [world.stored(image_key(JOB_ID, n, "png")) for n in range(3)] == expected


def test_a_jobs_style_guidance_and_quality_reach_the_model_and_the_files(
    world: WorkerWorld, nova: BedrockEngine, bedrock: BedrockStandIn
) -> None:
    # Given a queued job for two vibrant WebP images at quality 60 with guidance 3.5
    add_nova_job(
        world, num_images=2, style="vibrant", guidance=3.5, image_format="webp", quality=60
    )

    # When the worker processes its message
    outcome = world.run(nova)

    # Then the model was asked for the styled prompt with that guidance, per image
    assert outcome is JobOutcome.SUCCEEDED
    texts = {call.body["textToImageParams"]["text"] for call in bedrock.calls}
    assert texts == {styled_prompt("a lighthouse on a cliff", "vibrant")}
    assert {call.body["imageGenerationConfig"]["cfgScale"] for call in bedrock.calls} == {3.5}
    # And the stored files are WebP at the job's quality, re-encoded from the model's PNGs
    expected = [
        encode(Image.open(io.BytesIO(png)), "webp", 60)
        for png in bedrock.images_for([7, 8], NOVA.width, NOVA.height)
    ]
    assert [world.stored(image_key(JOB_ID, n, "webp")) for n in range(2)] == expected


def test_a_throttled_bedrock_job_is_left_to_sqs_and_not_failed(
    world: WorkerWorld, nova: BedrockEngine, bedrock: BedrockStandIn
) -> None:
    # Given a queued job and a model that throttles every call
    add_nova_job(world, num_images=2)
    bedrock.fail(standin_faults.THROTTLING)

    # When the worker processes its first delivery
    with pytest.raises(TransientEngineError):
        world.run(nova, receive_count=1)

    # Then the message goes back to SQS and the job is still running, not failed
    job = world.jobs.get(JOB_ID)
    assert job is not None
    assert job.status is JobStatus.RUNNING
    assert job.error is None
    assert len(bedrock.calls) == 2 * BEDROCK_TOTAL_MAX_ATTEMPTS


def test_a_refused_bedrock_job_fails_at_once_with_the_reason(
    world: WorkerWorld, nova: BedrockEngine, bedrock: BedrockStandIn
) -> None:
    # Given a queued job whose prompt the content filters block
    add_nova_job(world, num_images=2)
    bedrock.fail(standin_faults.CONTENT_FILTERED)

    # When the worker processes its first delivery
    outcome = world.run(nova, receive_count=1)

    # Then the job failed for good, with a message that says why
    assert outcome is JobOutcome.FAILED
    job = world.jobs.get(JOB_ID)
    assert job is not None
    assert job.status is JobStatus.FAILED
    assert job.error is not None
    assert job.error.type == "RenderFailed"
    assert NOVA_CANVAS in job.error.message
    assert "blocked by our content filters" in job.error.message
