"""Request and response shapes of the two FastAPI + Celery services this project replaces.

Their clients switch to us by changing the base URL only, so these shapes are frozen: field
names, status words and which keys appear are part of the contract. They map onto the same
`JobRequest` and `Job` as `/jobs`; nothing here has logic of its own.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from imagejobs.models.api import JobOptions, JobRequest, Prompt, WebhookOptions, shown_name
from imagejobs.models.domain import Job, JobStatus

# The services' models were pydantic's defaults: lax (`"512"` and `512.0` are a width of 512,
# `512.5` is not) and unknown keys ignored. Their clients keep both; the job records the names
# of what was ignored, never the values, and at most this many.
_AS_THE_SERVICES_DID = ConfigDict(strict=False, extra="allow")
MAX_IGNORED_NAMES = 20


def _ignored(*models: BaseModel) -> tuple[str, ...]:
    names = dict.fromkeys(shown_name(name) for model in models for name in model.model_extra or {})
    return tuple(names)[:MAX_IGNORED_NAMES]


def _as_job_request(prompt: str, options: JobOptions, webhook: WebhookOptions) -> JobRequest:
    return JobRequest.model_validate(
        {
            "prompt": prompt,
            **options.declared(),
            "webhook": webhook.webhook,
            "webhook_events_filter": webhook.webhook_events_filter,
        }
    )


class GenerateParameters(JobOptions):
    """`parameters` of `POST /generate`."""

    model_config = _AS_THE_SERVICES_DID


class GenerateRequest(WebhookOptions):
    """Body of `POST /generate`: `{"prompt": ..., "parameters": {"width": ..., ...}}`."""

    model_config = _AS_THE_SERVICES_DID

    prompt: Prompt
    parameters: GenerateParameters = GenerateParameters()

    def job_request(self) -> JobRequest:
        return _as_job_request(self.prompt, self.parameters, self)

    def ignored(self) -> tuple[str, ...]:
        return _ignored(self.parameters, self)


class GenerateAccepted(BaseModel):
    job_id: str


class GenerateImageRequest(JobOptions, WebhookOptions):
    """Body of `POST /generate-image`: `{"prompt": ...}`, options flat beside it, as `/jobs`."""

    model_config = _AS_THE_SERVICES_DID

    prompt: Prompt

    def job_request(self) -> JobRequest:
        return _as_job_request(self.prompt, self, self)

    def ignored(self) -> tuple[str, ...]:
        return _ignored(self)


class GenerateImageAccepted(BaseModel):
    message: Literal["Image generation started"] = "Image generation started"
    job_id: str


DropInStatusName = Literal["pending", "completed", "failed"]


class DropInStatusView(BaseModel):
    """`GET /status/{job_id}`."""

    job_id: str
    status: DropInStatusName
    result: str | None
    error: str | None


class ResultView(BaseModel):
    """`GET /result/{job_id}`: keys appear only when they have a value, as in the original."""

    status: Literal["processing", "completed", "failed"]
    image_path: str | None = None
    error: str | None = None


def _first_image_url(job: Job, image_urls: dict[str, str]) -> str | None:
    return image_urls[job.images[0].key] if job.images else None


def _error_text(job: Job) -> str | None:
    if job.status is JobStatus.CANCELED:
        return "Job was canceled"
    return job.error.message if job.error else None


def drop_in_status_view(job: Job, image_urls: dict[str, str]) -> DropInStatusView:
    status: DropInStatusName
    if job.status is JobStatus.SUCCEEDED:
        status = "completed"
    elif job.status in (JobStatus.FAILED, JobStatus.CANCELED):
        # The old services had no cancel; a canceled job is "failed" with that reason.
        status = "failed"
    else:
        status = "pending"
    return DropInStatusView(
        job_id=job.job_id,
        status=status,
        result=_first_image_url(job, image_urls),
        error=_error_text(job),
    )


def result_view(job: Job, image_urls: dict[str, str]) -> ResultView:
    if job.status is JobStatus.SUCCEEDED:
        return ResultView(status="completed", image_path=_first_image_url(job, image_urls))
    if job.status in (JobStatus.FAILED, JobStatus.CANCELED):
        return ResultView(status="failed", error=_error_text(job))
    return ResultView(status="processing")
