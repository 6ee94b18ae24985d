"""The SDK and the models: `models.list()` on both clients, and a job that names its model,
its aspect ratio and the image it starts from, against the local stand-in for the API."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PIL import Image

from imagejobs.models.lifecycle import LifecycleStatus, ModelLifecycle
from imagejobs_client import Forbidden, JobRequest, Model, data_url
from tests.integration.test_sdk_async import BOTH, call
from tests.support.api_standin import (
    Scripted,
    StandIn,
    api_error,
    job_body,
    models_body,
    running_standin,
)

MODELS = "GET /v1/models"
JOBS = "POST /v1/jobs"
SD35 = "stability.sd3-5-large-v1:0"
CORE = "stability.stable-image-core-v1:1"
LEGACY = ModelLifecycle(
    model_id=CORE,
    status=LifecycleStatus.LEGACY,
    end_of_life=date(2027, 6, 30),
    checked_at=datetime(2026, 12, 6, 8, 0, tzinfo=UTC),
)


@pytest.fixture
def api() -> Iterator[StandIn]:
    with running_standin() as standin:
        standin.script(JOBS, Scripted(202, job_body()))
        yield standin


def picture(image_format: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 80, 40)).save(buffer, format=image_format)
    return buffer.getvalue()


@BOTH
def test_models_list_answers_each_offered_model_typed(kind: str, api: StandIn) -> None:
    # Given a deployment offering every model, pillow the default and Core gone Legacy
    api.script(MODELS, Scripted(200, models_body(LEGACY)))

    # When the models are listed
    models: list[Model] = call(kind, api, lambda c: c.models.list())

    # Then one GET /models with the key, and each model typed: the default, what it takes,
    # its price and its lifecycle with the end-of-life date
    [sent] = api.to(MODELS)
    assert sent.headers["x-api-key"] == "the-key"
    by_id = {model.id: model for model in models}
    assert [model.id for model in models if model.default] == ["pillow"]
    assert by_id["pillow"].parameters.side is not None
    assert by_id["pillow"].parameters.guidance is not None
    sd35 = by_id[SD35]
    assert sd35.parameters.side is None
    assert sd35.parameters.guidance is None
    assert "16:9" in sd35.parameters.aspect_ratios
    assert sd35.tasks == ["text-to-image", "image-to-image"]
    assert sd35.parameters.strength is not None
    assert sd35.price_per_image_usd == sd35.price.usd_per_image > 0
    assert by_id[CORE].tasks == ["text-to-image"]
    lifecycle = by_id[CORE].lifecycle
    assert (lifecycle.status, lifecycle.end_of_life) == ("legacy", date(2027, 6, 30))
    assert sd35.lifecycle.status == "active"


@BOTH
def test_models_list_refused_is_a_typed_error(kind: str, api: StandIn) -> None:
    api.script(MODELS, api_error(403, "forbidden"))
    with pytest.raises(Forbidden):
        call(kind, api, lambda c: c.models.list())


@BOTH
def test_a_job_names_its_model_and_aspect_ratio(kind: str, api: StandIn) -> None:
    # When a job is created for a model, at a ratio
    call(kind, api, lambda c: c.jobs.create("a cat", model=SD35, aspect_ratio="16:9"))

    # Then the request names both, as the API does
    [sent] = api.to(JOBS)
    assert sent.body == {"prompt": "a cat", "model": SD35, "aspect_ratio": "16:9"}


@BOTH
@pytest.mark.parametrize(("image_format", "media_type"), [("PNG", "png"), ("JPEG", "jpeg")])
def test_image_takes_a_path_and_sends_a_data_url_of_its_bytes(
    kind: str, api: StandIn, tmp_path: Path, image_format: str, media_type: str
) -> None:
    # Given an image file
    path = tmp_path / "start"
    path.write_bytes(picture(image_format))

    # When an image-to-image job is created from its path
    options = {"model": SD35, "task": "image-to-image", "image": path, "strength": 0.6}
    call(kind, api, lambda c: c.jobs.create("a cat", **options))

    # Then the request carries the file's bytes as a data URL of its real type
    [sent] = api.to(JOBS)
    prefix = f"data:image/{media_type};base64,"
    assert sent.body["image"].startswith(prefix)
    assert base64.b64decode(sent.body["image"].removeprefix(prefix)) == path.read_bytes()
    assert (sent.body["task"], sent.body["strength"]) == ("image-to-image", 0.6)


def test_image_takes_bytes_or_a_data_url_and_refuses_what_is_no_image() -> None:
    webp = picture("WEBP")
    # Bytes become a data URL, a string is sent as given
    assert JobRequest(prompt="p", image=webp).image == data_url(webp)
    assert data_url(webp).startswith("data:image/webp;base64,")
    assert JobRequest(prompt="p", image="data:image/png;base64,AAAA").image == (
        "data:image/png;base64,AAAA"
    )
    # And bytes that are no PNG, JPEG or WebP are refused before anything is sent
    with pytest.raises(ValueError, match="not a PNG, JPEG or WebP"):
        JobRequest(prompt="p", image=b"GIF89a....")
    with pytest.raises(TypeError, match="not int"):
        JobRequest(prompt="p", image=42)  # type: ignore[arg-type]
