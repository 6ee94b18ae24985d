"""`Prefer: wait=N`: waiting for a job to end re-reads it with a bounded backoff."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest

from imagejobs.exceptions import JobNotFoundError
from imagejobs.logic.waiting import Backoff, wait_for_end
from imagejobs.models.domain import GeneratedImage, JobStatus
from imagejobs.models.transitions import START, SUCCEED
from tests.support.events import TENANT
from tests.support.in_memory import InMemoryJobRepository
from tests.support.jobs import T0, move, store_job

JOB_ID = "0d6f2a4e-1b3c-4d5e-8f70-9a1b2c3d4e5f"


@dataclass
class FakeClock:
    """Time moves only when the waiting code sleeps; `at` runs an action once it is reached."""

    elapsed: float = 0.0
    pauses: list[float] = field(default_factory=list)
    actions: list[tuple[float, object]] = field(default_factory=list)

    def now(self) -> datetime:
        return T0 + timedelta(seconds=self.elapsed)

    def monotonic(self) -> float:
        return self.elapsed

    def sleep(self, seconds: float) -> None:
        assert seconds > 0, "a wait never spins without pausing"
        self.pauses.append(seconds)
        self.elapsed += seconds
        for moment, action in [a for a in self.actions if a[0] <= self.elapsed]:
            self.actions.remove((moment, action))
            action()  # type: ignore[operator]


def succeed(jobs: InMemoryJobRepository) -> None:
    move(jobs, JOB_ID, START, T0)
    image = GeneratedImage(key=f"images/{JOB_ID}/0.png", width=64, height=64, format="png", seed=1)
    move(jobs, JOB_ID, SUCCEED, T0, images=(image,))


def test_it_answers_as_soon_as_the_job_ends(jobs: InMemoryJobRepository) -> None:
    # Given a queued job that succeeds 3 s from now
    job = store_job(jobs, JOB_ID, TENANT)
    clock = FakeClock()
    clock.actions.append((3.0, lambda: succeed(jobs)))

    # When a caller waits up to 20 s for it
    ended = wait_for_end(job, seconds=20, jobs=jobs, clock=clock)

    # Then it gets the succeeded job within one pause of its end, not after 20 s
    assert ended.status is JobStatus.SUCCEEDED
    assert 3.0 <= clock.elapsed <= 3.0 + Backoff().longest


def test_a_job_that_does_not_end_is_answered_as_it_stands_after_the_wait(
    jobs: InMemoryJobRepository,
) -> None:
    # Given a queued job that nothing advances
    job = store_job(jobs, JOB_ID, TENANT)
    clock = FakeClock()

    # When a caller waits 25 s
    ended = wait_for_end(job, seconds=25, jobs=jobs, clock=clock)

    # Then it is answered still queued, exactly at the deadline
    assert ended.status is JobStatus.QUEUED
    assert clock.elapsed == pytest.approx(25)
    # And the reads backed off: growing pauses, capped, so a 25 s wait is a bounded few reads
    backoff = Backoff()
    assert clock.pauses[0] == backoff.first
    assert all(b >= a for a, b in zip(clock.pauses[:-2], clock.pauses[1:-1], strict=True))
    assert max(clock.pauses) == backoff.longest
    assert len(clock.pauses) == 19


def test_a_finished_job_is_answered_without_a_pause(jobs: InMemoryJobRepository) -> None:
    # Given a job that has already ended
    store_job(jobs, JOB_ID, TENANT)
    succeed(jobs)
    job = jobs.get(JOB_ID)
    assert job is not None
    clock = FakeClock()

    # When a caller waits for it
    ended = wait_for_end(job, seconds=10, jobs=jobs, clock=clock)

    # Then it is answered at once
    assert (ended.status, clock.pauses) == (JobStatus.SUCCEEDED, [])


def test_a_wait_of_no_time_reads_nothing_more(jobs: InMemoryJobRepository) -> None:
    # Given a queued job and no time left (the invocation's reserve took it all)
    job = store_job(jobs, JOB_ID, TENANT)
    clock = FakeClock()

    # When the caller "waits" 0 s
    ended = wait_for_end(job, seconds=0, jobs=jobs, clock=clock)

    # Then the job is answered as it was, with no pause
    assert (ended, clock.pauses) == (job, [])


def test_a_job_that_disappears_while_waited_for_is_not_found(jobs: InMemoryJobRepository) -> None:
    # Given a job whose item expires (TTL) while a caller waits for it
    job = store_job(jobs, JOB_ID, TENANT)
    clock = FakeClock()
    clock.actions.append((1.0, lambda: jobs.jobs.pop(JOB_ID)))

    # When the caller waits, then
    with pytest.raises(JobNotFoundError):
        wait_for_end(job, seconds=10, jobs=jobs, clock=clock)
