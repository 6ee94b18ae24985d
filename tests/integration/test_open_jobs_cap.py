"""The cap on each tenant's open jobs, through the functions: SubmitFunction refuses past it with
a 429, and the Worker and the cancel route give places back (tests/integration/
test_port_contracts.py checks every transition; tests/localstack/test_dynamodb_atomicity.py
checks the cap under 50 concurrent submits)."""

import json

import pytest

from tests.support.events import TENANT, event_for_job, response_json, with_key
from tests.support.functions import Function, LoadHandler
from tests.support.moto_aws import MotoResources

CAP = 2


@pytest.fixture
def submit(load_handler: LoadHandler) -> Function:
    return load_handler("SubmitFunction", MAX_OPEN_JOBS_PER_TENANT=str(CAP))


@pytest.mark.parametrize(
    "fixture", ["api-post-jobs", "api-post-generate", "api-post-generate-image"]
)
def test_a_submit_past_the_cap_is_a_429_with_retry_after_and_records_nothing(
    submit: Function, resources: MotoResources, fixture: str
) -> None:
    # Given a tenant with as many open jobs as the cap allows
    for _ in range(CAP):
        assert submit.invoke("api-post-jobs")["statusCode"] == 202

    # When it submits one more, on any route
    response = submit.invoke(fixture)

    # Then it is told to come back later, in the one error body, and nothing more is recorded
    assert response["statusCode"] == 429
    assert int(response["multiValueHeaders"]["Retry-After"][0]) > 0
    body = response_json(response)
    assert body == {"error": "too_many_open_jobs", "message": body["message"], "detail": []}
    assert str(CAP) in body["message"]
    assert len(resources.job_items()) == CAP
    assert len(resources.queued_messages()) == CAP
    assert resources.jobs.open_jobs(TENANT) == CAP


def test_a_replayed_submit_at_the_cap_returns_its_job_and_is_not_counted_again(
    submit: Function, resources: MotoResources
) -> None:
    # Given a tenant that filled its cap, the last job sent with an Idempotency-Key
    submit.invoke("api-post-jobs")
    first = submit.invoke(with_key("api-post-jobs", "order-7"))

    # When the client retries that request
    replay = submit.invoke(with_key("api-post-jobs", "order-7"))

    # Then it gets the same job back, not a 429, and still holds only the cap's places
    assert replay["statusCode"] == first["statusCode"] == 202
    assert response_json(replay)["job_id"] == response_json(first)["job_id"]
    assert resources.jobs.open_jobs(TENANT) == CAP


def test_a_finished_or_canceled_job_makes_room_for_the_next(
    submit: Function, load_handler: LoadHandler, resources: MotoResources
) -> None:
    # Given a tenant at its cap
    job_ids = [response_json(submit.invoke("api-post-jobs"))["job_id"]]
    job_ids.append(response_json(submit.invoke("api-post-jobs"))["job_id"])
    assert submit.invoke("api-post-jobs")["statusCode"] == 429

    # When the worker finishes one job
    worker = load_handler("WorkerFunction")
    outcome = worker.invoke(event_for_job("sqs-job", job_ids[0]))
    assert outcome == {"batchItemFailures": []}

    # Then there is room for exactly one more
    assert submit.invoke("api-post-jobs")["statusCode"] == 202
    assert submit.invoke("api-post-jobs")["statusCode"] == 429

    # And when the tenant cancels a queued one, there is room again
    cancel = event_for_job("api-post-cancel", job_ids[1])
    assert json.loads(submit.invoke(cancel)["body"])["status"] == "canceled"
    assert submit.invoke("api-post-jobs")["statusCode"] == 202
    assert resources.jobs.open_jobs(TENANT) == CAP
