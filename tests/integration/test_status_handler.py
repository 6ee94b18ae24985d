"""StatusFunction, replaying events/ fixtures against jobs stored through the real repository."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from imagejobs.models.domain import GeneratedImage, JobError, JobStatus
from tests.support.events import FIXTURE_JOB_ID, TENANT
from tests.support.functions import Function
from tests.support.jobs import resolved_parameters, store_job
from tests.support.moto_aws import MotoResources

CREATED = datetime(2026, 11, 23, 8, 0, 0, 123000, tzinfo=UTC)


# The job every test here stores (with changes of its own), and the fixtures name.
LIGHTHOUSE = {
    "created_at": CREATED,
    "prompt": "a lighthouse",
    "width": 256,
    "height": 192,
    "seed": 42,
}
EXPIRES = {"expires_at": CREATED.replace(microsecond=0) + timedelta(days=7)}


SUCCEEDED = {
    "images": (
        GeneratedImage(
            key=f"images/{FIXTURE_JOB_ID}/0.png", width=256, height=192, image_format="png", seed=42
        ),
    ),
    "started_at": CREATED + timedelta(seconds=1),
    "finished_at": CREATED + timedelta(seconds=2),
}
FAILED = {"error": JobError(type="render_failed", message="width: too large for the renderer")}


def test_a_queued_job_is_shown_with_its_parameters_and_no_images(
    status: Function, resources: MotoResources
) -> None:
    # Given a queued job
    store_job(
        resources.jobs, FIXTURE_JOB_ID, TENANT, JobStatus.QUEUED, changes=EXPIRES, **LIGHTHOUSE
    )

    # When it is read
    code, body = status.call("api-get-job")

    # Then it is shown whole, its metrics running to now: queued all along, never run
    assert code == 200
    metrics = body.pop("metrics")
    assert metrics["queued_seconds"] == metrics["total_seconds"] > 0
    assert (metrics["running_seconds"], metrics["attempts"], metrics["throttled_waits"]) == (
        None,
        0,
        0,
    )
    assert body == {
        "job_id": FIXTURE_JOB_ID,
        "status": "queued",
        "parameters": resolved_parameters(prompt="a lighthouse").model_dump(mode="json"),
        "engine": "pillow",
        "created_at": "2026-11-23T08:00:00.123000Z",
        "updated_at": "2026-11-23T08:00:00.123000Z",
        "started_at": None,
        "finished_at": None,
        "expires_at": "2026-11-30T08:00:00Z",
        "images": [],
        "error": None,
        "cancel_requested": False,
        "ignored_parameters": [],
        "webhook": None,
        "webhook_events_filter": None,
        "webhook_deliveries": [],
        "deadline_at": None,
        "cost_usd": None,
        # Alone in the queue, and nothing started lately: at the head, starting now
        "queue_position": 0,
        "estimated_start_at": body["estimated_start_at"],
    }
    assert body["estimated_start_at"] is not None


def test_a_succeeded_job_lists_presigned_urls_for_its_images(
    status: Function, resources: MotoResources
) -> None:
    # Given a job that succeeded with one image
    store_job(
        resources.jobs,
        FIXTURE_JOB_ID,
        TENANT,
        JobStatus.SUCCEEDED,
        changes=EXPIRES | SUCCEEDED,
        **LIGHTHOUSE,
    )

    # When it is read
    code, body = status.call("api-get-job")

    # Then its image comes with a URL signed for that object, expiring as configured
    assert code == 200
    assert isinstance(body, dict)
    [image] = body["images"]
    assert (image["width"], image["height"], image["format"], image["seed"]) == (
        256,
        192,
        "png",
        42,
    )
    url = urlparse(image["url"])
    assert url.path.endswith(f"/images/{FIXTURE_JOB_ID}/0.png")
    query = parse_qs(url.query)
    assert query["X-Amz-Expires"] == ["3600"]
    assert "X-Amz-Signature" in query


ReadStored = Callable[[JobStatus, dict[str, object], str], dict[str, Any]]


@pytest.fixture
def read_stored(status: Function, resources: MotoResources) -> ReadStored:
    """Stores the job in a state, with changes, and reads it with a fixture: a 200's body."""

    def read(job_status: JobStatus, changes: dict[str, object], event_name: str) -> dict[str, Any]:
        store_job(
            resources.jobs,
            FIXTURE_JOB_ID,
            TENANT,
            job_status,
            changes=EXPIRES | changes,
            **LIGHTHOUSE,
        )
        code, body = status.call(event_name)
        assert code == 200
        assert isinstance(body, dict)
        return body

    return read


@pytest.mark.parametrize(
    ("job_status", "changes", "expected"),
    [
        (JobStatus.QUEUED, {}, ("pending", False, None)),
        (JobStatus.RUNNING, {}, ("pending", False, None)),
        (JobStatus.SUCCEEDED, SUCCEEDED, ("completed", True, None)),
        (JobStatus.FAILED, FAILED, ("failed", False, "width: too large for the renderer")),
    ],
)
def test_drop_in_status_has_the_old_shape(
    read_stored: ReadStored,
    job_status: JobStatus,
    changes: dict[str, object],
    expected: tuple[str, bool, str | None],
) -> None:
    # Given a job in some state
    # When the old `GET /status/{job_id}` is called
    body = read_stored(job_status, changes, "api-get-status")

    # Then the body has exactly the old keys and words, with the image URL as the result
    assert list(body) == ["job_id", "status", "result", "error"]
    word, has_result, error = expected
    assert (body["job_id"], body["status"], body["error"]) == (FIXTURE_JOB_ID, word, error)
    assert (body["result"] is not None) == has_result
    if has_result:
        assert "X-Amz-Signature" in body["result"]


@pytest.mark.parametrize(
    ("job_status", "changes", "expected_keys", "word"),
    [
        (JobStatus.QUEUED, {}, ["status"], "processing"),
        (JobStatus.RUNNING, {}, ["status"], "processing"),
        (JobStatus.SUCCEEDED, SUCCEEDED, ["status", "image_path"], "completed"),
        (JobStatus.FAILED, FAILED, ["status", "error"], "failed"),
    ],
)
def test_drop_in_result_has_the_old_shape(
    read_stored: ReadStored,
    job_status: JobStatus,
    changes: dict[str, object],
    expected_keys: list[str],
    word: str,
) -> None:
    # Given a job in some state
    # When the old `GET /result/{job_id}` is called
    body = read_stored(job_status, changes, "api-get-result")

    # Then only the keys that have a value appear
    assert sorted(body) == sorted(expected_keys)
    assert body["status"] == word


@pytest.mark.parametrize(
    ("event_name", "code", "error"),
    [
        ("api-get-job-unknown", 404, "not_found"),
        ("api-get-job-malformed-id", 400, "validation_error"),
    ],
)
def test_unknown_and_malformed_ids_are_4xx(
    status: Function, resources: MotoResources, event_name: str, code: int, error: str
) -> None:
    # Given a stored job, which these requests do not name
    store_job(
        resources.jobs, FIXTURE_JOB_ID, TENANT, JobStatus.QUEUED, changes=EXPIRES, **LIGHTHOUSE
    )

    # When an unknown or malformed id is asked for
    got_code, body = status.call(event_name)

    # Then it is a JSON 4xx
    assert got_code == code
    assert isinstance(body, dict)
    assert body["error"] == error


def test_malformed_id_error_names_the_field(status: Function, resources: MotoResources) -> None:
    # Given no jobs
    # When a malformed id is asked for
    _, body = status.call("api-get-job-malformed-id")

    # Then the error names job_id
    assert isinstance(body, dict)
    assert [d["field"] for d in body["detail"]] == ["job_id"]
