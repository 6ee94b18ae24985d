"""Accepting a job: validate against this deployment's limits, record it, queue it."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta

from aws_lambda_powertools.metrics import MetricUnit

from imagejobs.engines.base import DEFAULT_QUALITY, LOSSY_FORMATS, MAX_SEED
from imagejobs.engines.limits import EngineLimits
from imagejobs.exceptions import EnqueueFailedError, InvalidParameterError, TooManyOpenJobsError
from imagejobs.models.domain import Job, JobError, JobParameters, JobSpec, JobStatus
from imagejobs.models.messages import JobMessage
from imagejobs.models.transitions import FAIL
from imagejobs.models.webhook_targets import check_webhook_url
from imagejobs.observability import logger, metrics
from imagejobs.ports import JobQueue, JobRepository
from imagejobs.settings import SubmitSettings


# Six arguments until jobs and queue share a bundle of ports, as the worker's do (WorkerPorts);
# that changes tests/logic/test_submit_and_cancel.py, which the lead keeps.
def submit_job(  # noqa: PLR0913
    spec: JobSpec,
    owner: str,
    *,
    jobs: JobRepository,
    queue: JobQueue,
    settings: SubmitSettings,
    now: datetime,
) -> Job:
    limits = settings.engine_limits
    parameters = _resolve(spec, limits)
    _check_limits(parameters, settings.max_image_size, limits)
    if spec.webhook is not None:
        check_webhook_url(spec.webhook.url, allow_private=settings.webhook_allow_private)
    job = Job(
        job_id=str(uuid.uuid4()),
        owner=owner,
        status=JobStatus.QUEUED,
        parameters=parameters,
        engine_id=limits.engine_id,
        created_at=now,
        updated_at=now,
        # Whole seconds: the table's TTL attribute holds epoch seconds.
        expires_at=(now + timedelta(days=settings.job_retention_days)).replace(microsecond=0),
        ignored_parameters=spec.ignored_parameters,
        webhook=spec.webhook,
    )
    logger.set_correlation_id(job.job_id)
    try:
        jobs.create(job, open_limit=settings.max_open_jobs_per_tenant)
    except TooManyOpenJobsError:
        metrics.add_metric(name="JobsRefusedOverCap", unit=MetricUnit.Count, value=1)
        logger.info("job refused: the owner is at its cap of open jobs", extra={"owner": owner})
        raise
    try:
        queue.send(JobMessage(job_id=job.job_id))
    except EnqueueFailedError:
        # Without a message nothing would ever finish the job: fail it now, visibly, rather
        # than leave it "queued" forever. The client gets a 503 and may submit again.
        jobs.apply(
            FAIL.change(
                job, now, error=JobError(type="EnqueueFailed", message="could not queue the job")
            )
        )
        raise
    metrics.add_metric(name="JobsSubmitted", unit=MetricUnit.Count, value=1)
    logger.info(
        "job queued",
        extra={"job_id": job.job_id, "prompt_length": len(spec.prompt), "images": spec.num_images},
    )
    return job


def _check_limits(params: JobParameters, max_side: int, limits: EngineLimits) -> None:
    """This deployment's own cap first, then everything the selected engine cannot render."""
    for field, value in (("width", params.width), ("height", params.height)):
        if value > max_side:
            raise InvalidParameterError(field, f"must be at most {max_side} on this deployment")
    if (violation := limits.check(params)) is not None:
        raise InvalidParameterError(violation.field, violation.message)


def _resolve(spec: JobSpec, limits: EngineLimits) -> JobParameters:
    """Every default applied, so the status shows exactly what will be rendered."""
    # Leave room for seed + n of every image, so all of them stay valid seeds of this engine.
    highest_first_seed = min(limits.max_seed, MAX_SEED) - spec.num_images + 1
    seed = spec.seed if spec.seed is not None else secrets.randbelow(highest_first_seed + 1)
    lossy = spec.image_format in LOSSY_FORMATS
    # Quality on a PNG is left as asked, so the check below can say it does not apply.
    quality = spec.quality if spec.quality is not None or not lossy else DEFAULT_QUALITY
    guidance = spec.guidance if spec.guidance is not None else limits.default_guidance
    return JobParameters.model_validate(
        {**dict(spec), "seed": seed, "quality": quality, "guidance": guidance}
    )
