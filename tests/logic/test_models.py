"""Jobs against the model catalogue, on the in-memory ports: which model a job gets, the shape
it is drawn in, what a model refuses at submit, the image it starts from, and GET /models."""

from __future__ import annotations

import base64
import io
from datetime import UTC, date, datetime

import pytest
from PIL import Image

from imagejobs.engines.catalogue import CATALOGUE, ratio_of, size_for
from imagejobs.exceptions import InvalidParameterError, ModelUnavailableError
from imagejobs.logic.models import list_models
from imagejobs.logic.submit import SubmitPorts, submit_job
from imagejobs.models.api import JobRequest, Submission
from imagejobs.models.lifecycle import LifecycleStatus, ModelLifecycle
from imagejobs.settings import SubmitSettings
from tests.logic.test_submit_and_cancel import settings
from tests.support.events import TENANT
from tests.support.in_memory import (
    InMemoryImageStore,
    InMemoryJobQueue,
    InMemoryJobRepository,
    InMemoryModelLifecycles,
)
from tests.support.jobs import T0

SD35 = "stability.sd3-5-large-v1:0"
CORE = "stability.stable-image-core-v1:1"
ULTRA = "stability.stable-image-ultra-v1:1"
EVERY_MODEL = {"Models": f"pillow,{SD35},{CORE},{ULTRA}"}


class World:
    def __init__(self, **parameters: str) -> None:
        self.jobs = InMemoryJobRepository()
        self.queue = InMemoryJobQueue()
        self.images = InMemoryImageStore()
        self.lifecycles = InMemoryModelLifecycles()
        self.settings: SubmitSettings = settings(**{**EVERY_MODEL, **parameters})

    def submit(self, **fields: object) -> object:
        request = JobRequest.model_validate({"prompt": "a lighthouse", **fields})
        if "prompt" in fields and fields["prompt"] is None:
            request = request.model_copy(update={"prompt": None})
        ports = SubmitPorts(self.jobs, self.queue, self.images, self.lifecycles)
        submission = Submission(tenant=TENANT, route="jobs", body={}, request=request)
        return submit_job(submission, ports, self.settings, T0)

    def refusal(self, **fields: object) -> InvalidParameterError:
        with pytest.raises(InvalidParameterError) as refused:
            self.submit(**fields)
        assert self.jobs.jobs == {}
        return refused.value


def png_data_url(width: int, height: int, image_format: str = "PNG") -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 80, 40)).save(buffer, format=image_format)
    kind = {"PNG": "png", "JPEG": "jpeg", "WEBP": "webp", "GIF": "gif"}[image_format]
    return f"data:image/{kind};base64,{base64.b64encode(buffer.getvalue()).decode()}"


def test_a_job_without_a_model_gets_the_deployments_default() -> None:
    # Given a deployment whose default is SD3.5 Large
    world = World(DefaultModel=SD35)

    # When a job names no model
    job = world.submit()

    # Then it records the default, drawn in 1:1 by the model's own size
    assert job.parameters.model == SD35  # type: ignore[attr-defined]
    assert job.engine_id == f"bedrock:{SD35}"  # type: ignore[attr-defined]
    assert (job.parameters.aspect_ratio, job.parameters.width) == ("1:1", None)  # type: ignore[attr-defined]


def test_a_model_the_deployment_does_not_offer_is_refused_naming_the_offered_ones() -> None:
    world = World(Models="pillow")
    refused = world.refusal(model=SD35)
    assert (refused.field, refused.message) == (
        "model",
        "this deployment offers pillow (GET /models)",
    )


@pytest.mark.parametrize(
    ("fields", "ratio"),
    [
        ({"aspect_ratio": "21:9"}, "21:9"),
        ({"width": 1920, "height": 1080}, "16:9"),
        ({"width": 1024, "height": 1024}, "1:1"),
        ({"width": 900, "height": 1125, "aspect_ratio": "4:5"}, "4:5"),
    ],
)
def test_a_model_of_aspect_ratios_takes_a_ratio_or_a_size_in_one(
    fields: dict[str, object], ratio: str
) -> None:
    job = World().submit(model=ULTRA, **fields)
    assert (job.parameters.aspect_ratio, job.parameters.width, job.parameters.height) == (  # type: ignore[attr-defined]
        ratio,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"width": 1000, "height": 700}, "width", "1:1, 16:9, 21:9"),
        ({"width": 1024}, "height", "give both width and height"),
        ({"width": 1920, "height": 1080, "aspect_ratio": "1:1"}, "aspect_ratio", "is not 1:1"),
        ({"guidance": 7.0}, "guidance", "takes no guidance"),
        ({"strength": 0.5}, "strength", "text-to-image takes no strength"),
        ({"task": "image-to-image"}, "image", "needs an image"),
    ],
)
def test_what_a_model_cannot_do_is_a_422_naming_the_field_never_another_shape(
    fields: dict[str, object], field: str, words: str
) -> None:
    refused = World().refusal(model=SD35, **fields)
    assert refused.field == field
    assert words in refused.message


def test_core_does_no_image_to_image_and_says_which_tasks_it_does() -> None:
    refused = World().refusal(model=CORE, image=png_data_url(128, 128))
    assert (refused.field, refused.message) == ("task", f"{CORE} does text-to-image")


@pytest.mark.parametrize(("ratio", "size"), [("1:1", (512, 512)), ("16:9", (680, 384))])
def test_the_built_in_renderer_draws_a_ratio_at_about_a_quarter_megapixel(
    ratio: str, size: tuple[int, int]
) -> None:
    job = World().submit(aspect_ratio=ratio)
    assert (job.parameters.width, job.parameters.height) == size  # type: ignore[attr-defined]
    assert size_for(ratio) == size  # type: ignore[arg-type]


def test_the_built_in_renderer_draws_any_size_and_names_its_ratio_when_it_has_one() -> None:
    assert ratio_of(640, 480, CATALOGUE["pillow"].aspect_ratios) is None
    job = World().submit(width=640, height=480)
    assert (job.parameters.width, job.parameters.height, job.parameters.aspect_ratio) == (
        640,
        480,
        None,
    )  # type: ignore[attr-defined]


def test_an_image_to_image_job_stores_its_image_and_records_only_where_it_is() -> None:
    # Given a small PNG sent inline to SD3.5 Large
    world = World()
    data_url = png_data_url(96, 80)

    # When it is submitted without a task or strength
    job = world.submit(model=SD35, image=data_url)

    # Then the task and the model's default strength are recorded, and the image's size and
    # format as read from its bytes, its bytes stored for the worker, never on the job
    parameters = job.parameters  # type: ignore[attr-defined]
    assert (parameters.task, parameters.strength) == ("image-to-image", 0.5)
    image = parameters.image
    assert (image.width, image.height, image.image_format) == (96, 80, "png")
    assert image.key == f"inputs/{job.job_id}/image.png"  # type: ignore[attr-defined]
    assert world.images.get(image.key) == base64.b64decode(data_url.partition(",")[2])
    assert "base64" not in parameters.model_dump_json()


@pytest.mark.parametrize(
    ("data_url", "words"),
    [
        (png_data_url(32, 32), "each side must be 64"),
        (png_data_url(96, 96, "GIF"), "must be png or jpeg or webp; this is GIF"),
        ("data:image/png;base64,iVBORw0KGgo=", "is not a png, jpeg or webp image"),
        ("data:image/png;base64,bm90IGFuIGltYWdl", "is not a png, jpeg or webp image"),
        ("data:image/png;base64,abc", "base64 is not valid"),
    ],
)
def test_a_bad_image_is_a_422_naming_image_and_nothing_is_stored(data_url: str, words: str) -> None:
    world = World()
    refused = world.refusal(model=SD35, image=data_url)
    assert refused.field == "image"
    assert words in refused.message
    assert world.images.objects == {}


def test_a_truncated_image_is_refused_at_submit() -> None:
    buffer = io.BytesIO()
    Image.effect_noise((256, 256), 40).convert("RGB").save(buffer, format="JPEG")
    cut = buffer.getvalue()[: len(buffer.getvalue()) // 2]
    refused = World().refusal(
        model=SD35, image=f"data:image/jpeg;base64,{base64.b64encode(cut).decode()}"
    )
    assert (refused.field, refused.message) == (
        "image",
        "cannot be decoded: the file is cut short or broken",
    )


def test_a_model_whose_lifecycle_check_failed_is_refused_before_anything_is_stored() -> None:
    # Given a model its last lifecycle check found past its end of life
    world = World()
    world.lifecycles.put(
        ModelLifecycle(
            model_id=ULTRA,
            status=LifecycleStatus.UNAVAILABLE,
            checked_at=datetime(2026, 12, 6, tzinfo=UTC),
            reason="past its end of life",
        )
    )

    # When a job names it, then it is refused as unavailable, naming why
    with pytest.raises(ModelUnavailableError) as refused:
        world.submit(model=ULTRA)
    assert (refused.value.model_id, refused.value.hint) == (ULTRA, "past its end of life")
    assert world.jobs.jobs == {}
    # And a legacy model still takes jobs until its end of life
    world.lifecycles.put(
        ModelLifecycle(model_id=SD35, status=LifecycleStatus.LEGACY, end_of_life=date(2027, 6, 1))
    )
    assert world.submit(model=SD35).parameters.model == SD35  # type: ignore[attr-defined]


def test_a_job_for_the_built_in_renderer_reads_no_lifecycle() -> None:
    # Given a deployment whose lifecycle store records every model it is asked about
    world = World()
    asked: list[list[str]] = []
    get = world.lifecycles.get
    world.lifecycles.get = lambda ids: asked.append(list(ids)) or get(ids)  # type: ignore[method-assign]

    # When a job for the built-in renderer and one for a Bedrock model are submitted
    world.submit(model="pillow")
    world.submit(model=CORE)

    # Then only the Bedrock model's lifecycle was read: the renderer has none to check
    assert asked == [[CORE]]


def test_the_catalogue_lists_the_offered_models_their_limits_price_and_lifecycle() -> None:
    # Given a deployment offering the built-in renderer and SD3.5 Large, SD3.5 known as legacy
    world = World(Models=f"pillow,{SD35}", DefaultModel="pillow")
    world.lifecycles.put(
        ModelLifecycle(model_id=SD35, status=LifecycleStatus.LEGACY, end_of_life=date(2027, 6, 1))
    )

    # When it is listed
    listed = list_models(world.settings, world.lifecycles).models

    # Then both are there, in order, the default marked, each with what it takes
    pillow, sd35 = listed
    assert (pillow.id, pillow.default, sd35.id, sd35.default) == ("pillow", True, SD35, False)
    assert pillow.parameters.side is not None
    assert sd35.parameters.side is None
    assert [task.task for task in sd35.tasks] == ["text-to-image", "image-to-image"]
    image_to_image = sd35.tasks[1]
    assert (image_to_image.images, image_to_image.aspect_ratio) == (["image"], False)
    strength = image_to_image.numbers["strength"]
    assert (strength.min, strength.max, strength.default) == (0, 1, 0.5)
    assert sd35.parameters.guidance is None
    assert sd35.parameters.seed.min == 1
    assert len(sd35.parameters.aspect_ratios) == 9
    assert sd35.price_per_image_usd == sd35.price.usd_per_image > 0
    assert (sd35.lifecycle.status, str(sd35.lifecycle.end_of_life)) == ("legacy", "2027-06-01")
    assert pillow.lifecycle.status == "active"
