"""Reading a job, with short-lived URLs for its images."""

from __future__ import annotations

from typing import NamedTuple

from imagejobs.exceptions import JobNotFoundError
from imagejobs.models.domain import Job
from imagejobs.ports import ImageStore, JobRepository


class JobReport(NamedTuple):
    job: Job
    image_urls: dict[str, str]


def owned_job(job_id: str, owner: str, jobs: JobRepository) -> Job:
    """The job, if `owner` owns it. Another tenant's job is "not found", exactly like no job."""
    job = jobs.get(job_id)
    if job is None or job.owner != owner:
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


def describe_job(job_id: str, owner: str, reader: JobReader) -> JobReport:
    return reader.report(owned_job(job_id, owner, reader.jobs))
