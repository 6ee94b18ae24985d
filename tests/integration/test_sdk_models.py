"""The SDK and the models: `models.list()` on both clients, with each model's tasks, and a job
that names its model and its aspect ratio, against the local stand-in for the API. Images in
are tests/integration/test_sdk_images.py."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from imagejobs.models.lifecycle import LifecycleStatus, ModelLifecycle
from imagejobs_client import Forbidden, Model
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
    assert [task.task for task in sd35.tasks] == ["text-to-image", "image-to-image"]
    assert sd35.price_per_image_usd == sd35.price.usd_per_image
    assert sd35.price.usd_per_image is not None
    assert sd35.price.usd_per_image > 0
    assert [task.task for task in by_id[CORE].tasks] == ["text-to-image"]
    lifecycle = by_id[CORE].lifecycle
    assert (lifecycle.status, lifecycle.end_of_life) == ("legacy", date(2027, 6, 30))
    assert sd35.lifecycle.status == "active"


@BOTH
def test_each_task_says_what_it_takes_and_gives(kind: str, api: StandIn) -> None:
    # Given a deployment offering every model
    api.script(MODELS, Scripted(200, models_body()))

    # When the models are listed
    models: list[Model] = call(kind, api, lambda c: c.models.list())

    # Then each task of a model says what it takes: its images, mask, prompt, numbers with
    # their ranges, texts, modes, and what it gives
    by_id = {model.id: model for model in models}
    strength = by_id[SD35].task("image-to-image")
    assert strength is not None
    assert strength.images == ["image"]
    assert (strength.numbers["strength"].min, strength.numbers["strength"].max) == (0, 1)
    pillow = by_id["pillow"]
    outpaint = pillow.task("outpaint")
    assert outpaint is not None
    assert set(outpaint.numbers) >= {"left", "right", "up", "down"}
    assert outpaint.prompt == "optional"
    inpaint = pillow.task("inpaint")
    assert inpaint is not None
    assert inpaint.mask
    cutout = pillow.task("remove-background")
    assert cutout is not None
    assert (cutout.alpha, cutout.prompt, cutout.seeded) == (True, "none", False)
    assert outpaint.seeded
    upscale = pillow.task("upscale")
    assert upscale is not None
    assert upscale.modes == ["fast"]
    assert "4 times" in upscale.output
    assert pillow.task("search-and-replace") is None
    styled = by_id["stability.stable-style-transfer-v1:0"].task("style-transfer")
    assert styled is not None
    assert "style_image" in styled.images


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
