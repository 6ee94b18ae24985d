"""Accepting a job: validate against this deployment's limits, record it, queue it."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta

from aws_lambda_powertools.metrics import MetricUnit

from imagejobs.exceptions import EnqueueFailedError, InvalidParameterError
from imagejobs.models.domain import MAX_SEED, Job, JobError, JobParameters, JobSpec, JobStatus
from imagejobs.models.messages import JobMessage
from imagejobs.observability import logger, metrics
from imagejobs.ports import JobQueue, JobRepository
from imagejobs.settings import SubmitSettings


def submit_job(
    spec: JobSpec,
    owner: str,
    *,
    jobs: JobRepository,
    queue: JobQueue,
    settings: SubmitSettings,
    now: datetime,
) -> Job:
    _check_limits(spec, settings.max_image_size)
    job = Job(
        job_id=str(uuid.uuid4()),
        owner=owner,
        status=JobStatus.QUEUED,
        parameters=_resolve(spec),
        engine=settings.engine_name,
        created_at=now,
        updated_at=now,
        # Whole seconds: the table's TTL attribute holds epoch seconds.
        expires_at=(now + timedelta(days=settings.job_retention_days)).replace(microsecond=0),
    )
    logger.set_correlation_id(job.job_id)
    jobs.create(job)
    try:
        queue.send(JobMessage(job_id=job.job_id))
    except EnqueueFailedError:
        # Without a message nothing would ever finish the job: fail it now, visibly, rather
        # than leave it "queued" forever. The client gets a 503 and may submit again.
        jobs.fail(
            job.job_id, JobError(type="EnqueueFailed", message="could not queue the job"), now
        )
        raise
    metrics.add_metric(name="JobsSubmitted", unit=MetricUnit.Count, value=1)
    logger.info(
        "job queued",
        extra={"job_id": job.job_id, "prompt_length": len(spec.prompt), "images": spec.num_images},
    )
    return job


def _check_limits(spec: JobSpec, max_side: int) -> None:
    for field, value in (("width", spec.width), ("height", spec.height)):
        if value > max_side:
            raise InvalidParameterError(field, f"must be at most {max_side} on this deployment")
    if spec.seed is not None and spec.seed + spec.num_images - 1 > MAX_SEED:
        raise InvalidParameterError("seed", f"seed + num_images - 1 must be at most {MAX_SEED}")


def _resolve(spec: JobSpec) -> JobParameters:
    # Leave room for seed + n of every image, so all of them stay valid engine seeds.
    seed = spec.seed if spec.seed is not None else secrets.randbelow(MAX_SEED - 3)
    return JobParameters(
        prompt=spec.prompt,
        negative_prompt=spec.negative_prompt,
        width=spec.width,
        height=spec.height,
        seed=seed,
        num_images=spec.num_images,
        image_format=spec.image_format,
    )
