"""Stability AI's models through the whole local chain: API Gateway, submit, SQS, the worker's
Bedrock engine with a real boto3 client, S3, and the deployed sweeper, with Bedrock answered by
the project's stand-in (`make up` starts it and points the functions at it; it checks every
body against the model's AWS page and answers as Bedrock does).

Each test tells the stand-in what Bedrock should do (filter, fail once, go Legacy or past its
end of life) and puts it back afterwards; a lifecycle it changed is read again by the sweeper,
so the next test finds every model as it was. The throttled burst is test_bedrock_quota.py.
"""

from __future__ import annotations

import base64
import io
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PIL import Image
from standardwebhooks import Webhook

from imagejobs_dev.stack_info import StackInfo
from tests.e2e.test_api import api, finished_job
from tests.e2e.test_sweeper import worker_paused
from tests.support.http import call, poll
from tests.support.local_bedrock import LocalBedrock, run_sweeper
from tests.support.webhook_receiver import Receiver, webhook_receiver

SD35 = "stability.sd3-5-large-v1:0"
CORE = "stability.stable-image-core-v1:1"
ULTRA = "stability.stable-image-ultra-v1:1"
# Three ratios per model, each of the nine the models take once.
RATIOS = {
    SD35: ("1:1", "21:9", "2:3"),
    CORE: ("16:9", "4:5", "9:21"),
    ULTRA: ("9:16", "3:2", "5:4"),
}


@pytest.fixture
def bedrock(deployed: StackInfo) -> Iterator[LocalBedrock]:
    """The stack's stand-in, as it starts; put back so after the test, lifecycles included."""
    found = LocalBedrock.of(deployed)
    if found is None:
        pytest.skip("the stack's functions reach no Bedrock stand-in (not our LocalStack)")
    found.reset()
    yield found
    found.reset()


@pytest.fixture
def lifecycles_restored(deployed: StackInfo, bedrock: LocalBedrock) -> Iterator[None]:
    """For a test that retires a model: the stand-in reset and the sweeper run again after it,
    so the deployment records every model Active again."""
    yield
    bedrock.reset()
    report = run_sweeper(deployed)
    assert (report["legacy_models"], report["unavailable_models"]) == (0, 0), report


def submit(deployed: StackInfo, **fields: Any) -> str:
    response = api(deployed, "POST", "jobs", {"prompt": "a lighthouse at dusk", **fields})
    assert response.status == 202, response.body
    return str(response.json()["job_id"])


def models(deployed: StackInfo) -> dict[str, dict[str, Any]]:
    response = api(deployed, "GET", "models")
    assert response.status == 200, response.body
    return {model["id"]: model for model in response.json()["models"]}


def close_to(shape: float, ratio: str) -> bool:
    """Whether a picture's shape is the ratio's, as near as whole pixel counts allow (the models
    draw about one megapixel in sides of 64-pixel steps: 21:9 is 1536x640)."""
    across, down = map(int, ratio.split(":"))
    return abs(shape / (across / down) - 1) < 0.05


def downloaded(url: str) -> Image.Image:
    response = call("GET", url, None, content_type=None)
    assert response.status == 200
    picture = Image.open(io.BytesIO(response.body))
    picture.load()
    return picture


def test_each_stability_model_draws_text_to_image_in_the_ratios_asked(
    deployed: StackInfo, bedrock: LocalBedrock
) -> None:
    # Given a job per model and aspect ratio, all submitted at once
    asked = {
        submit(deployed, model=model, aspect_ratio=ratio, seed=n + 1): (model, ratio)
        for n, (model, ratio) in enumerate(
            (model, ratio) for model, ratios in RATIOS.items() for ratio in ratios
        )
    }

    # When they have run
    jobs = {job_id: finished_job(deployed, job_id) for job_id in asked}

    # Then each succeeded with its model, one image of the shape it asked for, whose stated
    # size is the size of the picture stored
    for job_id, job in jobs.items():
        model, ratio = asked[job_id]
        assert (job["status"], job["error"]) == ("succeeded", None), job
        assert (job["parameters"]["model"], job["engine"]) == (model, f"bedrock:{model}")
        [image] = job["images"]
        assert close_to(image["width"] / image["height"], ratio), (ratio, image)
    some = next(iter(jobs.values()))["images"][0]
    assert downloaded(some["url"]).size == (some["width"], some["height"])
    # And each was one InvokeModel call through the model's `us.` profile (the stack is in
    # us-east-1), with the ratio in the body the model's page documents, accepted as sent
    calls = bedrock.invocations()
    sent = sorted((c["model_id"], c["body"]["aspect_ratio"], c["status"]) for c in calls)
    assert sent == sorted((f"us.{model}", ratio, 200) for model, ratio in asked.values())


def test_sd35_draws_image_to_image_from_a_data_url(
    deployed: StackInfo, bedrock: LocalBedrock
) -> None:
    # Given a 4:3 picture sent inline as a data URL, for SD3.5 Large to start from
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (30, 120, 200)).save(buffer, format="PNG")
    data_url = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()

    # When the job runs
    job = finished_job(
        deployed,
        submit(deployed, model=SD35, task="image-to-image", image=data_url, strength=0.6),
    )

    # Then it succeeded with an image in the input's shape
    assert job["status"] == "succeeded", job
    [image] = job["images"]
    assert close_to(image["width"] / image["height"], "4:3"), image
    # And SD3.5 was asked for image-to-image with the picture and the strength, no ratio
    [sent] = bedrock.invocations()
    assert sent["status"] == 200
    assert sent["body"]["mode"] == "image-to-image"
    assert sent["body"]["strength"] == 0.6
    assert "aspect_ratio" not in sent["body"]
    assert sent["body"]["image"].startswith("<elided")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with webhook_receiver() as running:
        yield running


def test_a_filtered_prompt_fails_the_job_at_once_and_the_webhook_says_so(
    deployed: StackInfo, bedrock: LocalBedrock, receiver: Receiver
) -> None:
    # Given Core's content filter refusing every prompt, and a job that wants its webhook
    bedrock.configure({"models": {CORE: {"finish_reason": "Filter reason: prompt"}}})
    path = f"/{uuid.uuid4().hex}"
    secret = api(deployed, "GET", "webhooks/secret").json()["secret"]

    # When the job runs
    webhook = receiver.url.rstrip("/") + path
    job = finished_job(deployed, submit(deployed, model=CORE, webhook=webhook))

    # Then it failed content_filtered, saying the prompt was refused, after one call: no retry
    assert job["status"] == "failed"
    assert job["error"]["type"] == "content_filtered"
    assert "prompt" in job["error"]["message"]
    assert [c["finish_reason"] for c in bedrock.invocations()] == ["Filter reason: prompt"]
    # And the webhook carries the same error, signed
    [delivery] = poll(lambda: receiver.for_path(path), lambda r: len(r) >= 1, 60, "the event")
    event = Webhook(secret).verify(delivery.body, delivery.headers)
    assert event["type"] == "job.completed"
    assert event["data"]["error"] == job["error"]


def test_an_inference_error_is_transient_and_the_job_succeeds_on_its_retry(
    deployed: StackInfo, bedrock: LocalBedrock, aws: Callable[[str], Any]
) -> None:
    # Given Ultra finishing its next call with "Inference error", and the one after well
    bedrock.configure({"models": {ULTRA: {"finish_reason": "Inference error", "times": 1}}})

    # When a job runs
    job_id = submit(deployed, model=ULTRA, aspect_ratio="1:1")
    job = finished_job(deployed, job_id)

    # Then it succeeded, on its second attempt, the first having met the inference error
    assert (job["status"], len(job["images"])) == ("succeeded", 1), job
    assert [c["finish_reason"] for c in bedrock.invocations()] == ["Inference error", None]
    item = aws("dynamodb").get_item(TableName=deployed.table, Key={"job_id": {"S": job_id}})
    assert item["Item"]["attempts"]["N"] == "2"


@pytest.mark.usefixtures("lifecycles_restored")
def test_a_legacy_model_is_shown_legacy_with_its_end_of_life_after_the_sweeper_checked(
    deployed: StackInfo, bedrock: LocalBedrock
) -> None:
    # Given Bedrock reporting Ultra Legacy, to end its life on 2027-06-30
    bedrock.configure({"models": {ULTRA: {"lifecycle": "LEGACY", "end_of_life": "2027-06-30"}}})

    # When the sweeper's schedule runs it
    report = run_sweeper(deployed)

    # Then it counted one Legacy model, and GET /models shows Ultra Legacy with that date,
    # the others Active
    assert (report["legacy_models"], report["unavailable_models"]) == (1, 0)
    shown = models(deployed)
    assert shown[ULTRA]["lifecycle"]["status"] == "legacy"
    assert shown[ULTRA]["lifecycle"]["end_of_life"] == "2027-06-30"
    assert shown[ULTRA]["lifecycle"]["checked_at"] is not None
    assert {shown[m]["lifecycle"]["status"] for m in (SD35, CORE)} == {"active"}
    # And a Legacy model still takes jobs until then
    assert api(deployed, "POST", "jobs", {"prompt": "a lighthouse", "model": ULTRA}).status == 202


@pytest.mark.usefixtures("lifecycles_restored")
def test_a_model_past_its_end_of_life_is_refused_at_submit_and_its_queued_jobs_fail(
    deployed: StackInfo, bedrock: LocalBedrock, aws: Callable[[str], Any]
) -> None:
    # Given a job for SD3.5 waiting in the queue (the worker paused) when SD3.5 reaches its
    # end of life, and the sweeper's run that notices
    with worker_paused(deployed, aws):
        queued = submit(deployed, model=SD35, aspect_ratio="1:1")
        bedrock.configure({"models": {SD35: {"lifecycle": "EOL"}}})
        report = run_sweeper(deployed)
        assert report["unavailable_models"] == 1

        # When a job for it is submitted
        refused = api(deployed, "POST", "jobs", {"prompt": "a lighthouse", "model": SD35})

        # Then it is refused at once, 422 model_unavailable naming the field and why, and
        # GET /models says the same
        assert refused.status == 422, refused.body
        body = refused.json()
        assert body["error"] == "model_unavailable"
        assert body["detail"][0]["field"] == "model"
        assert "ResourceNotFoundException" in body["message"]
        assert models(deployed)[SD35]["lifecycle"]["status"] == "unavailable"

    # And the job queued before fails model_unavailable once the worker takes it, with a hint
    job = finished_job(deployed, queued)
    assert job["status"] == "failed"
    assert job["error"]["type"] == "model_unavailable"
    assert "end of its life" in job["error"]["message"]
    assert "GET /models" in job["error"]["message"]
