"""Job ids are UUIDs, which compare case-insensitively: an upper-case id names the same job."""

from __future__ import annotations

import pytest

from tests.support.events import event_for_job, response_json
from tests.support.functions import LoadHandler


@pytest.mark.parametrize("route", ["api-get-job", "api-get-status", "api-get-result"])
def test_an_upper_case_id_reads_the_job(load_handler: LoadHandler, route: str) -> None:
    # Given a submitted job
    submit = load_handler("SubmitFunction")
    job_id = response_json(submit.invoke("api-post-jobs"))["job_id"]
    status = load_handler("StatusFunction")
    lower = status.invoke(event_for_job(route, job_id))

    # When it is read with its id in capitals
    upper = status.invoke(event_for_job(route, job_id.upper()))

    # Then the answer is the one for its lower-case id (but for what runs to now: its metrics
    # and, queued, its estimated start)
    assert upper["statusCode"] == 200
    now = {"metrics": None, "estimated_start_at": None}
    assert {**response_json(upper), **now} == {**response_json(lower), **now}


def test_an_upper_case_id_cancels_the_job(load_handler: LoadHandler) -> None:
    # Given a queued job
    submit = load_handler("SubmitFunction")
    job_id = response_json(submit.invoke("api-post-jobs"))["job_id"]

    # When it is canceled through its id in capitals
    code, body = submit.call(event_for_job("api-post-cancel", job_id.upper()))

    # Then it is that job that is canceled, under its own id
    assert code == 200
    assert body["job_id"] == job_id
    assert body["status"] == "canceled"
