"""The thirteen Stability AI Image Services on the Bedrock engine, against the stand-in
(imagejobs_dev.bedrock_standin), which checks each body against the service's section of
stable-image-services.html and answers with an image of the documented size.

Each job is submitted as a client would (logic.submit, on the in-memory ports: the task's
defaults applied, its images read and kept as PNG), then rendered by the engine with one real,
signed bedrock-runtime client. Sizes are written here from the page and docs/bedrock-sources.md.
"""

from __future__ import annotations

import base64
import io
from typing import Any

import pytest
from PIL import Image

from imagejobs.engines.bedrock import BedrockEngine
from imagejobs.engines.catalogue import CATALOGUE, ModelSpec
from imagejobs.engines.catalogue.services import SERVICES
from imagejobs.models.domain import Job
from tests.logic.test_models import EVERY_MODEL, World
from tests.support.bedrock_standin_world import World as StandIn

OFFERED = {"Models": ",".join([EVERY_MODEL["Models"], *(spec.id for spec in SERVICES)])}
ONE_MEGAPIXEL = 1_048_576
FOUR_MEGAPIXELS = 4_194_304


GROUND = {"RGB": (40, 90, 160), "RGBA": (40, 90, 160, 0), "L": 0}
BAND = {"RGB": (200, 60, 40), "RGBA": (200, 60, 40, 255), "L": 255}


def data_url(width: int, height: int, mode: str = "RGB") -> str:
    """A PNG with something on it: a band across the middle (opaque, or white in a mask)."""
    image = Image.new(mode, (width, height), GROUND[mode])
    image.paste(BAND[mode], (0, height // 3, width, 2 * height // 3))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return f"data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}"


PHOTO = data_url(640, 480)
MASK = data_url(640, 480, "L")


def same(width: int, height: int) -> Any:
    return lambda image: image.size == (width, height)


def about(pixels: int, shape: float, within: float = 0.01) -> Any:
    """About `pixels` pixels in the shape width / height, each `within` that share of it."""
    return lambda image: (
        abs(image.width * image.height - pixels) / pixels < within
        and abs(image.width / image.height - shape) / shape < within
    )


# The service, the job's fields (besides model and image), and what its image must be.
CASES: list[tuple[str, dict[str, Any], Any]] = [
    ("stability.stable-image-inpaint-v1:0",
     {"task": "inpaint", "prompt": "a red hat", "mask": MASK, "grow_mask": 8}, same(640, 480)),
    ("stability.stable-outpaint-v1:0",
     {"task": "outpaint", "prompt": "the sea", "left": 100, "right": 60, "up": 20,
      "creativity": 0.8}, same(800, 500)),
    ("stability.stable-image-search-replace-v1:0",
     {"task": "search-and-replace", "prompt": "a glass", "search_prompt": "the mug",
      "negative_prompt": "blur"}, same(640, 480)),
    ("stability.stable-image-search-recolor-v1:0",
     {"task": "search-and-recolor", "prompt": "pink", "select_prompt": "the jacket",
      "style": "vibrant"}, same(640, 480)),
    ("stability.stable-image-erase-object-v1:0",
     {"task": "erase", "prompt": None, "mask": MASK}, same(640, 480)),
    ("stability.stable-image-remove-background-v1:0",
     {"task": "remove-background", "prompt": None}, same(640, 480)),
    ("stability.stable-image-control-sketch-v1:0",
     {"task": "control-sketch", "prompt": "a house", "control_strength": 0.4}, same(640, 480)),
    ("stability.stable-image-control-structure-v1:0",
     {"task": "control-structure", "prompt": "a tunnel"}, same(640, 480)),
    ("stability.stable-image-style-guide-v1:0",
     {"task": "style-guide", "prompt": "a city", "aspect_ratio": "21:9", "fidelity": 0.9},
     same(1536, 640)),
    ("stability.stable-style-transfer-v1:0",
     {"task": "style-transfer", "prompt": None, "style_image": data_url(512, 512)},
     about(ONE_MEGAPIXEL, 4 / 3, within=0.05)),  # sides in multiples of 64
    ("stability.stable-fast-upscale-v1:0",
     {"task": "upscale", "prompt": None, "mode": "fast", "image": data_url(300, 200)},
     same(1200, 800)),
    ("stability.stable-conservative-upscale-v1:0",
     {"task": "upscale", "prompt": "sharp", "mode": "conservative"},
     about(FOUR_MEGAPIXELS, 4 / 3)),
    ("stability.stable-creative-upscale-v1:0",
     {"task": "upscale", "prompt": "sharp", "mode": "creative", "creativity": 0.45},
     about(FOUR_MEGAPIXELS, 4 / 3)),
]  # fmt: skip


def submitted(model: str, **fields: Any) -> tuple[Job, dict[str, bytes]]:
    """The job submit records for the request, and the bytes of its images as it kept them."""
    world = World(**OFFERED)
    fields = {"image": PHOTO, **fields}
    job: Job = world.submit(model=model, seed=7, **fields)  # type: ignore[assignment]
    inputs = {}
    for name in ("image", "mask", "style_image"):
        record = getattr(job.parameters, name)
        if record is not None:
            inputs[name] = world.images.get(record.key)
    return job, inputs  # type: ignore[return-value]


def calls(standin: StandIn) -> list[dict[str, Any]]:
    return [r for r in standin.requests()["requests"] if r["operation"] == "InvokeModel"]


def test_every_image_service_has_a_case() -> None:
    assert sorted(case[0] for case in CASES) == sorted(spec.id for spec in SERVICES)


@pytest.mark.parametrize(
    ("model", "fields", "documented"), CASES, ids=[case[0].split(".")[1] for case in CASES]
)
def test_each_services_job_is_accepted_and_its_image_has_the_documented_size(
    standin: StandIn, model: str, fields: dict[str, Any], documented: Any
) -> None:
    # Given a job for the service, as submit records it
    spec: ModelSpec = CATALOGUE[model]
    job, inputs = submitted(model, **fields)

    # When the Bedrock engine renders it in us-east-1
    [rendered] = BedrockEngine(spec, standin.runtime).render(job.parameters, inputs)

    # Then one call went to the service's us. profile, and the stand-in's schema took its body
    [call] = calls(standin)
    assert (call["model_id"], call["status"]) == (f"us.{model}", 200), call
    # (Remove Background and Fast Upscale take no seed: the page lists none for them.)
    assert call["body"].get("seed", 7) == 7
    # And the image has the size the page documents, which the job records
    image = Image.open(io.BytesIO(rendered.data))
    assert documented(image), image.size
    assert (rendered.width, rendered.height) == image.size


@pytest.mark.parametrize("image_format", ["png", "webp"])
def test_remove_background_on_bedrock_keeps_its_alpha(standin: StandIn, image_format: str) -> None:
    # Given a remove-background job for a format that carries alpha
    model = "stability.stable-image-remove-background-v1:0"
    job, inputs = submitted(model, task="remove-background", prompt=None, format=image_format)

    # When it is rendered
    [rendered] = BedrockEngine(CATALOGUE[model], standin.runtime).render(job.parameters, inputs)

    # Then the service was asked for that format, and the image has real alpha
    [call] = calls(standin)
    assert call["body"]["output_format"] == image_format
    image = Image.open(io.BytesIO(rendered.data))
    assert (image.format, image.mode) == (image_format.upper(), "RGBA")
    assert image.getchannel("A").getextrema() == (0, 255)


def test_inpaint_without_a_mask_takes_the_images_transparency(standin: StandIn) -> None:
    # Given an inpaint job of an RGBA image and no mask
    model = "stability.stable-image-inpaint-v1:0"
    job, inputs = submitted(model, task="inpaint", prompt="a hat", image=data_url(320, 240, "RGBA"))

    # When it is rendered, then the body carries no mask and is accepted
    BedrockEngine(CATALOGUE[model], standin.runtime).render(job.parameters, inputs)
    [call] = calls(standin)
    assert call["status"] == 200, call
    assert "mask" not in call["body"]


def test_each_image_of_a_services_job_is_its_own_call_with_its_own_seed(standin: StandIn) -> None:
    model = "stability.stable-image-control-sketch-v1:0"
    job, inputs = submitted(model, task="control-sketch", prompt="a house", num_images=3)
    images = BedrockEngine(CATALOGUE[model], standin.runtime).render(job.parameters, inputs)
    assert [image.seed for image in images] == [7, 8, 9]
    assert sorted(call["body"]["seed"] for call in calls(standin)) == [7, 8, 9]
    assert {call["status"] for call in calls(standin)} == {200}
