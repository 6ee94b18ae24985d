"""What the stand-in can be told to do, over its control endpoint, and how Bedrock's clients
see it: throttling, content filters, inference errors, Bedrock's errors, the model lifecycle
(GetFoundationModel's modelLifecycle, Legacy, end of life), slow answers, the request log, and
the process entry point (python -m imagejobs_dev.bedrock_standin)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import botocore.session
import pytest
from botocore.exceptions import ReadTimeoutError

from imagejobs_dev.bedrock_standin import BedrockStandIn
from tests.support.bedrock_standin_world import (
    ACCESS_KEY,
    SECRET_KEY,
    World,
    clients,
    encoded_image,
)
from tests.support.http import call

ROOT = Path(__file__).resolve().parents[2]
SD35_ID = "stability.sd3-5-large-v1:0"
SD35 = f"us.{SD35_ID}"
CORE_ID = "stability.stable-image-core-v1:1"
CORE = f"us.{CORE_ID}"
PROMPT = {"prompt": "a lighthouse"}


def test_a_per_minute_throttle_admits_that_many_then_answers_throttling(standin: World) -> None:
    # Given SD3.5 Large throttled at 2 requests a minute
    standin.configure({"models": {SD35_ID: {"throttle": {"requests": 2, "per": "minute"}}}})
    # When it is called three times, by profile id and by the profile's ARN, and Core once
    arn = f"arn:aws:bedrock:us-east-1:123456789012:inference-profile/{SD35}"
    answers = [standin.invoke(model, PROMPT) for model in (SD35, arn, SD35)]
    other = standin.invoke(CORE, PROMPT)
    # Then the third is Bedrock's 429 ThrottlingException, and the quota is the model's alone
    assert [(a.status, a.code) for a in answers] == [
        (200, None),
        (200, None),
        (429, "ThrottlingException"),
    ]
    assert other.status == 200


def test_a_per_second_throttle_never_admits_more_than_its_rate(standin: World) -> None:
    # Given Core throttled at 2 requests a second
    standin.configure({"models": {CORE: {"throttle": {"requests": 2, "per": "second"}}}})
    # When a client calls it as fast as it can for a second and a half
    deadline = time.monotonic() + 1.5
    statuses = []
    while time.monotonic() < deadline:
        statuses.append(standin.invoke(CORE, PROMPT).status)
    # Then some calls were throttled, more than two got through (the window moved on), and no
    # second of the stand-in's log holds more than two admitted calls
    log = standin.requests()
    admitted = [entry["at"] for entry in log["requests"] if entry["status"] == 200]
    assert 429 in statuses
    assert log["counts"][f"InvokeModel {CORE_ID}"]["200"] > 2
    pairs = zip(admitted, admitted[2:], strict=False)
    assert all(later - earlier >= 0.95 for earlier, later in pairs)


@pytest.mark.parametrize(
    "reason",
    [
        "Filter reason: prompt",
        "Filter reason: input image",
        "Filter reason: output image",
        "Inference error",
    ],
)
def test_a_finish_reason_answers_without_an_image(standin: World, reason: str) -> None:
    # Given Core told to answer with a finish reason
    standin.configure({"models": {CORE: {"finish_reason": reason}}})
    # When a valid body is sent
    answer = standin.invoke(CORE, PROMPT)
    # Then the page's shape for a non-null finish reason comes back, as a 200, with no image
    assert (answer.status, answer.document) == (200, {"finish_reasons": [reason]})
    assert standin.requests()["requests"][-1]["finish_reason"] == reason


def test_times_bounds_a_fault_to_the_next_requests(standin: World) -> None:
    # Given one inference error, then the model back to normal
    standin.configure({"models": {CORE: {"finish_reason": "Inference error", "times": 1}}})
    # When the model is called twice
    first, second = (standin.invoke(CORE, PROMPT) for _ in range(2))
    # Then only the first fails
    assert first.document == {"finish_reasons": ["Inference error"]}
    assert second.document["finish_reasons"] == [None]


def _invoke_model_errors() -> dict[str, int]:
    """InvokeModel's errors and their statuses, read from botocore's service model."""
    model = botocore.session.get_session().get_service_model("bedrock-runtime")
    operation = model.operation_model("InvokeModel")
    return {
        shape.name: shape.metadata["error"]["httpStatusCode"] for shape in operation.error_shapes
    }


@pytest.mark.parametrize(("code", "status"), sorted(_invoke_model_errors().items()))
def test_each_of_invoke_models_errors_reaches_the_client_as_bedrock_sends_it(
    standin: World, code: str, status: int
) -> None:
    # Given SD3.5 told to fail with one of InvokeModel's declared errors
    standin.configure({"models": {SD35: {"error": code}}})
    # When a valid body is sent
    answer = standin.invoke(SD35, PROMPT)
    # Then boto3 raises that code, with the service model's status and a message
    assert (answer.code, answer.status) == (code, status)
    assert answer.message
    if code == "ModelErrorException":  # its shape's other members: the model's own status
        assert answer.document["originalStatusCode"] == 500


# --------------------------------------------------------------------------- lifecycle


def test_get_foundation_model_describes_an_active_model(standin: World) -> None:
    # Given / When the control plane is asked about SD3.5 Large, by id and by ARN
    by_id = standin.foundation_model(SD35_ID)
    by_arn = standin.foundation_model(f"arn:aws:bedrock:us-east-1::foundation-model/{SD35_ID}")
    # Then both describe it as Active, served in us-east-1 through an inference profile
    assert by_id.document == by_arn.document
    assert by_id.document["modelLifecycle"] == {"status": "ACTIVE"}
    assert by_id.document["modelArn"] == f"arn:aws:bedrock:us-east-1::foundation-model/{SD35_ID}"
    assert by_id.document["inferenceTypesSupported"] == ["INFERENCE_PROFILE"]
    assert by_id.document["outputModalities"] == ["IMAGE"]


def test_a_legacy_model_reports_its_end_of_life_and_still_serves(standin: World) -> None:
    # Given Core reported as Legacy, with its dates
    dates = {"legacy_since": "2026-12-01", "end_of_life": "2027-06-01"}
    standin.configure({"models": {CORE: {"lifecycle": "LEGACY", **dates}}})
    # When the control plane is asked about it, and it is invoked
    lifecycle = standin.foundation_model(CORE_ID).document["modelLifecycle"]
    answer = standin.invoke(CORE, PROMPT)
    # Then the lifecycle says Legacy with the dates as timestamps, and the model still serves
    assert lifecycle == {
        "status": "LEGACY",
        "legacyTime": datetime(2026, 12, 1, tzinfo=UTC),
        "endOfLifeTime": datetime(2027, 6, 1, tzinfo=UTC),
    }
    assert answer.status == 200


def test_a_legacy_model_an_account_has_not_used_is_refused(standin: World) -> None:
    # Given Core Legacy, and this account inactive on it
    standin.configure({"models": {CORE: {"lifecycle": "LEGACY", "inactive": True}}})
    # When it is invoked
    answer = standin.invoke(CORE, PROMPT)
    # Then Bedrock's refusal for an inactive Legacy model
    assert (answer.status, answer.code) == (404, "ResourceNotFoundException")
    assert "marked by provider as Legacy" in answer.message


def test_a_model_past_its_end_of_life_is_gone_from_both_apis(standin: World) -> None:
    # Given SD3.5 Large reported past its end of life
    standin.configure({"models": {"*": {"lifecycle": "ACTIVE"}, SD35_ID: {"lifecycle": "EOL"}}})
    # When the control plane is asked about it, and it is invoked
    described = standin.foundation_model(SD35_ID)
    answer = standin.invoke(SD35, PROMPT)
    # Then GetFoundationModel finds no such model and InvokeModel refuses it as EOL
    assert (described.status, described.code) == (404, "ResourceNotFoundException")
    assert (answer.status, answer.code) == (404, "ResourceNotFoundException")
    assert "reached the end of its life" in answer.message


@pytest.mark.parametrize("identifier", [SD35, "stability.no-such-model-v1:0"])
def test_get_foundation_model_knows_only_foundation_models(standin: World, identifier: str) -> None:
    # Given / When it is asked about a profile id or an unknown id
    answer = standin.foundation_model(identifier)
    # Then ResourceNotFoundException
    assert (answer.status, answer.code) == (404, "ResourceNotFoundException")


# --------------------------------------------------------------------------- delays


def test_a_delay_holds_the_answer_back(standin: World) -> None:
    # Given Core told to answer after 0.3 s
    standin.configure({"models": {CORE: {"delay": 0.3}}})
    # When it is invoked
    started = time.monotonic()
    answer = standin.invoke(CORE, PROMPT)
    # Then the answer is the usual one, no sooner than that
    assert answer.status == 200
    assert time.monotonic() - started >= 0.3


def test_a_delay_past_the_clients_read_timeout_times_the_client_out(standin: World) -> None:
    # Given Core told to answer after 3 s, and a client that waits 0.5 s
    standin.configure({"models": {CORE: {"delay": 3}}})
    runtime, _ = clients(standin.standin.url, read_timeout=0.5)
    # When / Then the call times out on the client's side
    with pytest.raises(ReadTimeoutError):
        runtime.invoke_model(modelId=CORE, body=json.dumps(PROMPT))


# --------------------------------------------------------------------------- the control endpoint


@pytest.mark.parametrize(
    "document",
    [
        {"modles": {}},
        {"models": {"stability.no-such-model-v1:0": {"delay": 1}}},
        {"models": {CORE: {"throttle": {"requests": 0, "per": "second"}}}},
        {"models": {CORE: {"throttle": {"requests": 2, "per": "hour"}}}},
        {"models": {CORE: {"finish_reason": "Filter reason: everything"}}},
        {"models": {CORE: {"error": "TeapotException"}}},
        {"models": {CORE: {"lifecycle": "RETIRED"}}},
        {"models": {CORE: {"end_of_life": "next year"}}},
        {"models": {CORE: {"throttel": None}}},
        {"models": {"amazon.nova-canvas-v1:0": {"lifecycle": "ACTIVE"}}},  # retired for good
    ],
)
def test_a_configuration_it_does_not_understand_is_refused(
    standin: World, document: dict[str, object]
) -> None:
    # Given / When a configuration with a mistake in it is posted
    status, answer = standin.control("POST", "/_standin/config", document)
    # Then 400 with a message, and nothing changed
    assert status == 400
    assert answer["message"]
    assert standin.control("GET", "/_standin/config")[1]["models"][CORE_ID]["delay"] == 0


def test_reset_returns_to_the_start_configuration_and_clears_the_log(standin: World) -> None:
    # Given a throttled model and a request in the log
    standin.configure({"models": {CORE: {"throttle": {"requests": 1, "per": "minute"}}}})
    standin.invoke(CORE, PROMPT)
    # When the stand-in is reset
    status, configuration = standin.control("POST", "/_standin/reset")
    # Then the throttle is gone and the log is empty
    assert status == 200
    assert configuration["models"][CORE_ID]["throttle"] is None
    assert standin.requests() == {"counts": {}, "requests": []}


def test_the_request_log_counts_and_keeps_bodies_without_image_bytes(standin: World) -> None:
    # Given an inpaint request and a refused one
    image = encoded_image(320, 240, mode="RGBA")
    inpaint = "us.stability.stable-image-inpaint-v1:0"
    standin.invoke(inpaint, {"prompt": "a hat", "image": image})
    standin.invoke(SD35, {"prompt": "x", "cfg_scale": 3})
    # When the log is read
    log = standin.requests()
    # Then each is counted per operation and model, and the image bytes are elided
    assert log["counts"]["InvokeModel stability.stable-image-inpaint-v1:0"] == {
        "200": 1,
        "total": 1,
    }
    assert log["counts"][f"InvokeModel {SD35_ID}"] == {"400": 1, "total": 1}
    served, refused = log["requests"]
    assert served["body"]["prompt"] == "a hat"
    assert image not in json.dumps(log)
    assert served["body"]["image"].startswith("<elided")
    assert refused["error_code"] == "ValidationException"
    assert refused["source"].endswith("model-parameters-diffusion-3-5-large.html")


def test_a_start_configuration_holds_from_the_start_and_after_a_reset() -> None:
    # Given a stand-in started throttled at one request a minute for Core
    start = {"models": {CORE_ID: {"throttle": {"requests": 1, "per": "minute"}}}}
    with BedrockStandIn(credentials={ACCESS_KEY: SECRET_KEY}, start=start) as started:
        runtime, _ = clients(started.url)
        world = World(started, runtime, None)
        # When it is called twice, reset, and called twice again
        before = [world.invoke(CORE, PROMPT).status for _ in range(2)]
        world.control("POST", "/_standin/reset")
        after = [world.invoke(CORE, PROMPT).status for _ in range(2)]
    # Then the throttle held both times
    assert before == after == [200, 429]


def test_the_process_entry_point_serves_its_start_configuration_and_stops_on_sigterm() -> None:
    # Given the stand-in started as a process, told to filter Core's prompts
    config = json.dumps({"models": {CORE_ID: {"finish_reason": "Filter reason: prompt"}}})
    command = [sys.executable, "-m", "imagejobs_dev.bedrock_standin", "--port", "0"]
    command += ["--credentials", f"{ACCESS_KEY}:{SECRET_KEY}", "--config", config]
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'infra'}"}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert process.stdout is not None
        ready = json.loads(process.stdout.readline())
        # When a client checks its health and invokes Core
        health = call("GET", f"{ready['url']}/_standin/health").json()
        runtime, _ = clients(ready["url"])
        answer = World(None, runtime, None).invoke(CORE, PROMPT)  # type: ignore[arg-type]
        # Then it is up in its region, and the start configuration is in force
        assert health == {"status": "ok", "region": "us-east-1"}
        assert answer.document == {"finish_reasons": ["Filter reason: prompt"]}
    finally:
        process.send_signal(signal.SIGTERM)
        # And SIGTERM stops it cleanly
        assert process.wait(timeout=10) == 0
