"""Rendering a job's images: its inputs read, the engine called, the model's quota waited
out, the images stored."""

from __future__ import annotations

from aws_lambda_powertools.metrics import MetricUnit

from imagejobs.engines.base import (
    IMAGE_FIELDS,
    Inputs,
    RenderedImage,
)
from imagejobs.exceptions import (
    ContentFilteredError,
    EngineError,
    ModelUnavailableError,
    PermanentEngineError,
)
from imagejobs.logic.job_metrics import per_model
from imagejobs.logic.worker.attempt import (
    Spent,
    WorkerPorts,
    image_key,
)
from imagejobs.models.domain import GeneratedImage, Job, JobError
from imagejobs.observability import logger, metrics
from imagejobs.ports import ImageStore


def _inputs(job: Job, images: ImageStore) -> Inputs:
    """The bytes of the images the job takes in, kept since submit."""
    found: dict[str, bytes] = {}
    for name in IMAGE_FIELDS:
        record = getattr(job.parameters, name)
        if record is None:
            continue
        data = images.get(record.key)
        if data is None:
            raise PermanentEngineError(f"{name}: its stored copy is gone (it expired)")
        found[name] = data
    return found


def render(job: Job, ports: WorkerPorts, spent: Spent) -> list[RenderedImage]:
    inputs = _inputs(job, ports.images)
    started = ports.clock.monotonic()
    try:
        rendered = ports.engine.render(job.parameters, inputs)
    finally:
        # A failed call took the model's time too.
        spent.model_seconds += ports.clock.monotonic() - started
    spent.images_rendered += len(rendered)
    elapsed_ms = (ports.clock.monotonic() - started) * 1000
    metrics.add_metric(name="RenderTime", unit=MetricUnit.Milliseconds, value=elapsed_ms)
    per_model("ModelLatency", MetricUnit.Milliseconds, elapsed_ms, job.parameters.model)

    logger.info(
        "rendered", extra={"model": job.parameters.model, "render_ms": round(elapsed_ms, 1)}
    )
    return rendered


def permanent_error(error: PermanentEngineError) -> JobError:
    """Why the job failed, in the error type its tenant can act on."""
    if isinstance(error, ContentFilteredError):
        return JobError(
            type="content_filtered",
            message=f"the model's content filters refused the {error.side}: change it and submit"
            " again",
        )
    if isinstance(error, ModelUnavailableError):
        return JobError(type="model_unavailable", message=str(error))
    return JobError(type="render_failed", message=str(error))


def describe(error: Exception) -> str:
    # An engine's message is written for the job's tenant ("... answered ThrottlingException:
    # Too many requests"); anything else may carry internals, so only its type is shown.
    return str(error) if isinstance(error, EngineError) else type(error).__name__


def store_image(
    job_id: str, index: int, image: RenderedImage, images: ImageStore
) -> GeneratedImage:
    key = image_key(job_id, index, image.image_format)
    images.put(key, image.data, image.content_type)
    return GeneratedImage(
        key=key,
        width=image.width,
        height=image.height,
        image_format=image.image_format,
        seed=image.seed,
        model_seconds=image.seconds,
        size_bytes=len(image.data),
    )
