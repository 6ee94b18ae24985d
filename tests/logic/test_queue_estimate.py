"""Where a queued job stands (`queue_position`, `estimated_start_at`) on the in-memory ports:
the queued jobs ahead of it, and the rate jobs left the queue in the previous minute and the
current one so far."""

from datetime import timedelta

from imagejobs.logic.status import queue_estimate
from imagejobs.models.domain import JobStatus, QueueEstimate
from imagejobs.models.transitions import START
from tests.support.events import TENANT
from tests.support.in_memory import InMemoryJobRepository
from tests.support.jobs import T0, move, store_job


def job_id(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def test_a_job_behind_others_starts_when_they_have_at_the_recent_drain_rate(
    jobs: InMemoryJobRepository,
) -> None:
    # Given four jobs queued a second apart, and a start every 2 s for the last 3 minutes
    # (the window covers the previous whole minute and the 30 s of the current one: 90 s, in
    # which 45 started)
    for n in range(4):
        store_job(jobs, job_id(n), TENANT, created_at=T0 + timedelta(seconds=n))
    now = T0 + timedelta(minutes=10, seconds=30)
    jobs.starts = [now - timedelta(seconds=1 + 2 * k) for k in range(90)]
    last = jobs.jobs[job_id(3)]

    # When the last one's place is estimated
    estimate = queue_estimate(last, jobs, now)

    # Then three are ahead of it, and it starts after three starts' worth of time
    assert estimate == QueueEstimate(
        position=3, estimated_start_at=now + timedelta(seconds=3 * 90 / 45)
    )


def test_the_job_at_the_head_starts_now(jobs: InMemoryJobRepository) -> None:
    store_job(jobs, job_id(1), TENANT)
    estimate = queue_estimate(jobs.jobs[job_id(1)], jobs, T0 + timedelta(seconds=5))
    assert estimate == QueueEstimate(position=0, estimated_start_at=T0 + timedelta(seconds=5))


def test_with_no_recent_start_the_position_stands_alone(jobs: InMemoryJobRepository) -> None:
    # Given two queued jobs and no start for an hour
    for n in range(2):
        store_job(jobs, job_id(n), TENANT, created_at=T0 + timedelta(seconds=n))
    jobs.starts = [T0 - timedelta(hours=1)]

    # When the second's place is estimated
    estimate = queue_estimate(jobs.jobs[job_id(1)], jobs, T0 + timedelta(seconds=5))

    # Then its position is known, its start is not guessed
    assert estimate == QueueEstimate(position=1, estimated_start_at=None)


def test_only_queued_jobs_have_a_place(jobs: InMemoryJobRepository) -> None:
    # Given a job ahead that started, and one that is running
    store_job(jobs, job_id(0), TENANT, JobStatus.RUNNING)
    store_job(jobs, job_id(1), TENANT, created_at=T0 + timedelta(seconds=1))
    running = move(jobs, job_id(1), START, T0 + timedelta(seconds=2))

    # Then a running job has no place, and a running one is not ahead of anyone
    assert queue_estimate(running, jobs, T0 + timedelta(seconds=3)) is None
    store_job(jobs, job_id(2), TENANT, created_at=T0 + timedelta(seconds=4))
    estimate = queue_estimate(jobs.jobs[job_id(2)], jobs, T0 + timedelta(seconds=5))
    assert estimate is not None
    assert estimate.position == 0
