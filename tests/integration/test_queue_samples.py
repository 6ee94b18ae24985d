"""The repository's queue figures, the in-memory one and DynamoDB's on moto held to the same
answers: the queued jobs ahead of a job, and the drain samples by minute."""

from __future__ import annotations

from datetime import timedelta

import pytest

from imagejobs.models.domain import JobStatus
from imagejobs.ports import JobRepository
from tests.support.events import TENANT
from tests.support.jobs import T0, store_job
from tests.support.repositories import KINDS, repository


@pytest.fixture(params=KINDS)
def jobs(request: pytest.FixtureRequest) -> JobRepository:
    return repository(request)


def job_id(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def test_the_queued_jobs_ahead_of_a_job_are_counted_up_to_a_bound(jobs: JobRepository) -> None:
    # Given five queued jobs a second apart, and a running one among them
    for n in range(5):
        store_job(jobs, job_id(n), TENANT, created_at=T0 + timedelta(seconds=n))
    store_job(jobs, job_id(9), TENANT, JobStatus.RUNNING, created_at=T0)
    last = jobs.get(job_id(4))
    assert last is not None

    # Then four queued ones are ahead of the last, and a bound caps the count
    assert jobs.queued_ahead(last, at_most=100) == 4
    assert jobs.queued_ahead(last, at_most=2) == 2


def test_starts_are_counted_by_the_minute_they_fell_in(jobs: JobRepository) -> None:
    # Given starts at 10:00:05, twice at 10:01:59 and at 10:03:00
    base = T0.replace(hour=10)
    for seconds in (5, 119, 119, 180):
        jobs.record_start(base + timedelta(seconds=seconds))

    # Then each window counts the minutes it touches, both ends included
    assert jobs.starts_between(base, base + timedelta(minutes=5)) == 4
    assert jobs.starts_between(base + timedelta(seconds=61), base + timedelta(seconds=130)) == 2
    assert jobs.starts_between(base + timedelta(minutes=4), base + timedelta(minutes=9)) == 0
