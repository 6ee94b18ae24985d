"""Reading a job, with short-lived URLs for its images."""

from __future__ import annotations

from typing import NamedTuple

from imagejobs.exceptions import JobNotFoundError
from imagejobs.models.domain import Job
from imagejobs.ports import ImageStore, JobRepository


class JobReport(NamedTuple):
    job: Job
    image_urls: dict[str, str]


def describe_job(
    job_id: str, *, jobs: JobRepository, images: ImageStore, url_expiry_seconds: int
) -> JobReport:
    job = jobs.get(job_id)
    if job is None:
        raise JobNotFoundError(job_id)
    urls = {image.key: images.url_for(image.key, url_expiry_seconds) for image in job.images}
    return JobReport(job=job, image_urls=urls)
