"""The deployed service over real HTTP: API Gateway → Lambda → DynamoDB + SQS → worker → S3."""

from __future__ import annotations

import base64
import io
import json
import ssl
import urllib.parse
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from PIL import Image

from imagejobs.dal.jobs_table import DynamoJobRepository
from imagejobs.models.domain import TERMINAL_STATUSES
from imagejobs_dev.stack_info import StackInfo
from tests.support.bad_requests import (
    BAD_READS,
    BAD_SUBMISSIONS,
    ODD_BUT_VALID_SUBMISSIONS,
    UNREADABLE_BODIES,
)
from tests.support.http import HttpResponse, call, poll
from tests.support.jobs import NO_CAP, make_job

EVENTS = Path(__file__).resolve().parents[2] / "events"
# Cold starts on a loaded 2-core machine dominate; a warm job takes well under a second.
JOB_TIMEOUT = 90


def url(deployed: StackInfo, path: str) -> str:
    return deployed.api_url + path.lstrip("/")


def api(
    deployed: StackInfo,
    method: str,
    path: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
    **kwargs: Any,
) -> HttpResponse:
    """A call to the deployed API with the stack's first API key."""
    sent = {**(headers or {}), "x-api-key": deployed.api_key}
    return call(method, url(deployed, path), body, headers=sent, **kwargs)


def finished_job(deployed: StackInfo, job_id: str) -> dict[str, Any]:
    response = poll(
        lambda: api(deployed, "GET", f"jobs/{job_id}"),
        lambda r: r.status == 200 and r.json()["status"] in TERMINAL_STATUSES,
        JOB_TIMEOUT,
        f"job {job_id} to finish",
    )
    return response.json()  # type: ignore[no-any-return]


def test_a_job_submitted_over_http_ends_with_a_downloadable_image(
    deployed: StackInfo, aws: Any
) -> None:
    # Given a job for a 320x200 PNG
    request = {"prompt": "a red sunset over a calm ocean", "width": 320, "height": 200}

    # When it is submitted and polled until it finishes
    accepted = api(deployed, "POST", "jobs", request)
    assert accepted.status == 202, accepted.body
    job_id = accepted.json()["job_id"]
    assert accepted.json()["status"] == "queued"
    assert accepted.headers["Location"].endswith(f"jobs/{job_id}")
    job = finished_job(deployed, job_id)

    # Then it succeeded with one image of exactly that size behind a presigned URL
    assert job["status"] == "succeeded", job["error"]
    assert job["error"] is None
    [image] = job["images"]
    assert (image["width"], image["height"], image["format"]) == (320, 200, "png")
    download = call("GET", image["url"], content_type=None)
    assert download.status == 200
    decoded = Image.open(io.BytesIO(download.body))
    assert (decoded.format, decoded.size) == ("PNG", (320, 200))
    # And the object sits at its deterministic key with the right content type
    head = aws("s3").head_object(Bucket=deployed.bucket, Key=f"images/{job_id}/0.png")
    assert head["ContentType"] == "image/png"


def test_several_styled_webp_images_have_consecutive_seeds_and_replay_byte_for_byte(
    deployed: StackInfo,
) -> None:
    # Given three vibrant WebP images from seed 42, submitted twice as two jobs
    request = {
        "prompt": "a lighthouse on a cliff at sunset",
        "width": 320,
        "height": 240,
        "num_images": 3,
        "format": "webp",
        "style": "vibrant",
        "seed": 42,
    }
    job_ids = [api(deployed, "POST", "jobs", request).json()["job_id"] for _ in range(2)]

    # When both finish and their images are downloaded
    jobs = [finished_job(deployed, job_id) for job_id in job_ids]
    assert [job["status"] for job in jobs] == ["succeeded", "succeeded"], jobs
    downloads = [
        [call("GET", image["url"], content_type=None).body for image in job["images"]]
        for job in jobs
    ]

    # Then each job has three WebP images with seeds 42, 43 and 44, and says how it rendered
    for job, files in zip(jobs, downloads, strict=True):
        assert [image["seed"] for image in job["images"]] == [42, 43, 44]
        assert {image["format"] for image in job["images"]} == {"webp"}
        assert [Image.open(io.BytesIO(data)).format for data in files] == ["WEBP"] * 3
        assert job["parameters"]["style"] == "vibrant"
        assert job["parameters"]["quality"] == 90
        assert job["engine"] == "pillow"
    # And the three images differ from each other
    assert len(set(downloads[0])) == 3
    # And the second job's files are byte-identical to the first's
    assert downloads[1] == downloads[0]


def test_an_image_url_with_a_tampered_signature_is_refused(deployed: StackInfo) -> None:
    # Given a finished job's presigned image URL
    accepted = api(deployed, "POST", "jobs", {"prompt": "a small blue boat", "width": 64})
    job = finished_job(deployed, accepted.json()["job_id"])
    image_url = job["images"][0]["url"]
    signature = parse_qs(urlparse(image_url).query)["X-Amz-Signature"][0]
    tampered = image_url.replace(signature, signature[::-1])

    # When the genuine and the tampered URL are fetched
    genuine = call("GET", image_url, content_type=None)
    refused = call("GET", tampered, content_type=None)

    # Then only the URL the API signed works
    assert genuine.status == 200
    assert refused.status == 403


def test_drop_in_generate_and_status_routes_keep_their_shapes(deployed: StackInfo) -> None:
    # Given a client of the first system this grew from
    body = {"prompt": "snowy mountains", "parameters": {"width": 128, "height": 96}}

    # When it submits and polls the old routes
    accepted = api(deployed, "POST", "generate", body)
    job_id = accepted.json()["job_id"]
    done = poll(
        lambda: api(deployed, "GET", f"status/{job_id}").json(),
        lambda b: b["status"] != "pending",
        JOB_TIMEOUT,
        "the drop-in status to leave pending",
    )

    # Then each answer has exactly the old keys, and the result is the image's URL
    assert accepted.status == 200
    assert accepted.json() == {"job_id": job_id}
    assert set(done) == {"job_id", "status", "result", "error"}
    assert done["status"] == "completed", done
    assert Image.open(io.BytesIO(call("GET", done["result"], content_type=None).body)).size == (
        128,
        96,
    )


def test_drop_in_generate_image_and_result_routes_keep_their_shapes(deployed: StackInfo) -> None:
    # Given a client of the second system this grew from
    accepted = api(deployed, "POST", "generate-image", {"prompt": "red roses"})
    job_id = accepted.json()["job_id"]

    # When it polls the result route
    seen: list[dict[str, Any]] = []

    def result() -> dict[str, Any]:
        seen.append(api(deployed, "GET", f"result/{job_id}").json())
        return seen[-1]

    done = poll(result, lambda b: b["status"] != "processing", JOB_TIMEOUT, "the result")

    # Then the answers are the old ones: processing, then completed with an image path
    assert accepted.json() == {"message": "Image generation started", "job_id": job_id}
    assert all(body == {"status": "processing"} for body in seen[:-1])
    assert set(done) == {"status", "image_path"}
    assert done["status"] == "completed"
    assert call("GET", done["image_path"], content_type=None).status == 200


def _fixture_request(name: str) -> tuple[str, str, bytes | None, dict[str, str]]:
    """The HTTP request an events/ fixture stands for: method, path, body bytes, headers."""
    event = json.loads((EVENTS / f"{name}.json").read_text())
    headers = {k: v for k, v in (event.get("headers") or {}).items() if k not in ("Host",)}
    query = urllib.parse.urlencode(event.get("queryStringParameters") or {})
    path = event["path"] + (f"?{query}" if query else "")
    body = event["body"]
    if body and event.get("isBase64Encoded"):
        data: bytes | None = base64.b64decode(body)
    else:
        # Undecodable bytes are kept in the fixture as surrogate escapes.
        data = body.encode("utf-8", errors="surrogateescape") if body else None
    return event["httpMethod"], path, data, headers


# The same fixtures the unit tests replay into the handlers, now sent over real HTTP.
BAD_REQUESTS = BAD_SUBMISSIONS + BAD_READS


@pytest.mark.parametrize(("fixture", "status", "field"), BAD_REQUESTS)
def test_bad_input_over_http_is_a_4xx_json_error_naming_the_field(
    deployed: StackInfo, fixture: str, status: int, field: str | None
) -> None:
    # Given a bad request from events/
    method, path, body, headers = _fixture_request(fixture)

    # When it is sent to the deployed API
    response = api(deployed, method, path, body, content_type=None, headers=headers)

    # Then it is the same 4xx JSON error the handler gives, naming the field
    assert response.status == status, response.body
    error = response.json()
    assert error["error"]
    assert error["message"]
    if field is not None:
        assert field in [detail["field"] for detail in error["detail"]]


@pytest.mark.parametrize(("fixture", "status", "error"), UNREADABLE_BODIES)
def test_an_unreadable_body_over_http_is_refused_with_its_error(
    deployed: StackInfo, fixture: str, status: int, error: str
) -> None:
    # Given a request from events/ whose body no route can read, sent byte for byte
    method, path, body, headers = _fixture_request(fixture)

    # When it reaches the deployed API
    response = api(deployed, method, path, body, content_type=None, headers=headers)

    # Then it gets the gate's JSON error, as the handler gives it
    assert response.status == status, response.body
    assert response.json()["error"] == error


@pytest.mark.parametrize("fixture", ODD_BUT_VALID_SUBMISSIONS)
def test_odd_but_valid_submissions_over_http_are_accepted(
    deployed: StackInfo, fixture: str
) -> None:
    # Given a valid request in an unusual but valid form (escaped emoji, upper-case media type)
    method, path, body, headers = _fixture_request(fixture)

    # When it is sent, then it is accepted
    response = api(deployed, method, path, body, content_type=None, headers=headers)
    assert response.status == 202, response.body


@pytest.mark.parametrize("route", ["jobs", "status", "result"])
def test_an_unknown_job_is_404_on_every_read_route(deployed: StackInfo, route: str) -> None:
    # Given an id no job has
    job_id = str(uuid.uuid4())

    # When any read route asks for it
    response = api(deployed, "GET", f"{route}/{job_id}")

    # Then it is a JSON 404
    assert response.status == 404
    assert response.json()["error"] == "not_found"


def test_a_render_that_cannot_succeed_ends_failed_with_its_reason(
    deployed: StackInfo, aws: Any
) -> None:
    # Given a job the API would never accept (larger than the renderer can draw), written
    # straight to the table and queued, as a stand-in for an engine refusing a request
    now = datetime.now(UTC)
    job_id = str(uuid.uuid4())
    job = make_job(job_id, deployed.api_key_id, created_at=now, width=5000)
    DynamoJobRepository(deployed.table, aws("dynamodb")).create(job, open_limit=NO_CAP)

    # When its message goes through the real queue to the worker
    aws("sqs").send_message(QueueUrl=deployed.queue_url, MessageBody=json.dumps({"job_id": job_id}))
    job = finished_job(deployed, job_id)

    # Then the job is failed, not stuck, and says why
    assert job["status"] == "failed"
    assert job["error"]["type"] == "render_failed"
    assert job["images"] == []


def test_the_api_answers_over_https_with_its_certificate_trusted(deployed: StackInfo) -> None:
    # Given LocalStack's own certificate as the only trusted authority
    if deployed.https_api_url is None or deployed.ca_bundle is None:
        pytest.skip("this LocalStack publishes no certificate (started elsewhere)")
    context = ssl.create_default_context(cafile=deployed.ca_bundle)

    # When a job is submitted and read back over HTTPS, with verification on
    key = {"x-api-key": deployed.api_key}
    accepted = call(
        "POST",
        deployed.https_api_url + "jobs",
        {"prompt": "a green field"},
        context=context,
        headers=key,
    )
    job_id = accepted.json()["job_id"]
    shown = call("GET", f"{deployed.https_api_url}jobs/{job_id}", context=context, headers=key)

    # Then both answer as over HTTP
    assert accepted.status == 202
    assert shown.status == 200
    assert shown.json()["job_id"] == job_id


def test_a_retried_submit_with_the_same_idempotency_key_is_the_same_job(
    deployed: StackInfo,
) -> None:
    # Given a client that sends a job with an Idempotency-Key
    key = {"x-api-key": deployed.api_key, "Idempotency-Key": f"retry-{uuid.uuid4()}"}
    body = {"prompt": "a paper boat", "width": 64}

    # When it sends it again (say its connection dropped), and then reuses the key elsewhere
    first = call("POST", url(deployed, "jobs"), body, headers=key)
    again = call("POST", url(deployed, "jobs"), body, headers=key)
    other = call("POST", url(deployed, "jobs"), {"prompt": "a stone boat"}, headers=key)

    # Then the retry is answered with the first job, and the reuse is refused
    assert first.status == 202
    assert again.status == 202
    assert again.json()["job_id"] == first.json()["job_id"]
    assert other.status == 422
    assert other.json()["error"] == "idempotency_key_reused"
