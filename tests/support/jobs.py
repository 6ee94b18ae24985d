"""Jobs for tests to store directly, for states no API call can produce on demand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from imagejobs.engines.base import DEFAULT_QUALITY, LOSSY_FORMATS, JobParameters
from imagejobs.models.domain import Job, JobStatus
from imagejobs.models.transitions import Transition
from imagejobs.ports import JobRepository
from tests.support.events import TENANT

# An `open_limit` for storing a job that no test reaches (the tests of the cap pass their own).
NO_CAP = 1_000_000

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def resolved_parameters(**changes: Any) -> JobParameters:
    """What submit resolves the lighthouse fixtures (events/api-post-jobs*.json) to, every
    field spelled out so that a default that moves shows; `changes` for what a test asks."""
    values: dict[str, Any] = {
        "prompt": "a lighthouse on a cliff at sunset",
        "negative_prompt": None,
        "model": "pillow",
        "task": "text-to-image",
        "aspect_ratio": None,
        "width": 256,
        "height": 192,
        "seed": 42,
        "num_images": 1,
        "image_format": "png",
        "quality": None,
        "style": "none",
        "guidance": 6.5,
    }
    return JobParameters(**(values | changes))


def make_job(
    job_id: str,
    tenant: str,
    status: JobStatus = JobStatus.QUEUED,
    *,
    created_at: datetime = T0,
    changes: dict[str, Any] | None = None,
    **parameters: Any,
) -> Job:
    """A small 64x64 PNG job; `parameters` override JobParameters, `changes` other fields."""
    values: dict[str, Any] = {
        "prompt": "p",
        "width": 64,
        "height": 64,
        "seed": 1,
        "guidance": 6.5,
        **parameters,
    }
    # As submit resolves it: the encoder's default for the lossy formats, none for PNG.
    if values.get("image_format") in LOSSY_FORMATS:
        values.setdefault("quality", DEFAULT_QUALITY)
    return Job.model_validate(
        {
            "job_id": job_id,
            "tenant": tenant,
            "status": status,
            "parameters": JobParameters.model_validate(values),
            "engine_id": "pillow",
            "created_at": created_at,
            "updated_at": created_at,
            "expires_at": created_at + timedelta(days=7),
            **(changes or {}),
        }
    )


def store_job(
    jobs: JobRepository,
    job_id: str,
    tenant: str,
    status: JobStatus = JobStatus.QUEUED,
    **fields: Any,
) -> Job:
    """`make_job`'s job (`fields` as there), written through the repository `jobs`."""
    job = make_job(job_id, tenant, status, **fields)
    jobs.create(job, open_limit=NO_CAP)
    return job


def move(
    jobs: JobRepository, job_id: str, transition: Transition, now: datetime, **values: Any
) -> Job:
    """Applies `transition` to the stored job, with the values of its given fields; to an
    unknown id, as to a job that was never stored."""
    job = jobs.get(job_id) or make_job(job_id, TENANT)
    return jobs.apply(transition.change(job, now, **values))
