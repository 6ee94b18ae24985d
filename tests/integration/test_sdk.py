"""The Python SDK (clients/python) against a local HTTP stand-in: real requests, no AWS.

Retries and their backoff, Idempotency-Keys, the error mapping, waiting, paging, downloads."""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from imagejobs_client import (
    Client,
    Conflict,
    ConnectionFailed,
    Forbidden,
    IdempotencyKeyReused,
    NotFound,
    RateLimited,
    ServerError,
    ServiceUnavailable,
    ValidationError,
    WaitTimeout,
)
from tests.support.api_standin import (
    DROP,
    JOB_ID,
    Scripted,
    StandIn,
    assert_listed_succeeded_two_a_page,
    job_body,
    running_standin,
    two_pages_of_jobs,
)

JOBS = "POST /v1/jobs"
JOB = f"GET /v1/jobs/{JOB_ID}"


@pytest.fixture
def api() -> Iterator[StandIn]:
    with running_standin() as standin:
        yield standin


def client_for(api: StandIn, **options: float) -> Client:
    # Backoff in milliseconds, so the tests measure behaviour, not patience.
    settings = {"backoff_factor": 0.01, "backoff_max": 5.0, **options}
    return Client(api.url, "the-key", **settings)  # type: ignore[arg-type]


def error(status: int, code: str, field: str | None = None, **headers: str) -> Scripted:
    detail = [{"loc": ["body", field], "field": field, "msg": "bad", "type": "value_error"}]
    body = {"error": code, "message": f"{code} happened", "detail": detail if field else []}
    return Scripted(status, body, headers)


# Idempotency keys


def test_every_create_sends_a_fresh_idempotency_key_and_the_options_by_their_api_names(
    api: StandIn,
) -> None:
    # Given an API that accepts jobs
    api.script(JOBS, Scripted(202, job_body()))
    client = client_for(api)

    # When two jobs are created
    client.jobs.create("a cat", width=256, image_format="jpeg", quality=80)
    client.jobs.create("a cat")

    # Then each request has its own UUID key, the API key, and only the options given
    first, second = api.to(JOBS)
    keys = [first.headers["idempotency-key"], second.headers["idempotency-key"]]
    assert len(set(keys)) == 2
    assert all(uuid.UUID(key) for key in keys)
    assert first.headers["x-api-key"] == "the-key"
    assert first.body == {"prompt": "a cat", "width": 256, "format": "jpeg", "quality": 80}
    assert "prefer" not in first.headers


def test_a_given_idempotency_key_is_sent_as_is(api: StandIn) -> None:
    api.script(JOBS, Scripted(202, job_body()))
    client_for(api).jobs.create("a cat", idempotency_key="order-42")
    assert api.to(JOBS)[0].headers["idempotency-key"] == "order-42"


# Deadlines, metrics and cost


@pytest.mark.parametrize(
    ("cancel_after", "header"),
    [("1h30m", "1h30m"), (90, "90s"), (2.5, "3s"), (timedelta(minutes=5), "300s")],
)
def test_cancel_after_is_sent_as_the_cancel_after_header(
    api: StandIn, cancel_after: str | float | timedelta, header: str
) -> None:
    api.script(JOBS, Scripted(202, job_body()))
    client_for(api).jobs.create("a cat", cancel_after=cancel_after)
    [sent] = api.to(JOBS)
    assert sent.headers["cancel-after"] == header
    assert "cancel_after" not in sent.body


def test_a_finished_job_reads_with_its_metrics_and_cost(api: StandIn) -> None:
    # Given a job that succeeded in 4 s, 3 of them in its model, for $0.04 and a platform share
    metrics = {
        "queued_seconds": 1.0,
        "running_seconds": 3.0,
        "model_seconds": 2.5,
        "model_seconds_per_image": [2.5],
        "total_seconds": 4.0,
        "attempts": 1,
        "throttled_waits": 0,
    }
    cost = {"model": 0.04, "platform": 0.0001, "total": 0.0401}
    body = job_body("succeeded") | {"metrics": metrics, "cost_usd": cost}
    api.script(JOB, Scripted(200, body))

    # When it is read
    job = client_for(api).jobs.get(JOB_ID)

    # Then both are typed on the job
    assert job.metrics is not None
    assert (job.metrics.model_seconds, job.metrics.model_seconds_per_image) == (2.5, [2.5])
    assert job.cost_usd is not None
    assert (job.cost_usd.model, job.cost_usd.total) == (0.04, 0.0401)


# Retries


def test_a_503_is_retried_with_the_same_idempotency_key(api: StandIn) -> None:
    # Given an API that cannot queue the first attempt
    api.script(
        JOBS, error(503, "service_unavailable", **{"Retry-After": "0"}), Scripted(202, job_body())
    )

    # When a job is created
    job = client_for(api).jobs.create("a cat")

    # Then the SDK retried once, with the same key, so the API can never make two jobs
    attempts = api.to(JOBS)
    assert job.job_id == JOB_ID
    assert len(attempts) == 2
    assert attempts[0].headers["idempotency-key"] == attempts[1].headers["idempotency-key"]


def test_a_lost_answer_is_retried_with_the_same_idempotency_key(api: StandIn) -> None:
    # Given an API whose first answer is lost (the connection closes with no response)
    api.script(JOBS, DROP, Scripted(202, job_body()))

    # When a job is created
    job = client_for(api).jobs.create("a cat")

    # Then the retry carried the same key: the API answers it with the first job
    first, second = api.to(JOBS)
    assert job.job_id == JOB_ID
    assert first.headers["idempotency-key"] == second.headers["idempotency-key"]


def test_retry_after_is_honoured(api: StandIn) -> None:
    # Given an API that asks the client to wait 1 s
    api.script(
        JOB, error(429, "too_many_requests", **{"Retry-After": "1"}), Scripted(200, job_body())
    )

    # When the job is read
    started = time.monotonic()
    client_for(api).jobs.get(JOB_ID)
    elapsed = time.monotonic() - started

    # Then the retry came after the second asked for, not after the millisecond backoff
    assert len(api.to(JOB)) == 2
    assert elapsed >= 1.0


def test_backoff_grows_between_retries(api: StandIn) -> None:
    # Given an API that answers 503 (no Retry-After) three times
    api.script(JOB, error(503, "x"), error(503, "x"), error(503, "x"), Scripted(200, job_body()))
    client = client_for(api, backoff_factor=0.2)

    # When the job is read
    started = time.monotonic()
    client.jobs.get(JOB_ID)
    elapsed = time.monotonic() - started

    # Then the pauses grew exponentially: at least 0.2 * (0 or 1) + 0.4 + 0.8 - jitter
    assert len(api.to(JOB)) == 4
    assert elapsed >= 0.2 * 2 + 0.2 * 4 - 3 * 0.1


def test_rate_limited_after_the_last_retry_carries_retry_after(api: StandIn) -> None:
    # Given an API that keeps refusing
    api.script(JOB, error(429, "too_many_requests", **{"Retry-After": "0"}))

    # When the job is read with two retries, then it raises RateLimited with the API's words
    with pytest.raises(RateLimited) as raised:
        client_for(api, max_retries=2).jobs.get(JOB_ID)
    assert (raised.value.status, raised.value.retry_after) == (429, 0)
    assert len(api.to(JOB)) == 3


def test_a_503_after_the_last_retry_is_service_unavailable(api: StandIn) -> None:
    api.script(JOB, error(503, "service_unavailable", **{"Retry-After": "0"}))
    with pytest.raises(ServiceUnavailable) as raised:
        client_for(api, max_retries=1).jobs.get(JOB_ID)
    assert raised.value.code == "service_unavailable"


def test_a_retry_after_longer_than_the_cap_is_cut_to_it(api: StandIn) -> None:
    # Given an API that asks for an hour
    api.script(JOB, error(503, "x", **{"Retry-After": "3600"}), Scripted(200, job_body()))

    # When the client's longest pause is 0.3 s
    started = time.monotonic()
    client_for(api, backoff_max=0.3).jobs.get(JOB_ID)

    # Then it waited that, not an hour: every retry is bounded
    assert time.monotonic() - started < 5


def test_other_errors_are_not_retried(api: StandIn) -> None:
    api.script(JOB, error(500, "internal_error"))
    with pytest.raises(ServerError):
        client_for(api).jobs.get(JOB_ID)
    assert len(api.to(JOB)) == 1


def test_an_api_that_cannot_be_reached_is_connection_failed_after_the_retries() -> None:
    # Given a port nothing listens on
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = Client(f"http://127.0.0.1:{port}/", "k", max_retries=2, backoff_factor=0.01)

    # When a job is created, then
    with pytest.raises(ConnectionFailed):
        client.jobs.create("a cat")


# Error mapping


@pytest.mark.parametrize(
    ("answer", "kind", "field"),
    [
        (error(404, "not_found"), NotFound, None),
        (error(403, "forbidden"), Forbidden, None),
        (error(422, "validation_error", "width"), ValidationError, "width"),
        (error(400, "validation_error", "Prefer"), ValidationError, "Prefer"),
        (error(422, "idempotency_key_reused"), IdempotencyKeyReused, None),
        (error(409, "conflict"), Conflict, None),
        (error(500, "internal_error"), ServerError, None),
        (Scripted(502, raw=b"<html>Bad Gateway</html>"), ServerError, None),
    ],
)
def test_errors_are_typed_with_status_code_and_field(
    api: StandIn, answer: Scripted, kind: type[Exception], field: str | None
) -> None:
    api.script(JOBS, answer)
    with pytest.raises(kind) as raised:
        client_for(api, max_retries=0).jobs.create("a cat")
    assert raised.value.status == answer.status  # type: ignore[attr-defined]
    assert raised.value.field == field  # type: ignore[attr-defined]
    expected = answer.body["error"] if answer.body else f"http_{answer.status}"
    assert raised.value.code == expected  # type: ignore[attr-defined]


def test_a_create_retries_while_the_same_key_is_in_progress(api: StandIn) -> None:
    # Given the API still processing the first attempt with this key
    api.script(
        JOBS, error(409, "request_in_progress", **{"Retry-After": "0"}), Scripted(202, job_body())
    )

    # When a job is created, then it gets the job once the first attempt is done
    assert client_for(api).jobs.create("a cat").job_id == JOB_ID
    assert len(api.to(JOBS)) == 2


# Waiting


def test_create_with_wait_asks_the_api_to_wait_and_returns_the_finished_job(api: StandIn) -> None:
    # Given an API that answers a wait with the finished job
    api.script(JOBS, Scripted(200, job_body("succeeded"), {"Preference-Applied": "wait=20"}))

    # When a job is created with wait=20
    job = client_for(api).jobs.create("a red fox", wait=20)

    # Then the request said so, and the job is finished
    assert api.to(JOBS)[0].headers["prefer"] == "wait=20"
    assert (job.status, job.is_terminal) == ("succeeded", True)


def test_create_with_a_wait_past_25_s_long_polls_for_the_rest(api: StandIn) -> None:
    # Given an API that waited its longest (25 s) and answered 202, and then finishes the job
    api.script(JOBS, Scripted(202, job_body(), {"Preference-Applied": "wait=25"}))
    api.script(JOB, Scripted(200, job_body("succeeded"), {"Preference-Applied": "wait=25"}))

    # When a job is created with wait=60
    job = client_for(api).jobs.create("a cat", wait=60)

    # Then the create asked for 25 s, and the SDK long-polled for the rest
    assert api.to(JOBS)[0].headers["prefer"] == "wait=25"
    assert api.to(JOB)[0].headers["prefer"].startswith("wait=")
    assert job.status == "succeeded"


def test_wait_long_polls_until_the_job_ends(api: StandIn) -> None:
    # Given a job that the API reports running twice, then failed
    applied = {"Preference-Applied": "wait=25"}
    api.script(
        JOB,
        Scripted(200, job_body("running"), applied),
        Scripted(200, job_body("running"), applied),
        Scripted(200, job_body("failed"), applied),
    )

    # When the caller waits for it
    job = client_for(api).jobs.wait(JOB_ID, timeout=120)

    # Then three long polls, each asking for at most 25 s, and no pause between them
    assert job.status == "failed"
    assert [r.headers["prefer"] for r in api.to(JOB)] == ["wait=25"] * 3


def test_wait_is_bounded(api: StandIn) -> None:
    # Given a job that never ends, on an API that ignores Prefer (no Preference-Applied)
    api.script(JOB, Scripted(200, job_body("running")))

    # When the caller waits 1.5 s
    started = time.monotonic()
    with pytest.raises(WaitTimeout) as raised:
        client_for(api).jobs.wait(JOB_ID, timeout=1.5)

    # Then it gives up on time, with the job as it stood, having paused between reads
    assert raised.value.job.status == "running"
    assert 1.5 <= time.monotonic() - started < 5
    assert 2 <= len(api.to(JOB)) <= 5


def test_get_with_wait_sends_prefer(api: StandIn) -> None:
    api.script(JOB, Scripted(200, job_body("succeeded"), {"Preference-Applied": "wait=5"}))
    assert client_for(api).jobs.get(JOB_ID, wait=5).status == "succeeded"
    assert api.to(JOB)[0].headers["prefer"] == "wait=5"


def test_a_long_poll_may_outlast_the_clients_timeout_but_a_plain_read_may_not(
    api: StandIn,
) -> None:
    # Given an API that takes 1.5 s to answer, and a client whose timeout is 0.5 s
    slow = {"Preference-Applied": "wait=1"}
    api.script(JOB, Scripted(200, job_body("succeeded"), slow, delay=1.5))
    client = client_for(api, timeout=0.5, max_retries=0)

    # Then a long poll gets its answer (its read timeout is the wait plus a margin)
    assert client.jobs.get(JOB_ID, wait=1).status == "succeeded"
    # And a plain read is bounded by the client's timeout
    with pytest.raises(ConnectionFailed):
        client.jobs.get(JOB_ID)


# Listing, cancel, download


def test_list_iterates_across_pages_with_the_cursor(api: StandIn) -> None:
    # Given two pages of jobs
    ids = two_pages_of_jobs(api)

    # When the caller lists their succeeded jobs
    listed = [job.job_id for job in client_for(api).jobs.list(status="succeeded", page_size=2)]

    # Then every job of both pages, in order, the second page asked for with the cursor
    assert listed == ids
    assert_listed_succeeded_two_a_page(api)


def test_a_retried_cancel_that_finds_the_job_canceled_returns_it(api: StandIn) -> None:
    # Given a cancel whose first answer was lost, so the retry finds the job already canceled
    api.script(f"POST /v1/jobs/{JOB_ID}/cancel", DROP, error(409, "conflict"))
    api.script(JOB, Scripted(200, job_body("canceled")))

    # When the caller cancels, then it gets the canceled job, not an error
    assert client_for(api).jobs.cancel(JOB_ID).status == "canceled"


def test_cancel_of_a_finished_job_is_a_conflict(api: StandIn) -> None:
    api.script(f"POST /v1/jobs/{JOB_ID}/cancel", error(409, "conflict"))
    api.script(JOB, Scripted(200, job_body("succeeded")))
    with pytest.raises(Conflict):
        client_for(api).jobs.cancel(JOB_ID)


def test_download_saves_the_image_and_never_sends_the_api_key(api: StandIn, tmp_path: Path) -> None:
    # Given a succeeded job whose image is served by the stand-in
    image_url = api.url + "images/0.png"
    api.script("GET /v1/images/0.png", Scripted(200, raw=b"\x89PNG fake"))
    api.script(JOB, Scripted(200, job_body("succeeded", image_url=image_url)))

    # When the caller downloads the first image
    saved = client_for(api).jobs.get(JOB_ID).images[0].download(tmp_path / "fox.png")

    # Then the bytes are saved, and the key stayed with the API
    assert saved.read_bytes() == b"\x89PNG fake"
    assert "x-api-key" not in api.to("GET /v1/images/0.png")[0].headers
