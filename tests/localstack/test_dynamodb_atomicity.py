"""LocalStack's DynamoDB (moto, through our plugin) is atomic where the cap on open jobs relies
on DynamoDB being atomic: concurrent conditional writes and transactions.

moto alone is not: in-process it checks a condition and writes as two steps, so these tests run
only here, on the real provider, with the repository the functions use.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.config import Config

from imagejobs.dal.jobs_table import DynamoJobRepository
from imagejobs.exceptions import JobStateConflictError, TooManyOpenJobsError
from imagejobs.models.domain import JobError
from imagejobs.models.transitions import CANCEL_QUEUED, FAIL
from tests.support import template
from tests.support.jobs import T0, make_job

pytestmark = pytest.mark.localstack

SUBMITS = 50
CAP = 10


@pytest.fixture(scope="module")
def dynamodb(aws: Callable[..., Any]) -> Any:
    # Enough connections that all the submits really are in flight at once.
    return aws("dynamodb", Config(max_pool_connections=SUBMITS))


@pytest.fixture
def table(dynamodb: Any) -> Iterator[str]:
    """A jobs table made from template.yaml's own definition."""
    name = f"atomicity-{uuid.uuid4().hex[:8]}"
    dynamodb.create_table(TableName=name, **template.table_definition("JobsTable"))
    yield name
    dynamodb.delete_table(TableName=name)


@pytest.fixture
def jobs(dynamodb: Any, table: str) -> DynamoJobRepository:
    """The repository the functions use, over that table."""
    return DynamoJobRepository(table, dynamodb)


def all_at_once(calls: list[Callable[[], Any]]) -> Counter[str]:
    """Runs the calls concurrently; counts each outcome by the name of what it raised."""

    def outcome(call: Callable[[], Any]) -> str:
        try:
            call()
        except (TooManyOpenJobsError, JobStateConflictError) as error:
            return type(error).__name__
        return "ok"

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return Counter(pool.map(outcome, calls))


def test_fifty_submits_at_once_against_a_cap_of_ten_leave_exactly_ten_open(
    jobs: DynamoJobRepository,
) -> None:
    # Given a tenant with no open jobs
    tenant = f"tenant-{uuid.uuid4().hex[:8]}"
    new_jobs = [make_job(str(uuid.uuid4()), tenant) for _ in range(SUBMITS)]

    # When 50 jobs are created at once, with a cap of 10
    outcomes = all_at_once([lambda job=job: jobs.create(job, open_limit=CAP) for job in new_jobs])

    # Then exactly 10 were recorded and counted, and the other 40 refused for the cap
    assert outcomes == Counter({"ok": CAP, "TooManyOpenJobsError": SUBMITS - CAP})
    recorded = [job for job in new_jobs if jobs.get(job.job_id) is not None]
    assert len(recorded) == CAP
    assert jobs.open_jobs(tenant) == CAP


def test_racing_and_repeated_endings_give_each_place_back_once(
    jobs: DynamoJobRepository,
) -> None:
    # Given a tenant at its cap of 10 queued jobs
    tenant = f"tenant-{uuid.uuid4().hex[:8]}"
    open_jobs = [make_job(str(uuid.uuid4()), tenant) for _ in range(CAP)]
    for job in open_jobs:
        jobs.create(job, open_limit=CAP)

    # When each job is ended twice at once, by a cancel and by a failure racing it
    failure = JobError(type="stale", message="stale")
    endings: list[Callable[[], Any]] = []
    for job in open_jobs:
        endings.append(lambda job=job: jobs.apply(CANCEL_QUEUED.change(job, T0)))
        endings.append(lambda job=job: jobs.apply(FAIL.change(job, T0, error=failure)))
    outcomes = all_at_once(endings)

    # Then one of each pair won, and the tenant has all its places back, no more
    assert outcomes == Counter({"ok": CAP, "JobStateConflictError": CAP})
    assert jobs.open_jobs(tenant) == 0
    # And it may fill them again
    all_at_once(
        [lambda: jobs.create(make_job(str(uuid.uuid4()), tenant), open_limit=CAP)] * (CAP + 5)
    )
    assert jobs.open_jobs(tenant) == CAP


def test_a_transaction_with_one_failed_condition_writes_nothing(dynamodb: Any, table: str) -> None:
    # Given an existing item
    dynamodb.put_item(TableName=table, Item={"job_id": {"S": "existing"}})

    # When a transaction puts a new item and, conditionally, one that exists
    with pytest.raises(dynamodb.exceptions.TransactionCanceledException) as canceled:
        dynamodb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": {"job_id": {"S": "new"}}}},
                {
                    "Put": {
                        "TableName": table,
                        "Item": {"job_id": {"S": "existing"}, "changed": {"BOOL": True}},
                        "ConditionExpression": "attribute_not_exists(job_id)",
                    }
                },
            ]
        )

    # Then it is canceled with the reason for each item, and neither write happened
    reasons = [r["Code"] for r in canceled.value.response["CancellationReasons"]]
    assert reasons == ["None", "ConditionalCheckFailed"]
    assert "Item" not in dynamodb.get_item(TableName=table, Key={"job_id": {"S": "new"}})
    existing = dynamodb.get_item(TableName=table, Key={"job_id": {"S": "existing"}})["Item"]
    assert "changed" not in existing
