"""Reading a job, with short-lived URLs for its images."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from imagejobs.exceptions import JobNotFoundError
from imagejobs.models.domain import Job, JobStatus, QueueEstimate
from imagejobs.ports import ImageStore, JobRepository


class JobReport(NamedTuple):
    job: Job
    image_urls: dict[str, str]
    queue: QueueEstimate | None = None


# The drain rate is the starts of the previous minute and of the current one so far: recent
# enough to follow a burst within a minute (a five-minute window lagged behind one, measured:
# docs/cost-and-scale.md). A position is counted up to this many jobs ahead.
DRAIN_WINDOW = timedelta(minutes=1)
MAX_POSITION = 10_000


def tenants_job(job_id: str, tenant: str, jobs: JobRepository) -> Job:
    """The job, if it is `tenant`'s. Another tenant's job is "not found", exactly like no job."""
    job = jobs.get(job_id)
    if job is None or job.tenant != tenant:
        raise JobNotFoundError(job_id)
    return job


def report(job: Job, images: ImageStore, url_expiry_seconds: int) -> JobReport:
    urls = {image.key: images.url_for(image.key, url_expiry_seconds) for image in job.images}
    return JobReport(job=job, image_urls=urls)


class JobReader(NamedTuple):
    """What reading jobs takes: the table, the images' store, and how long the presigned URLs
    of the images last."""

    jobs: JobRepository
    images: ImageStore
    url_expiry_seconds: int

    def report(self, job: Job) -> JobReport:
        return report(job, self.images, self.url_expiry_seconds)


def queue_estimate(job: Job, jobs: JobRepository, now: datetime) -> QueueEstimate | None:
    """A queued job's place: the jobs queued before it, and its start at the recent drain rate
    (one queue feeds every model, so a job starts when those ahead of it have, whatever their
    models)."""
    if job.status is not JobStatus.QUEUED:
        return None
    ahead = jobs.queued_ahead(job, at_most=MAX_POSITION)
    since = now - DRAIN_WINDOW
    started = jobs.starts_between(since, now)
    covered = (now - since.replace(second=0, microsecond=0)).total_seconds()
    start: datetime | None = None
    if ahead == 0:
        start = now
    elif started:
        start = now + timedelta(seconds=ahead * covered / started)
    return QueueEstimate(position=ahead, estimated_start_at=start)


def describe_job(
    job_id: str, tenant: str, reader: JobReader, *, queue_at: datetime | None = None
) -> JobReport:
    """The tenant's job with its image URLs; with `queue_at` (now), where it stands if queued."""
    job = tenants_job(job_id, tenant, reader.jobs)
    queue = queue_estimate(job, reader.jobs, queue_at) if queue_at is not None else None
    return reader.report(job)._replace(queue=queue)
