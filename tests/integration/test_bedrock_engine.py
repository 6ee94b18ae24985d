"""The Bedrock engine against the stand-in (imagejobs_dev.bedrock_standin), which checks every
body against each model's AWS page and answers as Bedrock does: one real boto3 bedrock-runtime
client, signed calls, the models' own answers and errors."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import pytest
from PIL import Image

from imagejobs.engines.base import InputImage, JobParameters
from imagejobs.engines.bedrock import BedrockEngine
from imagejobs.engines.catalogue import CATALOGUE, ModelSpec
from imagejobs.engines.options import EngineOptions
from imagejobs.exceptions import (
    ContentFilteredError,
    ModelUnavailableError,
    PermanentEngineError,
    ThrottledError,
    TransientEngineError,
)
from imagejobs.logic.worker import JobOutcome, image_key
from tests.support.bedrock_standin_world import ACCESS_KEY, REGION, SECRET_KEY, World, clients
from tests.support.worker import WorkerWorld

SD35 = CATALOGUE["stability.sd3-5-large-v1:0"]
CORE = CATALOGUE["stability.stable-image-core-v1:1"]
ULTRA = CATALOGUE["stability.stable-image-ultra-v1:1"]
GENERATORS = [SD35, CORE, ULTRA]


def engine(standin: World, spec: ModelSpec) -> BedrockEngine:
    return BedrockEngine(spec, standin.runtime)


def parameters(spec: ModelSpec, **fields: Any) -> JobParameters:
    return JobParameters.model_validate(
        {"prompt": "a lighthouse", "model": spec.id, "seed": 7, "aspect_ratio": "1:1", **fields}
    )


def png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def sent(standin: World) -> list[dict[str, Any]]:
    return [r for r in standin.requests()["requests"] if r["operation"] == "InvokeModel"]


@pytest.mark.parametrize("spec", GENERATORS, ids=lambda spec: spec.name)
@pytest.mark.parametrize("ratio", ["1:1", "16:9", "9:21"])
def test_text_to_image_is_accepted_and_each_image_reports_its_real_size(
    standin: World, spec: ModelSpec, ratio: str
) -> None:
    # Given a job for two images in an aspect ratio
    job = parameters(spec, aspect_ratio=ratio, num_images=2)

    # When the engine renders it in us-east-1
    images = engine(standin, spec).render(job, {})

    # Then each image was one call, through the model's `us.` profile, with its own seed,
    # accepted by the stand-in's documented schema
    calls = sent(standin)
    assert [(c["status"], c["model_id"]) for c in calls] == [(200, f"us.{spec.id}")] * 2
    assert sorted(c["body"]["seed"] for c in calls) == [7, 8]
    assert {c["body"]["aspect_ratio"] for c in calls} == {ratio}
    # And each image says the size the model drew, in the ratio asked for
    across, down = map(int, ratio.split(":"))
    for image, seed in zip(images, (7, 8), strict=True):
        assert image.seed == seed
        drawn = Image.open(io.BytesIO(image.data))
        assert drawn.size == (image.width, image.height)
        assert abs(image.width / image.height - across / down) < 0.1


@pytest.mark.parametrize("spec", [SD35, ULTRA], ids=lambda spec: spec.name)
def test_image_to_image_sends_the_image_and_strength_and_no_aspect_ratio(
    standin: World, spec: ModelSpec
) -> None:
    # Given an image-to-image job and the bytes of its image
    image = png(320, 240)
    recorded = InputImage(
        key="inputs/j/image.png", width=320, height=240, image_format="png", size_bytes=len(image)
    )
    job = parameters(spec, task="image-to-image", aspect_ratio=None, strength=0.4, image=recorded)

    # When it is rendered
    engine(standin, spec).render(job, {"image": image})

    # Then the stand-in took the documented image-to-image body
    [call] = sent(standin)
    assert call["status"] == 200, call
    body = call["body"]
    assert body["strength"] == 0.4
    assert "aspect_ratio" not in body
    if spec is SD35:
        assert body["mode"] == "image-to-image"


def test_the_style_rides_on_the_prompt_and_nothing_a_model_lacks_is_sent(standin: World) -> None:
    # Given a styled job with a negative prompt
    job = parameters(SD35, style="luxury", negative_prompt="people")

    # When it is rendered
    engine(standin, SD35).render(job, {})

    # Then the prompt carries the style's words, and only documented fields went
    [call] = sent(standin)
    body = call["body"]
    assert body["prompt"].startswith("a lighthouse, luxury editorial look")
    assert body["negative_prompt"] == "people"
    assert set(body) <= {
        "prompt",
        "mode",
        "aspect_ratio",
        "seed",
        "output_format",
        "negative_prompt",
    }


@pytest.mark.parametrize(("image_format", "pil_format"), [("jpeg", "JPEG"), ("webp", "WEBP")])
def test_lossy_formats_are_the_models_png_re_encoded_at_the_jobs_quality(
    standin: World, image_format: str, pil_format: str
) -> None:
    job = parameters(CORE, image_format=image_format, quality=40)
    [image] = engine(standin, CORE).render(job, {})
    assert Image.open(io.BytesIO(image.data)).format == pil_format
    assert image.content_type == f"image/{image_format}"
    [call] = sent(standin)
    assert call["body"]["output_format"] == "png"


@pytest.mark.parametrize(
    ("reason", "side"),
    [
        ("Filter reason: prompt", "prompt"),
        ("Filter reason: input image", "input image"),
        ("Filter reason: output image", "output image"),
    ],
)
def test_a_content_filter_is_a_refusal_that_names_its_side(
    standin: World, reason: str, side: str
) -> None:
    standin.configure({"models": {SD35.id: {"finish_reason": reason}}})
    with pytest.raises(ContentFilteredError) as refused:
        engine(standin, SD35).render(parameters(SD35), {})
    assert refused.value.side == side


def test_an_inference_error_is_transient(standin: World) -> None:
    standin.configure({"models": {ULTRA.id: {"finish_reason": "Inference error"}}})
    with pytest.raises(TransientEngineError) as failed:
        engine(standin, ULTRA).render(parameters(ULTRA), {})
    assert not isinstance(failed.value, PermanentEngineError)


def test_a_spent_quota_is_a_throttle(standin: World) -> None:
    # Given a model allowed one request a second
    standin.configure({"models": {CORE.id: {"throttle": {"requests": 1, "per": "second"}}}})

    # When a job of two images calls it twice at once
    # Then the job is throttled, not failed
    with pytest.raises(ThrottledError):
        engine(standin, CORE).render(parameters(CORE, num_images=2), {})


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        ("ModelErrorException", TransientEngineError),
        ("ServiceUnavailableException", TransientEngineError),
        ("ValidationException", PermanentEngineError),
        ("AccessDeniedException", ModelUnavailableError),
    ],
)
def test_each_error_is_transient_or_permanent(
    standin: World, error: str, expected: type[Exception]
) -> None:
    standin.configure({"models": {SD35.id: {"error": error}}})
    with pytest.raises(expected) as failed:
        engine(standin, SD35).render(parameters(SD35), {})
    if expected is TransientEngineError:
        assert not isinstance(failed.value, PermanentEngineError)


def test_a_model_past_its_end_of_life_is_unavailable(standin: World) -> None:
    standin.configure({"models": {ULTRA.id: {"lifecycle": "EOL"}}})
    with pytest.raises(ModelUnavailableError) as refused:
        engine(standin, ULTRA).render(parameters(ULTRA), {})
    assert "ResourceNotFoundException" in str(refused.value)


def test_a_region_bedrock_does_not_serve_the_model_in_makes_no_call(standin: World) -> None:
    # Given a client in a Region with neither the model nor its profile
    runtime, _ = clients(standin.standin.url, region="eu-west-1")

    # When a job is rendered there, then it is unavailable before any call
    with pytest.raises(ModelUnavailableError) as refused:
        BedrockEngine(SD35, runtime).render(parameters(SD35), {})
    assert "eu-west-1" in str(refused.value)
    assert sent(standin) == []


def test_in_us_west_2_the_models_own_id_is_called(standin: World) -> None:
    runtime, _ = clients(standin.standin.url, region="us-west-2")
    assert BedrockEngine(SD35, runtime).invoke_id == SD35.id
    assert engine(standin, SD35).invoke_id == f"us.{SD35.id}"


class _Answers:
    """A bedrock-runtime client that answers with the bodies given (the stand-in answers only
    what Bedrock documents; these are what a broken network or service might send)."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.meta = type("Meta", (), {"region_name": REGION})()

    def invoke_model(self, **_: Any) -> dict[str, Any]:
        return {"body": io.BytesIO(self.body)}


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        json.dumps({"images": []}).encode(),
        json.dumps({"images": ["not base64!"]}).encode(),
        json.dumps({"images": [base64.b64encode(b"not an image").decode()]}).encode(),
    ],
)
def test_a_garbled_answer_is_transient(body: bytes) -> None:
    with pytest.raises(TransientEngineError) as failed:
        BedrockEngine(SD35, _Answers(body)).render(parameters(SD35), {})
    assert not isinstance(failed.value, PermanentEngineError)


def test_the_endpoint_comes_from_the_environment_and_nowhere_else(
    standin: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given LocalStack's catch-all endpoint next to the Bedrock-specific one
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", standin.standin.url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)

    # When the worker's engine for the model renders an image
    built = BedrockEngine.for_model(SD35, EngineOptions())
    built.render(parameters(SD35), {})

    # Then the Bedrock-specific endpoint won
    assert len(sent(standin)) == 1
    # And with neither variable the client calls AWS's Regional endpoint: nothing in code
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    monkeypatch.delenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME")
    plain = BedrockEngine.for_model(SD35, EngineOptions())
    assert plain._client.meta.endpoint_url == f"https://bedrock-runtime.{REGION}.amazonaws.com"


def test_a_bedrock_job_runs_through_the_worker_to_its_images(
    world: WorkerWorld, standin: World
) -> None:
    # Given a queued SD3.5 Large job for two 16:9 WebPs
    world.add_job(
        model=SD35.id,
        aspect_ratio="16:9",
        width=None,
        height=None,
        guidance=None,
        num_images=2,
        image_format="webp",
    )

    # When the worker renders it with the model's engine
    outcome = world.run(engine(standin, SD35))  # type: ignore[arg-type]

    # Then both images are stored, each recorded with the size the model drew, in 16:9
    assert outcome is JobOutcome.SUCCEEDED
    job = world.job()
    for n, recorded in enumerate(job.images):
        stored = Image.open(io.BytesIO(world.stored(image_key(job.job_id, n, "webp"))))
        assert stored.size == (recorded.width, recorded.height)
        assert abs(recorded.width / recorded.height - 16 / 9) < 0.1


def test_a_filtered_job_fails_at_once_as_content_filtered(
    world: WorkerWorld, standin: World
) -> None:
    standin.configure({"models": {CORE.id: {"finish_reason": "Filter reason: output image"}}})
    world.add_job(
        model=CORE.id, aspect_ratio="1:1", width=None, height=None, guidance=None, num_images=1
    )
    outcome = world.run(engine(standin, CORE), receive_count=1)  # type: ignore[arg-type]
    assert outcome is JobOutcome.FAILED
    error = world.job().error
    assert error is not None
    assert error.type == "content_filtered"
    assert "output image" in error.message
