"""Input and output models of the `/jobs` API, and their mapping to and from the domain."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from imagejobs.engines.base import Style
from imagejobs.models.domain import MAX_SEED, GeneratedImage, Job, JobSpec, JobStatus

# Field types shared by every route that accepts generation parameters, drop-in routes included.
Prompt = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
NegativePrompt = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
# 4096 is the hard ceiling of every engine; the deployment's MaxImageSize is checked in logic.
ImageSide = Annotated[int, Field(strict=True, ge=64, le=4096)]
Seed = Annotated[int, Field(strict=True, ge=0, le=MAX_SEED)]
ImageCount = Annotated[int, Field(strict=True, ge=1, le=4)]
ImageFormatName = Literal["png", "jpeg", "webp"]
StyleName = Style  # the engines' presets; one list for the API and every engine
Quality = Annotated[int, Field(strict=True, ge=1, le=100)]
# The engine's own range (1.1-10 on every engine today) is checked in logic; this only keeps
# nonsense out of the item.
Guidance = Annotated[float, Field(strict=True, ge=0, le=100, allow_inf_nan=False)]


class GuidanceFields(BaseModel):
    """`guidance`, also accepted as `cfg_scale` (what Bedrock and most diffusion APIs call it)."""

    guidance: Guidance | None = None
    cfg_scale: Guidance | None = None

    @field_validator("cfg_scale")
    @classmethod
    def _not_both(cls, value: float | None, info: ValidationInfo) -> float | None:
        if value is not None and info.data.get("guidance") is not None:
            raise ValueError("give guidance or cfg_scale, not both")
        return value

    @property
    def requested_guidance(self) -> float | None:
        return self.guidance if self.guidance is not None else self.cfg_scale


DEFAULT_SIDE = 512


class JobRequest(GuidanceFields):
    """Body of `POST /jobs`."""

    model_config = ConfigDict(extra="forbid")

    prompt: Prompt
    negative_prompt: NegativePrompt | None = None
    width: ImageSide = DEFAULT_SIDE
    height: ImageSide = DEFAULT_SIDE
    seed: Seed | None = None
    num_images: ImageCount = 1
    format: ImageFormatName = "png"
    # JPEG/WebP only; 90 when left out.
    quality: Quality | None = None
    style: StyleName = "none"


class ParametersView(BaseModel):
    """Every parameter as the job will be rendered: defaults applied, the seed chosen."""

    prompt: str
    negative_prompt: str | None
    width: int
    height: int
    seed: int
    num_images: int
    format: ImageFormatName
    quality: int | None
    style: StyleName
    guidance: float | None


class ImageView(BaseModel):
    url: str
    width: int
    height: int
    format: ImageFormatName
    seed: int


class ErrorView(BaseModel):
    type: str
    message: str


class JobView(BaseModel):
    """A job as `GET /jobs/{job_id}` and `POST /jobs` show it."""

    job_id: str
    status: JobStatus
    parameters: ParametersView
    engine: str
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    expires_at: datetime
    images: list[ImageView]
    error: ErrorView | None
    # True once a cancel reached a running job; it ends `canceled` shortly.
    cancel_requested: bool


class JobListView(BaseModel):
    """`GET /jobs`: the caller's jobs, newest first. Pass `next_cursor` back as `cursor`."""

    jobs: list[JobView]
    next_cursor: str | None


class FieldErrorView(BaseModel):
    loc: list[str | int]
    field: str
    msg: str
    type: str


class ErrorResponse(BaseModel):
    """Every 4xx/5xx body. `detail` has FastAPI's shape, for clients of the systems we replace."""

    error: str
    message: str
    detail: list[FieldErrorView] = []


def spec_from_request(request: JobRequest) -> JobSpec:
    return JobSpec(
        prompt=request.prompt,
        negative_prompt=request.negative_prompt or None,
        width=request.width,
        height=request.height,
        seed=request.seed,
        num_images=request.num_images,
        image_format=request.format,
        style=request.style,
        quality=request.quality,
        guidance=request.requested_guidance,
    )


def job_view(job: Job, image_urls: dict[str, str]) -> JobView:
    """`image_urls` maps each image's storage key to the URL the caller may fetch it from."""
    params = job.parameters
    return JobView(
        job_id=job.job_id,
        status=job.status,
        parameters=ParametersView(
            prompt=params.prompt,
            negative_prompt=params.negative_prompt,
            width=params.width,
            height=params.height,
            seed=params.seed,
            num_images=params.num_images,
            format=params.image_format,
            quality=params.quality,
            style=params.style,
            guidance=params.guidance,
        ),
        engine=job.engine,
        created_at=job.created_at,
        updated_at=job.updated_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        expires_at=job.expires_at,
        images=[_image_view(image, image_urls[image.key]) for image in job.images],
        error=ErrorView(type=job.error.type, message=job.error.message) if job.error else None,
        cancel_requested=job.cancel_requested,
    )


def _image_view(image: GeneratedImage, url: str) -> ImageView:
    return ImageView(
        url=url, width=image.width, height=image.height, format=image.image_format, seed=image.seed
    )
