"""Traces keep the promise the logs keep: no prompt text and no presigned URL in any segment.

The functions run with Powertools' Tracer enabled, as in Lambda, and the X-Ray SDK's emitter
is replaced by one that keeps every segment it would have sent to the daemon.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from aws_lambda_powertools import Tracer
from aws_xray_sdk import global_sdk_config
from aws_xray_sdk.core import xray_recorder
from aws_xray_sdk.core.lambda_launcher import LambdaContext

from tests.support.events import event_for_job, load_event, response_json
from tests.support.functions import Function, LoadHandler

TRACE_HEADER = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"


class RecordingEmitter:
    """Stands in for the UDP emitter: keeps each segment as the daemon would receive it."""

    def __init__(self) -> None:
        self.segments: list[dict[str, Any]] = []

    def send_entity(self, entity: Any) -> None:
        self.segments.append(json.loads(entity.serialize()))

    def set_daemon_address(self, address: str | None) -> None:
        pass


@pytest.fixture
def traced(
    load_handler: LoadHandler, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Callable[[str], Function], RecordingEmitter]]:
    """Loads handlers with tracing on, as in Lambda; yields the loader and the recorded segments."""
    monkeypatch.setenv("LAMBDA_TASK_ROOT", "/var/task")  # how Powertools knows it is in Lambda
    monkeypatch.setenv("_X_AMZN_TRACE_ID", TRACE_HEADER)
    # The Tracer's configuration is class-wide and the SDK switch global: other tests left
    # them disabled, and this one must leave them so again.
    Tracer._reset_config()
    global_sdk_config.set_sdk_enabled(True)
    emitter = RecordingEmitter()
    saved_emitter, saved_context = xray_recorder.emitter, xray_recorder.context
    xray_recorder.configure(emitter=emitter, context=LambdaContext(), sampling=False)

    def load(logical_id: str) -> Function:
        return load_handler(logical_id, POWERTOOLS_TRACE_DISABLED="false")

    yield load, emitter

    xray_recorder.configure(emitter=saved_emitter, context=saved_context)
    Tracer._reset_config()
    global_sdk_config.set_sdk_enabled(False)


def test_no_segment_carries_the_prompt_or_a_presigned_url(
    traced: tuple[Callable[[str], Function], RecordingEmitter],
) -> None:
    load, emitter = traced
    submit_event = load_event("api-post-jobs")
    prompt = json.loads(submit_event["body"])["prompt"]

    # Given a job submitted, rendered by the worker and read back with its image URL
    accepted = response_json(load("SubmitFunction").invoke(submit_event))
    job_id = accepted["job_id"]
    worker = load("WorkerFunction")
    assert worker.invoke(event_for_job("sqs-job", job_id)) == {"batchItemFailures": []}
    status = load("StatusFunction").invoke(event_for_job("api-get-job", job_id))
    job = response_json(status)
    assert job["status"] == "succeeded"
    url = job["images"][0]["url"]
    assert "X-Amz-Signature=" in url

    # When we look at every segment the three functions emitted
    handlers = [s for s in emitter.segments if s["name"] == "## handler"]
    recorded = json.dumps(emitter.segments)

    # Then each function was traced (so the check below saw real segments)
    assert len(handlers) == 3
    assert {"dynamodb", "sqs", "s3"} <= {s["name"] for s in emitter.segments}
    # and none holds the prompt, the image's URL or any presigned URL's signature
    assert prompt not in recorded
    assert url not in recorded
    assert "X-Amz-Signature" not in recorded
