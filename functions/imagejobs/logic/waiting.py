"""Waiting for a job to end (`Prefer: wait=N`): re-read the item with a bounded backoff."""

from __future__ import annotations

from dataclasses import dataclass

from imagejobs.clock import Clock
from imagejobs.logic.status import JobReader, JobReport, tenants_job
from imagejobs.models.domain import Job
from imagejobs.ports import JobRepository

# What a client may ask for: API Gateway's REST integration times out at 29 s, and the function
# needs the rest for its own work (the submit itself, presigning) and its answer.
MIN_WAIT_SECONDS = 1
MAX_WAIT_SECONDS = 25


@dataclass(frozen=True)
class Backoff:
    """Pauses between reads: `first`, growing by `factor`, never more than `longest`.

    A 25 s wait reads the item at most 19 times (one GetItem each), never in a tight loop."""

    first: float = 0.1
    factor: float = 1.5
    longest: float = 2.0


BACKOFF = Backoff()


def wait_for_end(
    job: Job,
    *,
    seconds: float,
    jobs: JobRepository,
    clock: Clock,
) -> Job:
    """The job once it is terminal, or as it stands after `seconds`, read again after each
    of BACKOFF's pauses.

    `job` is the tenant's own (just submitted, or read through `tenants_job`); each read
    after it goes through `tenants_job` again, so a wait sees nothing a plain read would not."""
    deadline = clock.monotonic() + seconds
    pause = BACKOFF.first
    while not job.status.is_terminal:
        left = deadline - clock.monotonic()
        if left <= 0:
            break
        clock.sleep(min(pause, left))
        pause = min(pause * BACKOFF.factor, BACKOFF.longest)
        job = tenants_job(job.job_id, job.tenant, jobs)
    return job


def describe_job_when_ended(
    job_id: str, tenant: str, reader: JobReader, *, seconds: float, clock: Clock
) -> JobReport:
    """`GET /jobs/{job_id}` with `Prefer: wait`: the tenant's job once it has ended, or as it
    stands after `seconds`, with its image URLs."""
    job = tenants_job(job_id, tenant, reader.jobs)
    return reader.report(wait_for_end(job, seconds=seconds, jobs=reader.jobs, clock=clock))
