"""What a job is made of: `JobRequest`, the body of `POST /jobs`, and `JobOptions`, the keyword
arguments of `jobs.create` (see `imagejobs_client.models` for the answers). Requests refuse
unknown fields; ranges are left to the API, whose 422 names the field."""

from __future__ import annotations

import os
from typing import IO, TypeAlias

from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypedDict

from imagejobs_client.images import ImageRef, JobImageRef, UploadRef
from imagejobs_client.models import (
    AspectRatio,
    Image,
    ImageField,
    ImageFormat,
    Style,
    Task,
    UpscaleMode,
    WebhookEvent,
)

# The request's fields that take an image.
IMAGE_FIELDS: tuple[ImageField, ...] = ("image", "mask", "style_image")
_IMAGE_FORMS = (
    ": a data: URL (png, jpeg or webp, at most 524288 bytes), an upload ({upload_id}) or an"
    " image of one of your jobs ({job_id, index})"
)


# What `image=`, `mask=` and `style_image=` take (see `imagejobs_client.images`): a file
# (bytes, a path, a binary file), an image of a job, an upload id or a data: URL, or the API's
# own references.
ImageSource: TypeAlias = (
    bytes | os.PathLike[str] | IO[bytes] | Image | str | UploadRef | JobImageRef
)


class JobRequest(BaseModel):
    """The body of `POST /jobs`, as sent: None leaves a field to the API. Every task but those
    that take none (GET /models says which) needs a `prompt`.

    `image`, `mask` and `style_image` hold what the API takes: a data: URL, an `UploadRef` or a
    `JobImageRef`; `jobs.create` makes them from files and a job's images
    (`imagejobs_client.images`)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    prompt: str | None = Field(
        default=None, description="what to draw: visible text, at most 2,000 characters"
    )
    negative_prompt: str | None = Field(
        default=None, description="what to leave out, at most 2,000 characters"
    )
    model: str | None = Field(
        default=None,
        description="a model id from GET /models; the deployment's default if left out",
    )
    task: Task | None = Field(
        default=None,
        description="what the job does; GET /models lists which model does which task",
    )
    aspect_ratio: AspectRatio | None = Field(
        default=None,
        description="the image's shape, one of the model's (GET /models); or give width and height",
    )
    width: int | None = Field(
        default=None,
        description="in pixels; with a model that takes aspect ratios, it must fit one",
    )
    height: int | None = Field(default=None, description="in pixels; see width")
    seed: int | None = Field(
        default=None, description="of the first image (image n uses seed + n); chosen if left out"
    )
    num_images: int | None = Field(default=None, description="how many images to draw")
    image_format: ImageFormat | None = Field(
        default=None, description="file format", alias="format"
    )
    quality: int | None = Field(
        default=None, description="1-100, for jpeg and webp (default 90); not for png"
    )
    style: Style | None = Field(
        default=None, description="a style preset; none leaves the prompt as is"
    )
    guidance: float | None = Field(
        default=None,
        description="how closely to follow the prompt, within the model's range (GET /models);"
        " only for models that take it",
    )
    strength: float | None = Field(
        default=None, description="image-to-image: 0 keeps the input image, 1 ignores it"
    )
    image: ImageRef | None = Field(
        default=None, description=f"the image to start from or edit{_IMAGE_FORMS}"
    )
    mask: ImageRef | None = Field(
        default=None,
        description="inpaint, erase: white where to change, black where to keep (else the"
        f" image's transparency){_IMAGE_FORMS}",
    )
    style_image: ImageRef | None = Field(
        default=None, description=f"style-transfer: the image whose style to take{_IMAGE_FORMS}"
    )
    left: int | None = Field(default=None, description="outpaint: pixels to add on the left")
    right: int | None = Field(default=None, description="outpaint: pixels to add on the right")
    up: int | None = Field(default=None, description="outpaint: pixels to add above")
    down: int | None = Field(default=None, description="outpaint: pixels to add below")
    search_prompt: str | None = Field(
        default=None, description="search-and-replace: what in the image to replace"
    )
    select_prompt: str | None = Field(
        default=None, description="search-and-recolor: what in the image to recolor"
    )
    mode: UpscaleMode | None = Field(
        default=None, description="upscale: fast (x4), conservative or creative"
    )
    creativity: float | None = Field(
        default=None, description="outpaint, upscale: how much the model may invent"
    )
    control_strength: float | None = Field(
        default=None, description="control-sketch, control-structure: how closely to follow"
    )
    fidelity: float | None = Field(
        default=None, description="style-guide: how closely to keep the style image's style"
    )
    grow_mask: int | None = Field(
        default=None, description="inpaint, erase, search-and-*: pixels to widen the mask by"
    )
    # See webhooks.verify for checking what arrives.
    webhook: str | None = Field(
        default=None,
        description="a URL to POST the job to as it starts or ends, signed (Standard Webhooks)",
    )
    webhook_events_filter: list[WebhookEvent] | None = Field(
        default=None, description='the events to send (default ["completed"])'
    )


class JobOptions(TypedDict, total=False):
    """The keyword arguments of `jobs.create` besides the prompt: `JobRequest`'s other fields,
    under the same names and types (tests/integration/test_sdk_contract.py checks it), so a
    type checker knows each one and refuses a misspelt one; `image`, `mask` and `style_image`
    take any `ImageSource`. Their descriptions are `JobRequest`'s."""

    negative_prompt: str | None
    model: str | None
    task: Task | None
    aspect_ratio: AspectRatio | None
    width: int | None
    height: int | None
    seed: int | None
    num_images: int | None
    image_format: ImageFormat | None
    quality: int | None
    style: Style | None
    guidance: float | None
    strength: float | None
    image: ImageSource | None
    mask: ImageSource | None
    style_image: ImageSource | None
    left: int | None
    right: int | None
    up: int | None
    down: int | None
    search_prompt: str | None
    select_prompt: str | None
    mode: UpscaleMode | None
    creativity: float | None
    control_strength: float | None
    fidelity: float | None
    grow_mask: int | None
    webhook: str | None
    webhook_events_filter: list[WebhookEvent] | None
