"""SubmitFunction, replaying events/ fixtures against moto resources built from template.yaml."""

import json
from pathlib import Path
from typing import Any

import pytest

from imagejobs.engines.base import MAX_SEED
from tests.support.bad_requests import BAD_SUBMISSIONS
from tests.support.events import event_for_job, load_event, response_json
from tests.support.functions import Function, LoadHandler
from tests.support.jobs import resolved_parameters
from tests.support.moto_aws import MotoResources

UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"


def test_post_jobs_records_queues_and_answers_202(
    submit: Function, resources: MotoResources
) -> None:
    # Given the fixture asking for a 256x192 image with seed 42
    # When it is submitted
    response = submit.invoke("api-post-jobs")

    # Then the answer is 202 with the queued job and where to find it
    assert response["statusCode"] == 202
    body = response_json(response)
    job_id = body["job_id"]
    assert body["status"] == "queued"
    assert body["parameters"] == resolved_parameters().model_dump(mode="json")
    assert body["engine"] == "pillow"
    assert body["images"] == []
    assert body["error"] is None
    assert response["multiValueHeaders"]["Location"] == [f"jobs/{job_id}"]
    # And the job is recorded and queued, once
    item = resources.stored_job(job_id)
    assert item["status"] == {"S": "queued"}
    assert item["seed"] == {"N": "42"}
    assert resources.queued_messages() == [{"job_id": job_id}]


def test_defaults_are_applied_and_a_seed_is_chosen_and_recorded(
    submit: Function, resources: MotoResources
) -> None:
    # Given a request with only a prompt
    # When it is submitted
    body = response_json(submit.invoke("api-post-jobs-minimal"))

    # Then the defaults are 512x512, one PNG, and the chosen seed is stored with the job
    params = body["parameters"]
    assert (params["width"], params["height"], params["num_images"], params["format"]) == (
        512,
        512,
        1,
        "png",
    )
    # (a seed every engine can replay, for every image of the job)
    assert 0 <= params["seed"] <= MAX_SEED
    item = resources.stored_job(body["job_id"])
    assert item["seed"] == {"N": str(params["seed"])}


def test_every_parameter_is_echoed_resolved_and_stored(
    submit: Function, resources: MotoResources
) -> None:
    # Given the fixture asking for three vibrant WebP images at quality 80, guidance 7.5
    # When it is submitted
    body = response_json(submit.invoke("api-post-jobs-styled"))

    # Then every parameter is in the answer as it will be rendered
    assert body["parameters"] == resolved_parameters(
        num_images=3, image_format="webp", quality=80, style="vibrant", guidance=7.5
    ).model_dump(mode="json")
    # And stored with the job (guidance as a DynamoDB number)
    item = resources.stored_job(body["job_id"])
    assert (item["style"], item["quality"], item["guidance"]) == (
        {"S": "vibrant"},
        {"N": "80"},
        {"N": "7.5"},
    )


def test_a_lossy_format_without_quality_gets_the_default_quality(submit: Function) -> None:
    # Given a JPEG request without a quality, using the cfg_scale name for guidance
    event = load_event("api-post-jobs")
    event["body"] = json.dumps({"prompt": "a cat", "format": "jpeg", "cfg_scale": 3})

    # When it is submitted
    body = response_json(submit.invoke(event))

    # Then the quality the encoder will use, and the guidance, are shown
    assert (body["parameters"]["quality"], body["parameters"]["guidance"]) == (90, 3.0)


SD35 = "stability.sd3-5-large-v1:0"
CORE = "stability.stable-image-core-v1:1"
EVERY_MODEL = ",".join(("pillow", SD35, CORE, "stability.stable-image-ultra-v1:1"))
MODEL_LIMITS = [
    # (request body, field named)
    ({"model": SD35, "prompt": "cat", "width": 1000, "height": 700}, "width"),
    ({"model": SD35, "prompt": "cat", "guidance": 5.0}, "guidance"),
    ({"model": SD35, "prompt": "cat", "seed": 0}, "seed"),
    ({"model": CORE, "prompt": "cat", "strength": 0.5}, "strength"),
    ({"model": "amazon.titan-image-generator-v2:0", "prompt": "cat"}, "model"),
    (
        {"model": "pillow", "prompt": "cat", "aspect_ratio": "16:9", "width": 640, "height": 480},
        "aspect_ratio",
    ),
]


@pytest.mark.parametrize(("request_body", "field"), MODEL_LIMITS)
def test_what_a_model_cannot_render_is_refused_at_submit_time(
    load_handler: LoadHandler, resources: MotoResources, request_body: dict[str, Any], field: str
) -> None:
    # Given a deployment offering the built-in renderer and Stability's models
    submit = load_handler("SubmitFunction", MODELS=EVERY_MODEL)
    event = load_event("api-post-jobs")
    event["body"] = json.dumps(request_body)

    # When a request beyond its model's documented limits is submitted
    code, body = submit.call(event)

    # Then it is a 422 naming the field, and nothing is queued
    assert code == 422
    assert [d["field"] for d in body["detail"]] == [field]
    assert resources.queued_messages() == []


def test_a_job_for_a_hosted_model_records_it_and_no_guidance(load_handler: LoadHandler) -> None:
    # Given a deployment whose default is SD3.5 Large, and a request in one of its shapes
    submit = load_handler("SubmitFunction", MODELS=EVERY_MODEL, DEFAULT_MODEL=SD35)
    event = load_event("api-post-jobs")
    event["body"] = json.dumps({"prompt": "a cat", "width": 1920, "height": 1080})

    # When it is submitted
    body = response_json(submit.invoke(event))

    # Then the job names the model, the ratio that size is, and no guidance the model lacks
    parameters = body["parameters"]
    assert (body["engine"], parameters["model"]) == (f"bedrock:{SD35}", SD35)
    assert (parameters["aspect_ratio"], parameters["width"], parameters["height"]) == (
        "16:9",
        None,
        None,
    )
    assert parameters["guidance"] is None
    # And a seed was chosen that the model replays (its seed 0 would be a random one)
    assert 1 <= parameters["seed"] <= MAX_SEED


def test_timestamps_in_the_answer_match_what_is_stored(
    submit: Function, load_handler: LoadHandler
) -> None:
    # Given a submitted job
    accepted = response_json(submit.invoke("api-post-jobs"))

    # When it is read back through the status function
    status = load_handler("StatusFunction")
    event = event_for_job("api-get-job", accepted["job_id"])
    shown = response_json(status.invoke(event))

    # Then both answers show the same job
    for field in ("job_id", "status", "parameters", "created_at", "expires_at"):
        assert shown[field] == accepted[field]


def test_drop_in_generate_answers_with_only_the_job_id(
    submit: Function, resources: MotoResources
) -> None:
    # Given the old `POST /generate {prompt, parameters}` request
    # When it is submitted
    code, body = submit.call("api-post-generate")

    # Then the body is exactly {"job_id": ...} and the parameters reached the job
    assert code == 200
    assert list(body) == ["job_id"]
    item = resources.stored_job(body["job_id"])
    assert (item["width"], item["height"], item["style"]) == (
        {"N": "320"},
        {"N": "240"},
        {"S": "minimalist"},
    )
    assert resources.queued_messages() == [{"job_id": body["job_id"]}]


def test_drop_in_generate_image_answers_with_message_and_job_id(
    submit: Function, resources: MotoResources
) -> None:
    # Given the old `POST /generate-image {prompt}` request
    # When it is submitted
    code, body = submit.call("api-post-generate-image")

    # Then the body has exactly the old keys
    assert code == 200
    assert body == {"message": "Image generation started", "job_id": body["job_id"]}
    assert resources.queued_messages() == [{"job_id": body["job_id"]}]


BAD_REQUESTS = [(name, status, field) for name, status, field in BAD_SUBMISSIONS if field]


@pytest.mark.parametrize(("event_name", "code", "field"), BAD_REQUESTS)
def test_bad_input_is_a_4xx_naming_the_field_and_nothing_is_queued(
    submit: Function, resources: MotoResources, event_name: str, code: int, field: str
) -> None:
    # Given a bad request
    # When it is submitted
    answered, body = submit.call(event_name)

    # Then it is rejected with a JSON error that names the field
    assert answered == code
    assert body["error"] == "validation_error"
    assert field in [detail["field"] for detail in body["detail"]]
    assert field in body["message"]
    # And nothing was recorded or queued
    assert len(resources.job_items()) == 0
    assert resources.queued_messages() == []


def test_a_body_that_is_not_json_is_415(submit: Function, resources: MotoResources) -> None:
    # Given a text/plain body
    # When it is submitted
    code, body = submit.call("api-post-jobs-text-plain")

    # Then it is refused as an unsupported media type
    assert code == 415
    assert body["error"] == "unsupported_media_type"
    assert resources.queued_messages() == []


@pytest.mark.parametrize(
    ("fixture", "field", "value"),
    [
        ("api-post-jobs-prompt-too-long", "prompt", "x" * 2001),
        ("api-post-jobs-wrong-type", "width", "wide"),
        ("api-post-jobs-bad-format", "format", "gif"),
        ("api-post-jobs-bad-style", "style", "cartoon"),
    ],
)
def test_error_bodies_name_the_field_but_never_echo_the_request(
    submit: Function, fixture: str, field: str, value: str
) -> None:
    # Given a request rejected for one field's value
    event = load_event(fixture)
    assert json.loads(event["body"])[field] == value

    # When it is submitted
    response = submit.invoke(event)

    # Then the error names that field
    assert response["statusCode"] == 422
    body = response_json(response)
    assert [detail["field"] for detail in body["detail"]] == [field]
    # And passes on none of what pydantic keeps of the input (input, ctx, url)
    assert [set(detail) for detail in body["detail"]] == [{"loc", "field", "msg", "type"}]
    # And nowhere carries the caller's value back
    assert value[:10] not in response["body"]


def test_a_job_that_cannot_be_queued_is_failed_and_answered_503(
    load_handler: LoadHandler, resources: MotoResources
) -> None:
    # Given a submit function whose queue does not exist
    missing_queue = resources.queue_url.rsplit("/", 1)[0] + "/no-such-queue"
    submit = load_handler("SubmitFunction", JOBS_QUEUE_URL=missing_queue)

    # When a job is submitted
    code, body = submit.call("api-post-jobs")

    # Then the client is told to retry, and the recorded job is failed, not left queued
    assert code == 503
    assert body["error"] == "service_unavailable"
    items = resources.job_items()
    assert [item["status"]["S"] for item in items] == ["failed"]
    assert items[0]["error_type"] == {"S": "enqueue_failed"}
    # And it no longer counts among its tenant's open jobs (stored as `owner`)
    assert resources.jobs.open_jobs(items[0]["owner"]["S"]) == 0


def test_unknown_route_is_a_json_404(submit: Function) -> None:
    # Given an event for a path the function does not serve
    event = load_event("api-post-jobs")
    event["path"] = event["resource"] = "/nowhere"

    # When it arrives
    code, body = submit.call(event)

    # Then it is a JSON 404
    assert code == 404
    assert body["error"] == "not_found"


DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_an_upload_the_tenant_does_not_have_is_a_documented_404_naming_the_image(
    submit: Function, resources: MotoResources
) -> None:
    # Given an edit naming an upload that was never sent (or expired, or is another key's)
    event = load_event("api-post-jobs")
    event["body"] = json.dumps({"task": "upscale", "image": {"upload_id": "up_" + "0" * 32}})

    # When it is submitted
    code, body = submit.call(event)

    # Then it is a 404 naming the image, and nothing was recorded or queued
    assert code == 404
    assert (body["error"], [d["field"] for d in body["detail"]]) == ("not_found", ["image"])
    assert len(resources.job_items()) == 0
    assert resources.queued_messages() == []
    # And the API's document (generated from the routes; `make lint` checks it is current)
    # gives POST /jobs that answer, so that clients built from it know it
    operation = json.loads(DOCUMENT.read_text())["paths"]["/jobs"]["post"]
    assert "404" in operation["responses"]
