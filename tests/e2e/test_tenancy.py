"""API keys and tenants on the deployed API: what LocalStack's API Gateway can check.

LocalStack validates API keys against the usage plan but does not enforce throttling or
quotas; those are template properties, checked in tests/static/test_template.py.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from imagejobs.dal.jobs_table import DynamoJobRepository, counter_key
from imagejobs.models.domain import TERMINAL_STATUSES, JobStatus
from imagejobs_dev.stack_info import StackInfo
from tests.support.http import HttpResponse, call, poll
from tests.support.jobs import NO_CAP, make_job


def as_tenant(
    deployed: StackInfo, key: str | None, method: str, path: str, body: Any = None
) -> HttpResponse:
    headers = {"x-api-key": key} if key is not None else {}
    return call(method, deployed.api_url + path, body, headers=headers)


# A fixed id of no job: test ids must be the same in every pytest-xdist worker's collection.
NO_SUCH_JOB = "5b0c3c4e-0000-4000-8000-000000000000"


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "jobs"), ("GET", "jobs"), ("POST", "generate"), ("GET", f"status/{NO_SUCH_JOB}")],
)
@pytest.mark.parametrize("key", [None, "not-a-key-of-this-api"])
def test_a_missing_or_unknown_key_is_403(
    deployed: StackInfo, key: str | None, method: str, path: str
) -> None:
    # Given a caller without a valid key
    # When it calls a route, drop-in routes included
    response = as_tenant(deployed, key, method, path, {"prompt": "a cat"})

    # Then API Gateway refuses it before any function runs
    assert response.status == 403


def test_one_tenant_never_sees_anothers_job(deployed: StackInfo, new_key: Any) -> None:
    # Given tenant A's job, and tenant B
    key_a, key_b = new_key(), new_key()
    accepted = as_tenant(deployed, key_a, "POST", "jobs", {"prompt": "tenant A's lighthouse"})
    assert accepted.status == 202
    job_id = accepted.json()["job_id"]

    # When B reads, cancels and lists
    reads = [
        as_tenant(deployed, key_b, "GET", f"{r}/{job_id}") for r in ("jobs", "status", "result")
    ]
    cancel = as_tenant(deployed, key_b, "POST", f"jobs/{job_id}/cancel")
    listing = as_tenant(deployed, key_b, "GET", "jobs")
    unknown = as_tenant(deployed, key_b, "GET", f"jobs/{uuid.uuid4()}")

    # Then each is the same 404 as for a job that does not exist, and B's list is empty
    assert [r.status for r in reads] == [404, 404, 404]
    assert cancel.status == 404
    assert {r.body for r in [*reads, cancel]} == {unknown.body}
    assert listing.status == 200
    assert listing.json() == {"jobs": [], "next_cursor": None}
    # And A still sees it
    assert as_tenant(deployed, key_a, "GET", f"jobs/{job_id}").status == 200


# Seconds a new job may take to appear in a tenant's list (the by-owner index).
LIST_CONSISTENCY_TIMEOUT = 10


def test_the_list_pages_through_a_tenants_jobs_in_a_stable_order(
    deployed: StackInfo, new_key: Any
) -> None:
    # Given a tenant with five jobs
    key = new_key()
    submitted = [
        as_tenant(deployed, key, "POST", "jobs", {"prompt": f"job {n}", "width": 64}).json()
        for n in range(5)
    ]

    newest_first = [
        job["job_id"] for job in sorted(submitted, key=lambda job: job["created_at"], reverse=True)
    ]

    def page_through() -> list[list[str]]:
        pages: list[list[str]] = []
        cursor = ""
        while True:
            query = "jobs?limit=2" + (f"&cursor={cursor}" if cursor else "")
            body = as_tenant(deployed, key, "GET", query).json()
            pages.append([job["job_id"] for job in body["jobs"]])
            cursor = body["next_cursor"]
            if not cursor:
                return pages

    # When it pages through its list two at a time. The list reads a global secondary index,
    # which DynamoDB keeps eventually consistent: a job written a moment ago may be missing
    # from it, so the pages are read again until they show every job (or the bound is hit).
    pages = poll(
        page_through,
        lambda pages: [job_id for page in pages for job_id in page] == newest_first,
        LIST_CONSISTENCY_TIMEOUT,
        f"the pages to list {newest_first} (submitted {submitted})",
    )

    # Then every job appeared exactly once, newest first (what the poll waited for), and
    # across more than one page
    assert len([page for page in pages if page]) >= 3


@pytest.mark.parametrize(
    ("stored", "status", "after"),
    [(JobStatus.QUEUED, 200, "canceled"), (JobStatus.SUCCEEDED, 409, "succeeded")],
)
def test_cancel_ends_a_queued_job_and_refuses_a_finished_one(
    deployed: StackInfo, aws: Any, stored: JobStatus, status: int, after: str
) -> None:
    # Given one of the default tenant's jobs in the given state, with no message queued
    now = datetime.now(UTC)
    job_id = str(uuid.uuid4())
    job = make_job(job_id, deployed.api_key_id, stored, created_at=now)
    DynamoJobRepository(deployed.table, aws("dynamodb")).create(job, open_limit=NO_CAP)

    # When its tenant cancels it over HTTP
    response = as_tenant(deployed, deployed.api_key, "POST", f"jobs/{job_id}/cancel")
    shown = as_tenant(deployed, deployed.api_key, "GET", f"jobs/{job_id}").json()

    # Then a queued job is canceled at once, and a finished one is a 409 and unchanged
    assert response.status == status
    assert shown["status"] == after


def test_open_jobs_are_counted_per_tenant_and_a_full_tenant_gets_429(
    deployed: StackInfo, aws: Any, stack_parameters: dict[str, str]
) -> None:
    # Given a new tenant whose two jobs ran to the end
    apigateway, dynamodb = aws("apigateway"), aws("dynamodb")
    made = apigateway.create_api_key(name=f"tenant-{uuid.uuid4().hex[:8]}", enabled=True)
    apigateway.create_usage_plan_key(
        usagePlanId=deployed.usage_plan_id, keyId=made["id"], keyType="API_KEY"
    )
    key, tenant = str(made["value"]), str(made["id"])
    jobs = DynamoJobRepository(deployed.table, dynamodb)
    try:
        body = {"prompt": "a counted lighthouse", "width": 256, "height": 256}
        job_ids = [as_tenant(deployed, key, "POST", "jobs", body).json()["job_id"] for _ in "ab"]
        for job_id in job_ids:
            poll(
                lambda job_id=job_id: as_tenant(deployed, key, "GET", f"jobs/{job_id}").json(),
                lambda job: job["status"] in TERMINAL_STATUSES,
                timeout=120,
                what=f"job {job_id} to end",
            )

        # Then they hold no place any more
        assert jobs.open_jobs(tenant) == 0

        # When the tenant has as many open jobs as the deployment allows, and submits one more
        cap = int(stack_parameters["MaxOpenJobsPerTenant"])
        dynamodb.update_item(
            TableName=deployed.table,
            Key=counter_key(tenant),
            UpdateExpression="SET open_jobs = :cap",
            ExpressionAttributeValues={":cap": {"N": str(cap)}},
        )
        refused = as_tenant(deployed, key, "POST", "jobs", body)

        # Then it is told to retry later, in the one error body, and no job is made
        assert refused.status == 429
        assert int(refused.headers["Retry-After"]) > 0
        assert refused.json()["error"] == "too_many_open_jobs"
        assert jobs.open_jobs(tenant) == cap
    finally:
        dynamodb.delete_item(TableName=deployed.table, Key=counter_key(tenant))
        apigateway.delete_api_key(apiKey=made["id"])
