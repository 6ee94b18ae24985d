"""`Prefer: wait=N` on `POST /jobs` and `GET /jobs/{job_id}`: the real handlers on moto."""

from __future__ import annotations

import threading
import time

import pytest

from imagejobs.models.domain import GeneratedImage, JobStatus
from imagejobs.models.transitions import START, SUCCEED
from tests.support.events import TENANT, event_for_job, load_event, with_headers
from tests.support.functions import Function
from tests.support.jobs import T0, move, store_job
from tests.support.moto_aws import MotoResources

JOB_ID = "7a3b5c1d-2e4f-4a6b-8c9d-0e1f2a3b4c5d"


def succeed(resources: MotoResources, job_id: str) -> None:
    """What the worker does to a job, through the real repository."""
    jobs = resources.jobs
    move(jobs, job_id, START, T0)
    image = GeneratedImage(key=f"images/{job_id}/0.png", width=64, height=64, format="png", seed=1)
    move(jobs, job_id, SUCCEED, T0, images=(image,))


def test_a_job_that_does_not_end_in_time_answers_202_with_its_location_after_the_wait(
    submit: Function, resources: MotoResources
) -> None:
    # Given no worker runs, so the job stays queued
    event = with_headers(load_event("api-post-jobs"), Prefer="wait=1")

    # When it is submitted with a 1 s wait
    started = time.monotonic()
    code, headers, body = submit.answer(event)

    # Then after waiting the second, the usual 202 with the job as it stands
    assert time.monotonic() - started >= 1
    assert (code, body["status"]) == (202, "queued")
    assert headers["location"] == f"jobs/{body['job_id']}"
    assert headers["preference-applied"] == "wait=1"


def test_an_idempotent_replay_with_wait_answers_the_finished_job_with_its_urls(
    submit: Function, resources: MotoResources
) -> None:
    # Given a job submitted with an Idempotency-Key, which has since succeeded
    first_event = with_headers(load_event("api-post-jobs"), Idempotency_Key="order-7")
    _, _, first = submit.answer(first_event)
    succeed(resources, first["job_id"])

    # When the client retries the same request, now asking to wait
    replay = with_headers(load_event("api-post-jobs"), Idempotency_Key="order-7", Prefer="wait=5")
    code, headers, body = submit.answer(replay)

    # Then it is answered at once with that one job as it is now, finished, with a URL,
    # not with the queued job the idempotency record kept; and nothing was queued again
    assert (code, body["job_id"], body["status"]) == (200, first["job_id"], "succeeded")
    assert body["images"][0]["url"].startswith("https://")
    assert f"images/{first['job_id']}/0.png" in body["images"][0]["url"]
    assert headers["preference-applied"] == "wait=5"
    assert "location" not in headers
    assert len(resources.queued_messages()) == 1


@pytest.mark.parametrize("prefer", ["wait=0", "wait=26", "wait=abc", "wait=2.5", "wait="])
def test_a_wait_out_of_range_is_a_400_naming_the_header_and_makes_no_job(
    submit: Function, resources: MotoResources, prefer: str
) -> None:
    event = with_headers(load_event("api-post-jobs"), Prefer=prefer)
    code, _, body = submit.answer(event)
    assert (code, body["error"], body["detail"][0]["field"]) == (400, "validation_error", "Prefer")
    assert "1 to 25" in body["message"]
    assert resources.queued_messages() == []


def test_other_preferences_are_ignored_and_wait_is_found_among_them(
    submit: Function, resources: MotoResources
) -> None:
    # Given a Prefer header with another preference beside the wait, and one with none
    among = with_headers(load_event("api-post-jobs"), Prefer="respond-async, wait=1")
    other = with_headers(load_event("api-post-jobs"), Prefer="return=minimal")

    # Then the first waits, the second is a plain submit
    assert submit.answer(among)[1]["preference-applied"] == "wait=1"
    code, headers, _ = submit.answer(other)
    assert (code, "preference-applied" in headers) == (202, False)


def test_a_long_poll_answers_as_soon_as_the_job_ends(
    status: Function, resources: MotoResources
) -> None:
    # Given a queued job that a worker finishes 0.3 s from now
    store_job(resources.jobs, JOB_ID, TENANT)
    worker = threading.Timer(0.3, succeed, args=(resources, JOB_ID))
    worker.start()

    # When the caller long-polls it for up to 20 s
    event = with_headers(event_for_job("api-get-job", JOB_ID), Prefer="wait=20")
    started = time.monotonic()
    code, headers, body = status.answer(event)
    worker.join()

    # Then the answer comes right after the job ended, with its URL, not after 20 s
    assert time.monotonic() - started < 10
    assert (code, body["status"], len(body["images"])) == (200, "succeeded", 1)
    assert headers["preference-applied"] == "wait=20"


def test_a_long_poll_answers_the_current_state_after_the_wait(
    status: Function, resources: MotoResources
) -> None:
    store_job(resources.jobs, JOB_ID, TENANT, JobStatus.RUNNING)
    event = with_headers(event_for_job("api-get-job", JOB_ID), Prefer="wait=1")
    started = time.monotonic()
    code, _, body = status.answer(event)
    assert time.monotonic() - started >= 1
    assert (code, body["status"]) == (200, "running")


def test_a_wait_never_outlasts_the_invocation(status: Function, resources: MotoResources) -> None:
    # Given an invocation with 2.5 s left, 2 s of which are the function's reserve
    store_job(resources.jobs, JOB_ID, TENANT)
    short_of_time = status.with_time_left(2_500)

    # When the caller asks to wait 20 s
    event = with_headers(event_for_job("api-get-job", JOB_ID), Prefer="wait=20")
    started = time.monotonic()
    code, _, body = short_of_time.answer(event)

    # Then it answered within the time left, with the job as it stands
    assert time.monotonic() - started < 2.5
    assert (code, body["status"]) == (200, "queued")


def test_a_long_poll_of_another_tenants_job_is_not_found_at_once(
    status: Function, resources: MotoResources
) -> None:
    store_job(resources.jobs, JOB_ID, "someone-else")
    event = with_headers(event_for_job("api-get-job", JOB_ID), Prefer="wait=20")
    started = time.monotonic()
    code, _, body = status.answer(event)
    assert (code, body["error"]) == (404, "not_found")
    assert time.monotonic() - started < 2


def test_get_without_prefer_is_unchanged(status: Function, resources: MotoResources) -> None:
    store_job(resources.jobs, JOB_ID, TENANT)
    code, headers, body = status.answer(event_for_job("api-get-job", JOB_ID))
    assert (code, body["status"], "preference-applied" in headers) == (200, "queued", False)
