"""Accepting a job: resolve it against its model and this deployment, record it, queue it."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from imagejobs.clock import BilledTime
from imagejobs.engines.base import (
    DEFAULT_QUALITY,
    DEFAULT_SIDE,
    IMAGE_FIELDS,
    LOSSY_FORMATS,
    AspectRatio,
    InputImage,
    JobParameters,
    Task,
)
from imagejobs.engines.catalogue import CATALOGUE, ModelSpec, ratio_of, size_for
from imagejobs.engines.catalogue.spec import MARGINS
from imagejobs.exceptions import EnqueueFailedError, InvalidParameterError, TooManyOpenJobsError
from imagejobs.logic.inputs import ForJob, resolve_input
from imagejobs.logic.models import check_available
from imagejobs.models.api import JobRequest, Submission
from imagejobs.models.domain import Job, JobError, JobStatus
from imagejobs.models.messages import JobMessage
from imagejobs.models.transitions import FAIL
from imagejobs.models.webhook_targets import check_webhook_url
from imagejobs.observability import logger, metrics
from imagejobs.ports import ImageStore, JobQueue, JobRepository, ModelLifecycles
from imagejobs.settings import SubmitSettings


@dataclass(frozen=True)
class SubmitPorts:
    jobs: JobRepository
    queue: JobQueue
    # Where the images a job takes in are kept for its worker.
    images: ImageStore
    lifecycles: ModelLifecycles


def submit_job(
    submission: Submission,
    ports: SubmitPorts,
    settings: SubmitSettings,
    now: datetime,
    billed: BilledTime | None = None,
) -> Job:
    """Records the job and queues it. `billed`: the submit's Lambda time so far, which the job
    records as its first spending."""
    request = submission.request
    job_id = str(uuid.uuid4())
    task = request.task or ("image-to-image" if request.image is not None else "text-to-image")
    spec = _model(request, task, settings)
    check_available(spec, ports.lifecycles)
    if (violation := spec.task_violation(task)) is not None:
        raise InvalidParameterError(violation.field, violation.message)
    parameters = _resolve(request, task, spec, settings)
    for_job = ForJob(job_id, submission.tenant, spec, ports.jobs, ports.images)
    parameters = _with_inputs(parameters, request, for_job)
    if (violation := spec.check(parameters)) is not None:
        raise InvalidParameterError(violation.field, violation.message)
    webhook = request.subscription()
    if webhook is not None:
        check_webhook_url(webhook.url, allow_private=settings.webhook_allow_private)
    job = Job(
        job_id=job_id,
        tenant=submission.tenant,
        status=JobStatus.QUEUED,
        parameters=parameters,
        engine_id=spec.engine_id,
        created_at=now,
        updated_at=now,
        # Whole seconds: the table's TTL attribute holds epoch seconds.
        expires_at=(now + timedelta(days=settings.job_retention_days)).replace(microsecond=0),
        ignored_parameters=submission.ignored_parameters,
        webhook=webhook,
        deadline_at=_deadline(submission, now),
        lambda_gb_seconds=billed.gb_seconds() if billed is not None else 0.0,
    )
    logger.set_correlation_id(job.job_id)
    _record_and_queue(job, ports, settings, now)
    metrics.add_metric(name="JobsSubmitted", unit=MetricUnit.Count, value=1)
    logger.info(
        "job queued",
        extra={
            "job_id": job.job_id,
            "model": spec.id,
            "prompt_length": len(request.prompt or ""),
            "images": request.num_images,
        },
    )
    return job


def _deadline(submission: Submission, now: datetime) -> datetime | None:
    if submission.cancel_after_seconds is None:
        return None
    return now + timedelta(seconds=submission.cancel_after_seconds)


def _record_and_queue(
    job: Job, ports: SubmitPorts, settings: SubmitSettings, now: datetime
) -> None:
    try:
        ports.jobs.create(job, open_limit=settings.max_open_jobs_per_tenant)
    except TooManyOpenJobsError:
        metrics.add_metric(name="JobsRefusedOverCap", unit=MetricUnit.Count, value=1)
        logger.info(
            "job refused: the tenant is at its cap of open jobs", extra={"tenant": job.tenant}
        )
        raise
    try:
        ports.queue.send(JobMessage(job_id=job.job_id))
    except EnqueueFailedError:
        # Without a message nothing would ever finish the job: fail it now, visibly, rather
        # than leave it "queued" forever. The client gets a 503 and may submit again.
        error = JobError(type="enqueue_failed", message="could not queue the job")
        ports.jobs.apply(FAIL.change(job, now, error=error))
        raise


def _model(request: JobRequest, task: Task, settings: SubmitSettings) -> ModelSpec:
    """The model the job names, else the deployment's for its task (GET /models)."""
    if request.model is None:
        found = settings.model_for(task, request.mode)
        if found is not None:
            return found
        if settings.model_for(task) is not None:
            raise InvalidParameterError(
                "mode", f"no model this deployment offers does a {request.mode} {task}"
            )
        raise InvalidParameterError(
            "task", f"no model this deployment offers does {task} (GET /models)"
        )
    if request.model not in settings.offered_models:
        raise InvalidParameterError(
            "model", f"this deployment offers {', '.join(settings.offered_models)} (GET /models)"
        )
    return CATALOGUE[request.model]


def _resolve(
    request: JobRequest, task: Task, spec: ModelSpec, settings: SubmitSettings
) -> JobParameters:
    """Every default applied, so the status shows exactly what will be rendered."""
    lossy = request.image_format in LOSSY_FORMATS
    task_spec = spec.tasks[task]
    values = request.declared() | {
        "prompt": request.prompt,
        "model": spec.id,
        "task": task,
        "seed": _seed(request, spec),
        # Quality on a PNG is left as asked, so the catalogue's check can say it does not apply.
        "quality": request.quality if request.quality is not None or not lossy else DEFAULT_QUALITY,
        "guidance": _guidance(request, spec),
        "negative_prompt": request.negative_prompt or None,
        "image": None,
        "mask": None,
        "style_image": None,
    }
    for name, span in task_spec.numbers.items():
        if values[name] is None and span.default is not None:
            values[name] = type(span.low)(span.default) if name in MARGINS else span.default
    if request.mode is None and task_spec.modes:
        values["mode"] = task_spec.modes[0]
    if task_spec.aspect_ratio:
        ratio, width, height = _shape(request, spec, settings.max_image_size)
        values |= {"aspect_ratio": ratio, "width": width, "height": height}
    return JobParameters.model_validate(values)


def _with_inputs(parameters: JobParameters, request: JobRequest, job: ForJob) -> JobParameters:
    """The images the request gives, read, checked and kept for the worker."""
    resolved: dict[str, Any] = {
        name: resolve_input(name, given, job)
        for name in IMAGE_FIELDS
        if (given := getattr(request, name)) is not None
    }
    image: InputImage | None = resolved.get("image")
    mask: InputImage | None = resolved.get("mask")
    if (
        image is not None
        and mask is not None
        and (mask.width, mask.height) != (image.width, image.height)
    ):
        raise InvalidParameterError(
            "mask",
            f"must be the image's size, {image.width}x{image.height}; this is"
            f" {mask.width}x{mask.height}",
        )
    return parameters.model_copy(update=resolved)


def _seed(request: JobRequest, spec: ModelSpec) -> int:
    if request.seed is not None:
        return request.seed
    # Leave room for seed + n of every image, so all of them stay valid seeds of this model.
    low, high = int(spec.seeds.low), int(spec.seeds.high) - request.num_images + 1
    return low + secrets.randbelow(high - low + 1)


def _guidance(request: JobRequest, spec: ModelSpec) -> float | None:
    if request.guidance is not None or spec.guidance is None:
        return request.guidance
    return spec.guidance.default


def _shape(
    request: JobRequest, spec: ModelSpec, max_side: int
) -> tuple[AspectRatio | None, int | None, int | None]:
    """The aspect ratio, and for the built-in renderer the size: a width and height given must
    be in the ratio given, and for a model of ratios in one of its ratios."""
    ratio, width, height = request.aspect_ratio, request.width, request.height
    if (width is None) != (height is None) and not spec.any_size:
        missing = "height" if height is None else "width"
        raise InvalidParameterError(missing, "give both width and height, or an aspect_ratio")
    if width is not None or height is not None:
        width, height = width or DEFAULT_SIDE, height or DEFAULT_SIDE
        fits = ratio_of(width, height, spec.aspect_ratios)
        if ratio is not None and fits != ratio:
            raise InvalidParameterError("aspect_ratio", f"{width}x{height} is not {ratio}")
        if not spec.any_size:
            if fits is None:
                raise InvalidParameterError(
                    "width",
                    f"{width}x{height} is in none of {spec.id}'s aspect ratios:"
                    f" {', '.join(spec.aspect_ratios)}",
                )
            return fits, None, None
        _within(max_side, width, height)
        return ratio, width, height
    if not spec.any_size:
        return ratio or "1:1", None, None
    if ratio is None:
        return None, DEFAULT_SIDE, DEFAULT_SIDE
    width, height = size_for(ratio)
    return ratio, width, height


def _within(max_side: int, width: int, height: int) -> None:
    """This deployment's own cap on a side (MaxImageSize)."""
    for field, value in (("width", width), ("height", height)):
        if value > max_side:
            raise InvalidParameterError(field, f"must be at most {max_side} on this deployment")
