"""`AsyncClient` beside `Client`, against a local HTTP stand-in for the API: real requests.

The rules both clients share (retries, Retry-After, Idempotency-Keys, typed errors, long polls)
run here against each of them; tests/integration/test_sdk.py covers `Client` in more depth.
Then what only the async client has: many requests on one event loop, async iteration, and
cancellation that closes the request in flight."""

from __future__ import annotations

import asyncio
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from imagejobs_client import (
    AsyncClient,
    Client,
    Conflict,
    ConnectionFailed,
    IdempotencyKeyReused,
    Job,
    NotFound,
    RateLimited,
    ServerError,
    ValidationError,
    WaitTimeout,
)
from tests.support.api_standin import (
    DROP,
    JOB_ID,
    Scripted,
    StandIn,
    api_error,
    assert_listed_succeeded_two_a_page,
    job_body,
    running_standin,
    two_pages_of_jobs,
)

JOBS = "POST /v1/jobs"
JOB = f"GET /v1/jobs/{JOB_ID}"
APPLIED = {"Preference-Applied": "wait=25"}


@pytest.fixture
def api() -> Iterator[StandIn]:
    with running_standin() as standin:
        yield standin


def async_client(api: StandIn, **options: Any) -> AsyncClient:
    # Backoff in milliseconds, so the tests measure behaviour, not patience.
    return AsyncClient(api.url, "the-key", **{"backoff_factor": 0.01, **options})


def call(kind: str, api: StandIn, act: Callable[[Any], Any], **options: Any) -> Any:
    """`act(client)` with a `Client` or, on an event loop of its own, an `AsyncClient`."""
    if kind == "sync":
        with Client(api.url, "the-key", **{"backoff_factor": 0.01, **options}) as client:
            return act(client)

    async def main() -> Any:
        async with async_client(api, **options) as client:
            return await act(client)

    return asyncio.run(main())


def run(coroutine: Callable[[], Awaitable[Any]]) -> Any:
    return asyncio.run(coroutine())  # type: ignore[arg-type]


BOTH = pytest.mark.parametrize("kind", ["sync", "async"])


# The rules both clients follow


@BOTH
def test_a_create_sends_a_key_the_api_key_and_the_options_by_their_api_names(
    kind: str, api: StandIn
) -> None:
    # Given an API that accepts jobs
    api.script(JOBS, Scripted(202, job_body()))

    # When a job is created with some options
    job = call(kind, api, lambda c: c.jobs.create("a cat", width=256, image_format="jpeg"))

    # Then one request, with a UUID Idempotency-Key, the API key and the options as named there
    [sent] = api.to(JOBS)
    assert job.job_id == JOB_ID
    assert uuid.UUID(sent.headers["idempotency-key"])
    assert sent.headers["x-api-key"] == "the-key"
    assert sent.body == {"prompt": "a cat", "width": 256, "format": "jpeg"}


@BOTH
def test_an_unknown_option_is_refused_before_anything_is_sent(kind: str, api: StandIn) -> None:
    with pytest.raises(TypeError, match="colour"):
        call(kind, api, lambda c: c.jobs.create("a cat", colour="red"))
    assert api.received == []


@BOTH
@pytest.mark.parametrize(
    "first", [api_error(503, "service_unavailable"), api_error(429, "too_many_requests"), DROP]
)
def test_a_503_a_429_or_a_lost_answer_is_retried_with_the_same_key(
    kind: str, api: StandIn, first: Scripted | str
) -> None:
    # Given an API whose first answer is a refusal to retry, or lost
    api.script(JOBS, first, Scripted(202, job_body()))

    # When a job is created
    job = call(kind, api, lambda c: c.jobs.create("a cat"))

    # Then the retry carried the same key, so the API can never make two jobs
    attempts = api.to(JOBS)
    assert job.job_id == JOB_ID
    assert len(attempts) == 2
    assert attempts[0].headers["idempotency-key"] == attempts[1].headers["idempotency-key"]


@BOTH
def test_retry_after_is_honoured_and_capped(kind: str, api: StandIn) -> None:
    # Given an API that asks for 1 s, then for an hour
    api.script(
        JOB,
        api_error(429, "too_many_requests", **{"Retry-After": "1"}),
        api_error(503, "service_unavailable", **{"Retry-After": "3600"}),
        Scripted(200, job_body()),
    )

    # When the job is read by a client whose longest pause is 1.5 s
    started = time.monotonic()
    call(kind, api, lambda c: c.jobs.get(JOB_ID), backoff_max=1.5)
    elapsed = time.monotonic() - started

    # Then it waited the second asked for, then its own cap, not an hour
    assert len(api.to(JOB)) == 3
    assert 2.5 <= elapsed < 10


@BOTH
def test_the_last_refusal_is_a_typed_error_with_the_apis_retry_after(
    kind: str, api: StandIn
) -> None:
    api.script(JOB, api_error(429, "too_many_requests", **{"Retry-After": "0"}))
    with pytest.raises(RateLimited) as raised:
        call(kind, api, lambda c: c.jobs.get(JOB_ID), max_retries=2)
    assert (raised.value.status, raised.value.retry_after) == (429, 0)
    assert len(api.to(JOB)) == 3


@BOTH
@pytest.mark.parametrize(
    ("answer", "kind_of_error", "field"),
    [
        (api_error(404, "not_found"), NotFound, None),
        (api_error(422, "validation_error", "width"), ValidationError, "width"),
        (api_error(422, "idempotency_key_reused"), IdempotencyKeyReused, None),
        (api_error(409, "conflict"), Conflict, None),
        (Scripted(502, raw=b"<html>Bad Gateway</html>"), ServerError, None),
    ],
)
def test_other_errors_are_typed_and_not_retried(
    kind: str, api: StandIn, answer: Scripted, kind_of_error: type[Exception], field: str | None
) -> None:
    api.script(JOBS, answer)
    with pytest.raises(kind_of_error) as raised:
        call(kind, api, lambda c: c.jobs.create("a cat"))
    assert raised.value.status == answer.status  # type: ignore[attr-defined]
    assert raised.value.field == field  # type: ignore[attr-defined]
    assert len(api.to(JOBS)) == 1


@BOTH
def test_an_api_that_cannot_be_reached_is_connection_failed_after_the_retries(kind: str) -> None:
    # Given a port nothing listens on
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    nowhere = StandIn(url=f"http://127.0.0.1:{port}/")

    # When a job is created, then
    with pytest.raises(ConnectionFailed):
        call(kind, nowhere, lambda c: c.jobs.create("a cat"), max_retries=2)


@BOTH
def test_a_create_retries_while_the_same_key_is_in_progress(kind: str, api: StandIn) -> None:
    api.script(
        JOBS,
        api_error(409, "request_in_progress", **{"Retry-After": "0"}),
        Scripted(202, job_body()),
    )
    assert call(kind, api, lambda c: c.jobs.create("a cat")).job_id == JOB_ID
    keys = {r.headers["idempotency-key"] for r in api.to(JOBS)}
    assert (len(api.to(JOBS)), len(keys)) == (2, 1)


@BOTH
def test_wait_true_waits_until_the_job_ends(kind: str, api: StandIn) -> None:
    # Given a create the API answers after its longest wait, the job still running
    api.script(JOBS, Scripted(202, job_body("running"), APPLIED))
    api.script(
        JOB, Scripted(200, job_body("running"), APPLIED), Scripted(200, job_body("succeeded"))
    )

    # When the job is created with wait=True
    job = call(kind, api, lambda c: c.jobs.create("a cat", wait=True))

    # Then the create asked for the longest wait, and long polls followed until it ended
    assert api.to(JOBS)[0].headers["prefer"] == "wait=25"
    assert [r.headers["prefer"] for r in api.to(JOB)] == ["wait=25", "wait=25"]
    assert job.status == "succeeded"


@BOTH
def test_wait_is_bounded(kind: str, api: StandIn) -> None:
    # Given a job that never ends, on an API that ignores Prefer (no Preference-Applied)
    api.script(JOB, Scripted(200, job_body("running")))

    # When the caller waits 1.5 s, then it gives up on time, with the job as it stood
    started = time.monotonic()
    with pytest.raises(WaitTimeout) as raised:
        call(kind, api, lambda c: c.jobs.wait(JOB_ID, timeout=1.5))
    assert raised.value.job.status == "running"
    assert 1.5 <= time.monotonic() - started < 5
    assert 2 <= len(api.to(JOB)) <= 5


@BOTH
def test_a_long_poll_may_outlast_the_clients_timeout_but_a_plain_read_may_not(
    kind: str, api: StandIn
) -> None:
    # Given an API that takes 1.5 s to answer, and a client whose timeout is 0.5 s
    api.script(JOB, Scripted(200, job_body("succeeded"), APPLIED, delay=1.5))

    # Then a long poll gets its answer, and a plain read is bounded by the client's timeout
    assert call(kind, api, lambda c: c.jobs.get(JOB_ID, wait=1), timeout=0.5).is_terminal
    with pytest.raises(ConnectionFailed):
        call(kind, api, lambda c: c.jobs.get(JOB_ID), timeout=0.5, max_retries=0)


@BOTH
def test_a_retried_cancel_that_finds_the_job_canceled_returns_it(kind: str, api: StandIn) -> None:
    api.script(f"POST /v1/jobs/{JOB_ID}/cancel", DROP, api_error(409, "conflict"))
    api.script(JOB, Scripted(200, job_body("canceled")))
    assert call(kind, api, lambda c: c.jobs.cancel(JOB_ID)).status == "canceled"


# What only the async client has


def test_list_is_an_async_iterator_across_pages(api: StandIn) -> None:
    # Given two pages of jobs
    ids = two_pages_of_jobs(api)

    # When the caller iterates over their succeeded jobs
    async def listed() -> list[str]:
        async with async_client(api) as client:
            return [job.job_id async for job in client.jobs.list("succeeded", page_size=2)]

    # Then every job of both pages, in order, the second page asked for with the cursor
    assert run(listed) == ids
    assert_listed_succeeded_two_a_page(api)


def test_adownload_saves_the_image_and_never_sends_the_api_key(
    api: StandIn, tmp_path: Path
) -> None:
    # Given a succeeded job whose image is served by the stand-in
    api.script("GET /v1/images/0.png", Scripted(200, raw=b"\x89PNG fake"))
    api.script(JOB, Scripted(200, job_body("succeeded", image_url=api.url + "images/0.png")))

    # When the caller downloads its image, the async way and (by mistake) the blocking way
    async def download() -> tuple[Path, Job]:
        async with async_client(api) as client:
            job = await client.jobs.get(JOB_ID)
            return await job.images[0].adownload(tmp_path), job

    saved, job = run(download)

    # Then the bytes are saved under the seed's name, the key stayed with the API, and the
    # blocking download of an async client's image says what to use instead
    assert saved == tmp_path / "1.png"
    assert saved.read_bytes() == b"\x89PNG fake"
    assert "x-api-key" not in api.to("GET /v1/images/0.png")[0].headers
    with pytest.raises(RuntimeError, match="adownload"):
        job.images[0].download(tmp_path)


def test_many_requests_share_one_event_loop(api: StandIn) -> None:
    # Given an API that takes 1 s over each long poll
    api.script(JOB, Scripted(200, job_body("succeeded"), APPLIED, delay=1.0))

    # When 20 long polls run at once on one event loop
    async def twenty() -> list[Job]:
        async with async_client(api) as client:
            return await asyncio.gather(*(client.jobs.get(JOB_ID, wait=5) for _ in range(20)))

    started = time.monotonic()
    jobs = run(twenty)
    elapsed = time.monotonic() - started

    # Then all finish in about the time of one: none blocked the loop or waited for another
    assert [job.status for job in jobs] == ["succeeded"] * 20
    assert elapsed < 8, f"20 concurrent 1-s long polls took {elapsed:.1f} s"


def test_a_cancelled_wait_closes_its_request_and_leaves_no_connection_open(
    api: StandIn,
) -> None:
    # Given a job the API long-polls for 30 s
    api.script(JOB, Scripted(200, job_body("running"), APPLIED, delay=30))

    async def cancel_a_wait() -> None:
        async with async_client(api) as client:
            # When a task waiting for it is cancelled while its request is in flight
            task = asyncio.create_task(client.jobs.wait(JOB_ID, timeout=120))
            await poll_until(lambda: len(api.to(JOB)) == 1)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

            # Then the API sees the request abandoned and its connection closed, while the
            # client is still open: nothing was left holding a connection
            await poll_until(lambda: api.open_connections == 0 and len(api.abandoned) == 1)

    run(cancel_a_wait)
    assert len(api.to(JOB)) == 1  # and no request followed


async def poll_until(condition: Callable[[], bool], within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "the condition did not hold in time"
        await asyncio.sleep(0.02)
