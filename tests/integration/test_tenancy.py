"""Keys and tenants at the handlers: the tenant is the API key id API Gateway vouches for.

Every api-* fixture carries requestContext.identity.apiKeyId "tenant-a-key-id"; the
`...-other-tenant` fixture carries tenant B's, the `...-no-api-key` one none.
"""

import json
from datetime import timedelta
from typing import Any

import pytest

from imagejobs.logic.listing import encode_cursor
from imagejobs.models.domain import JobStatus, PagePosition
from tests.support.events import FIXTURE_JOB_ID, TENANT, event_for_job, load_event
from tests.support.functions import Function
from tests.support.jobs import T0, store_job
from tests.support.moto_aws import MotoResources

OTHER_TENANT = "tenant-b-key-id"


def job_id(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def store_newest_first(resources: MotoResources, count: int) -> None:
    """`count` queued jobs of the tenant's, job_id(0) the newest, a second apart."""
    for n in range(count):
        store_job(
            resources.jobs,
            job_id(n),
            TENANT,
            JobStatus.QUEUED,
            created_at=T0 - timedelta(seconds=n),
        )


def with_identity(event: dict[str, Any], api_key_id: str) -> dict[str, Any]:
    event["requestContext"]["identity"]["apiKeyId"] = api_key_id
    return event


def with_query(event: dict[str, Any], **query: str) -> dict[str, Any]:
    event["queryStringParameters"] = query
    event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()}
    return event


@pytest.mark.parametrize("fixture", ["api-get-job", "api-get-status", "api-get-result"])
def test_another_tenants_job_reads_as_not_found(
    status: Function, resources: MotoResources, fixture: str
) -> None:
    # Given tenant A's job
    store_job(resources.jobs, FIXTURE_JOB_ID, TENANT, JobStatus.SUCCEEDED)

    # When tenant B reads it, and when B reads an id nobody has
    theirs = status.call(with_identity(load_event(fixture), OTHER_TENANT))
    nobody = status.call(with_identity(event_for_job(fixture, job_id(999)), OTHER_TENANT))

    # Then both answers are the same 404
    assert theirs == nobody
    assert theirs[0] == 404


def test_another_tenant_cannot_cancel_a_job(submit: Function, resources: MotoResources) -> None:
    # Given tenant A's queued job
    store_job(resources.jobs, FIXTURE_JOB_ID, TENANT, JobStatus.QUEUED)

    # When tenant B cancels it
    code, _ = submit.call(with_identity(load_event("api-post-cancel"), OTHER_TENANT))

    # Then it is a 404 and the job is still queued
    assert code == 404
    assert resources.stored_status(FIXTURE_JOB_ID) == "queued"


def test_a_request_without_a_caller_identity_is_403(
    status: Function, resources: MotoResources
) -> None:
    # Given a request API Gateway did not attach a key id to
    store_job(resources.jobs, FIXTURE_JOB_ID, TENANT, JobStatus.QUEUED)

    # When it reaches the function
    code, body = status.call("api-get-job-no-api-key")

    # Then it is refused without saying anything about the job
    assert code == 403
    assert body["error"] == "forbidden"


def test_a_submitted_job_belongs_to_its_caller(submit: Function, resources: MotoResources) -> None:
    # Given tenant A's request
    # When it is submitted
    code, body = submit.call("api-post-jobs")

    # Then the stored job names A's key id as its tenant, under the attribute's stored name
    assert code == 202
    item = resources.stored_job(body["job_id"])
    assert item["owner"]["S"] == TENANT


def test_a_body_over_16_kib_is_413_and_nothing_is_queued(
    submit: Function, resources: MotoResources
) -> None:
    # Given a 17 KiB body
    # When it is submitted
    code, body = submit.call("api-post-jobs-body-too-large")

    # Then it is refused before validation, with nothing recorded
    assert code == 413
    assert body["error"] == "request_too_large"
    assert resources.queued_messages() == []


def test_the_list_shows_only_the_callers_jobs_newest_first(
    status: Function, resources: MotoResources
) -> None:
    # Given three jobs of A's and one of B's
    store_newest_first(resources, 3)
    store_job(resources.jobs, job_id(9), OTHER_TENANT, JobStatus.QUEUED)

    # When A lists
    code, body = status.call("api-get-jobs")

    # Then A sees exactly A's, newest first, in one page
    assert code == 200
    assert [job["job_id"] for job in body["jobs"]] == [job_id(0), job_id(1), job_id(2)]
    assert body["next_cursor"] is None


def test_the_list_paginates_with_a_stable_order(status: Function, resources: MotoResources) -> None:
    # Given five of A's jobs
    store_newest_first(resources, 5)

    # When A pages through them two at a time
    seen: list[str] = []
    pages = 0
    cursor = None
    while True:
        query = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        code, body = status.call(with_query(load_event("api-get-jobs"), **query))
        assert code == 200
        seen += [job["job_id"] for job in body["jobs"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break

    # Then every job appears once, newest first, over three pages
    assert seen == [job_id(n) for n in range(5)]
    assert pages == 3


def test_the_list_filters_by_status(status: Function, resources: MotoResources) -> None:
    # Given one succeeded job among queued ones
    store_job(resources.jobs, job_id(0), TENANT, JobStatus.QUEUED)
    store_job(
        resources.jobs, job_id(1), TENANT, JobStatus.SUCCEEDED, created_at=T0 - timedelta(seconds=1)
    )
    store_job(
        resources.jobs, job_id(2), TENANT, JobStatus.QUEUED, created_at=T0 - timedelta(seconds=2)
    )

    # When A lists succeeded jobs
    code, body = status.call("api-get-jobs-succeeded")

    # Then only that one is listed
    assert code == 200
    assert [job["job_id"] for job in body["jobs"]] == [job_id(1)]


@pytest.mark.parametrize(
    ("fixture", "code", "field"),
    [
        ("api-get-jobs-bad-limit", 422, "limit"),
        ("api-get-jobs-bad-status", 422, "status"),
        ("api-get-jobs-bad-cursor", 400, "cursor"),
    ],
)
def test_bad_list_parameters_are_4xx_naming_the_field(
    status: Function, fixture: str, code: int, field: str
) -> None:
    # Given a list request with a bad parameter
    # When it is made
    answered, body = status.call(fixture)

    # Then it is a 4xx naming the parameter
    assert answered == code
    assert field in [detail["field"] for detail in body["detail"]]


def test_a_cursor_issued_to_another_tenant_is_refused(
    status: Function, resources: MotoResources
) -> None:
    # Given B's jobs and a cursor that points into B's list
    for n in range(3):
        store_job(
            resources.jobs,
            job_id(n),
            OTHER_TENANT,
            JobStatus.QUEUED,
            created_at=T0 - timedelta(seconds=n),
        )
    foreign = encode_cursor(PagePosition(tenant=OTHER_TENANT, created_at=T0, job_id=job_id(0)))

    # When A lists with it
    event = with_query(load_event("api-get-jobs"), cursor=foreign)
    code, body = status.call(event)

    # Then it is a 400 that names the cursor, and nothing of B's is shown
    assert code == 400
    assert body["error"] == "validation_error"
    assert [detail["field"] for detail in body["detail"]] == ["cursor"]
    assert "jobs" not in body
    assert OTHER_TENANT not in json.dumps(body)


@pytest.mark.parametrize(
    ("stored", "code", "after"),
    [
        (JobStatus.QUEUED, 200, "canceled"),
        (JobStatus.RUNNING, 200, "running"),
        (JobStatus.SUCCEEDED, 409, "succeeded"),
    ],
)
def test_cancel_depends_on_the_jobs_state(
    submit: Function, resources: MotoResources, stored: JobStatus, code: int, after: str
) -> None:
    # Given one of A's jobs in the given state
    store_job(resources.jobs, FIXTURE_JOB_ID, TENANT, stored)

    # When A cancels it
    answered, body = submit.call("api-post-cancel")

    # Then queued ends at once, running is flagged for its worker, finished is a conflict
    assert answered == code
    assert resources.stored_status(FIXTURE_JOB_ID) == after
    if stored is JobStatus.RUNNING:
        assert body["cancel_requested"] is True


def test_logs_carry_the_job_tenant_and_prompt_length_but_never_the_prompt(
    submit: Function, resources: MotoResources, caplog: pytest.LogCaptureFixture
) -> None:
    # Given a request with a recognisable prompt
    prompt = "a secret birthday surprise for Alice"
    event = load_event("api-post-jobs")
    event["body"] = json.dumps({"prompt": prompt})

    # When it is submitted
    with caplog.at_level("DEBUG"):
        code, body = submit.call(event)

    # Then the service's log records name the job, the tenant and the prompt's length, not
    # its text (libraries' DEBUG records may, but Lambda runs at INFO)
    assert code == 202
    queued = next(r for r in caplog.records if r.getMessage() == "job queued")
    assert queued.job_id == body["job_id"]  # type: ignore[attr-defined]
    assert queued.prompt_length == len(prompt)  # type: ignore[attr-defined]
    assert submit.module.logger.get_current_keys()["tenant"] == TENANT
    ours = [r for r in caplog.records if r.name == "imagejobs"]
    assert ours
    assert all(prompt not in json.dumps(vars(r), default=str) for r in ours)
