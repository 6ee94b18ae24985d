"""Jobs that take images in, on the in-memory ports: each of the three ways to give an image,
the task's defaults, the model a task gets, and every refusal a 4xx naming its field before
anything is recorded."""

from __future__ import annotations

import base64
import io
import struct
import zlib
from datetime import timedelta
from typing import Any

import pytest
from PIL import Image

from imagejobs.exceptions import InputNotFoundError
from imagejobs.logic.inputs import upload_key
from imagejobs.logic.uploads import UPLOAD_URL_SECONDS, create_upload
from imagejobs.models.domain import GeneratedImage, JobStatus
from tests.logic.test_models import EVERY_MODEL, World
from tests.support.events import TENANT
from tests.support.jobs import T0, make_job

INPAINT = "stability.stable-image-inpaint-v1:0"
SERVICES = {"Models": f"{EVERY_MODEL['Models']},{INPAINT},stability.stable-fast-upscale-v1:0"}


def encoded(image: Image.Image, image_format: str = "PNG", **options: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def data_url(data: bytes, kind: str = "png") -> str:
    return f"data:image/{kind};base64,{base64.b64encode(data).decode()}"


def picture(width: int = 96, height: int = 64, mode: str = "RGB") -> Image.Image:
    return Image.new(mode, (width, height), "orange" if mode == "RGB" else 200)


def png_bomb(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares `width` x `height` pixels: a decompression bomb."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def uploaded(world: World, data: bytes, tenant: str = TENANT) -> str:
    upload = create_upload(tenant, signer=_Signer(), max_bytes=10**7, now=T0)
    world.images.put(upload_key(tenant, upload.upload_id), data, "image/png")
    return upload.upload_id


class _Signer:
    def presigned_post(
        self, key: str, *, max_bytes: int, expires_in: int
    ) -> tuple[str, dict[str, str]]:
        return "https://bucket.example/", {"key": key, "max": str(max_bytes)}


def test_an_upload_is_a_presigned_post_for_one_key_of_the_tenants() -> None:
    upload = create_upload(TENANT, signer=_Signer(), max_bytes=2048, now=T0)
    assert upload.upload_id.startswith("up_")
    assert upload.fields == {"key": f"uploads/{TENANT}/{upload.upload_id}", "max": "2048"}
    assert upload.expires_at == T0 + timedelta(seconds=UPLOAD_URL_SECONDS)


@pytest.mark.parametrize("given_as", ["inline", "upload"])
def test_an_image_inline_or_uploaded_is_read_normalised_and_kept_for_the_worker(
    given_as: str,
) -> None:
    # Given a JPEG taken sideways (EXIF orientation 6: turn a quarter), 96x64 as stored
    world = World()
    exif = Image.Exif()
    exif[0x0112] = 6
    data = encoded(picture(96, 64), "JPEG", exif=exif)
    image = data_url(data, "jpeg") if given_as == "inline" else {"upload_id": uploaded(world, data)}

    # When an image-to-image job names it
    job = world.submit(image=image)

    # Then the job records its size as seen (64x96), and the worker will find it as a PNG
    record = job.parameters.image  # type: ignore[attr-defined]
    assert (record.source, record.width, record.height, record.image_format) == (
        given_as,
        64,
        96,
        "png",
    )
    assert record.size_bytes == len(data)
    kept = Image.open(io.BytesIO(world.images.get(record.key)))  # type: ignore[arg-type]
    assert (kept.format, kept.size, kept.mode) == ("PNG", (64, 96), "RGB")


@pytest.mark.parametrize(
    ("mode", "image_format", "kept_mode"),
    [
        ("CMYK", "JPEG", "RGB"),
        ("I;16", "PNG", "RGB"),
        ("P", "PNG", "RGB"),
        ("RGBA", "WEBP", "RGBA"),
    ],
)
def test_odd_but_readable_images_are_handled(mode: str, image_format: str, kept_mode: str) -> None:
    world = World()
    job = world.submit(
        image=data_url(encoded(picture(80, 80, mode), image_format), image_format.lower())
    )
    kept = Image.open(io.BytesIO(world.images.get(job.parameters.image.key)))  # type: ignore[arg-type, attr-defined]
    assert kept.mode == kept_mode


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (png_bomb(30_000, 30_000), "(a decompression bomb)"),
        (png_bomb(5_000, 5_000), "each side must be 64 to 4096 pixels; this is 5000x5000"),
        (encoded(picture(), "GIF", save_all=True, append_images=[picture()]), "this is GIF"),
        (encoded(Image.effect_noise((256, 256), 40), "JPEG")[:4000], "cut short or broken"),
    ],
    ids=["bomb", "too large", "gif", "truncated"],
)
def test_a_bad_image_is_a_422_naming_the_field_and_nothing_is_recorded(
    data: bytes, words: str
) -> None:
    world = World()
    refused = world.refusal(image=data_url(data))
    assert (refused.field, words in refused.message) == ("image", True)
    assert world.images.objects == {}


def test_an_animated_webp_is_refused_by_name() -> None:
    second = Image.new("RGB", (96, 64), "navy")
    frames = encoded(picture(), "WEBP", save_all=True, append_images=[second], duration=100)
    refused = World().refusal(image=data_url(frames, "webp"))
    assert (refused.field, refused.message) == ("image", "must be a still image, not an animation")


def test_another_tenants_upload_reads_as_none() -> None:
    world = World()
    theirs = uploaded(world, encoded(picture()), tenant="tenant-b-key-id")
    with pytest.raises(InputNotFoundError) as missing:
        world.submit(image={"upload_id": theirs})
    assert missing.value.field == "image"
    assert world.jobs.jobs == {}


def _finished_job(
    world: World, tenant: str = TENANT, status: JobStatus = JobStatus.SUCCEEDED
) -> str:
    job_id = "11111111-2222-4333-8444-555555555555"
    image = GeneratedImage(
        key=f"images/{job_id}/0.png", width=128, height=96, image_format="png", seed=1
    )
    job = make_job(
        job_id,
        tenant,
        status,
        changes={"images": (image,) if status is JobStatus.SUCCEEDED else ()},
    )
    world.jobs.create(job, open_limit=100)
    world.images.put(image.key, encoded(picture(128, 96)), "image/png")
    return job_id


def test_a_job_takes_an_image_of_another_of_the_tenants_jobs_as_it_is() -> None:
    # Given one of the tenant's finished jobs
    world = World()
    source = _finished_job(world)

    # When a job names its first image
    job = world.submit(task="remove-background", prompt=None, image={"job_id": source, "index": 0})

    # Then the record points at that image, as stored, with its size, and nothing is copied
    record = job.parameters.image  # type: ignore[attr-defined]
    assert (record.source, record.job_id, record.index, record.key) == (
        "job",
        source,
        0,
        f"images/{source}/0.png",
    )
    assert (record.width, record.height) == (128, 96)
    assert [key for key in world.images.objects if key.startswith("inputs/")] == []


@pytest.mark.parametrize(
    ("tenant", "status", "index"),
    [
        ("tenant-b-key-id", JobStatus.SUCCEEDED, 0),
        (TENANT, JobStatus.RUNNING, 0),
        (TENANT, JobStatus.SUCCEEDED, 1),
    ],
    ids=["another tenant's", "unfinished", "no such index"],
)
def test_a_job_image_the_tenant_does_not_have_is_a_404(
    tenant: str, status: JobStatus, index: int
) -> None:
    world = World()
    source = _finished_job(world, tenant, status)
    with pytest.raises(InputNotFoundError) as missing:
        world.submit(
            task="remove-background", prompt=None, image={"job_id": source, "index": index}
        )
    assert missing.value.field == "image"


def test_a_mask_of_another_size_than_its_image_is_refused() -> None:
    world = World()
    refused = world.refusal(
        task="inpaint",
        image=data_url(encoded(picture(96, 64))),
        mask=data_url(encoded(picture(64, 64, "L"))),
    )
    assert (refused.field, refused.message) == (
        "mask",
        "must be the image's size, 96x64; this is 64x64",
    )


def test_a_task_gets_its_defaults_and_the_deployments_model_for_it() -> None:
    # Given a deployment whose default model (the built-in renderer) does outpaint and upscale
    world = World()

    # When an outpaint and an upscale are submitted with no model and few parameters
    outpaint = world.submit(task="outpaint", image=data_url(encoded(picture())), left=32)
    upscale = world.submit(task="upscale", prompt=None, image=data_url(encoded(picture())))

    # Then each records the built-in renderer, the margins not given as 0, and the fast mode
    params = outpaint.parameters  # type: ignore[attr-defined]
    assert (params.model, params.left, params.right, params.up, params.down) == (
        "pillow",
        32,
        0,
        0,
        0,
    )
    assert (upscale.parameters.model, upscale.parameters.mode) == ("pillow", "fast")  # type: ignore[attr-defined]


def test_a_task_the_default_model_does_not_do_goes_to_an_offered_model_that_does() -> None:
    world = World(**SERVICES)
    job = world.submit(
        task="inpaint", image=data_url(encoded(picture(96, 64, "RGBA"))), model=INPAINT
    )
    assert job.parameters.model == INPAINT  # type: ignore[attr-defined]
    refused = World().refusal(
        task="search-and-replace", image=data_url(encoded(picture())), search_prompt="a mug"
    )
    assert (refused.field, refused.message) == (
        "task",
        "no model this deployment offers does search-and-replace (GET /models)",
    )


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"task": "outpaint"}, "left", "outpaint needs a margin"),
        ({"task": "remove-background", "prompt": "x"}, "prompt", "takes no prompt"),
        ({"task": "remove-background", "prompt": None, "format": "jpeg"}, "format", "png or webp"),
        ({"task": "upscale", "prompt": None, "mode": "creative"}, "mode", "a creative upscale"),
        ({"task": "erase", "prompt": None, "left": 10}, "left", "erase takes no left"),
        (
            {"task": "outpaint", "left": 10, "aspect_ratio": "1:1"},
            "aspect_ratio",
            "keeps the input image's shape",
        ),
        ({"task": "text-to-image"}, "image", "text-to-image takes no image"),
        (
            {"task": "remove-background", "prompt": None, "num_images": 2},
            "num_images",
            "the same image whatever the seed",
        ),
    ],
)
def test_what_a_task_does_not_take_is_a_422_naming_the_field(
    fields: dict[str, object], field: str, words: str
) -> None:
    world = World()
    refused = world.refusal(image=data_url(encoded(picture())), **fields)
    assert refused.field == field
    assert words in refused.message


@pytest.mark.parametrize("task", ["search-and-replace", "style-guide", "style-transfer"])
def test_a_task_the_built_in_renderer_cannot_do_honestly_is_a_422_naming_task(task: str) -> None:
    # Given a job that asks the built-in renderer to find things by name, or a style
    # When it is submitted
    refused = World().refusal(
        model="pillow", task=task, image=data_url(encoded(picture())), search_prompt="a mug"
    )
    # Then it is refused naming the task, with the tasks the renderer does
    assert refused.field == "task"
    assert refused.message.startswith("pillow does text-to-image, image-to-image, inpaint")


@pytest.mark.parametrize(
    ("fields", "size", "field", "words"),
    [
        (
            {"task": "search-and-recolor", "select_prompt": "the mug"},
            (96, 64),
            "select_prompt",
            "selects what to recolor by its colour: name one",
        ),
        (
            {"task": "upscale", "prompt": None},
            (1100, 1000),
            "image",
            "for a x4 upscale on the built-in renderer, must have 1,024 to 1,048,576 pixels",
        ),
        (
            {"task": "upscale", "prompt": None},
            (1600, 300),
            "image",
            "each side must be 32 to 1536 pixels; this is 1600x300",
        ),
        (
            {"task": "outpaint", "left": 1500, "right": 20},
            (2600, 100),
            "left",
            "the outpainted width would be 4120 pixels; the built-in renderer draws at most 4096",
        ),
        (
            {"task": "outpaint", "up": 10, "down": 2000},
            (100, 2100),
            "down",
            "the outpainted height would be 4110 pixels",
        ),
    ],
    ids=["recolor of no colour", "upscale over 1 MP", "upscale side", "outpaint wide", "tall"],
)
def test_what_the_built_in_renderer_cannot_edit_is_a_422_naming_the_field(
    fields: dict[str, object], size: tuple[int, int], field: str, words: str
) -> None:
    refused = World().refusal(image=data_url(encoded(picture(*size))), **fields)
    assert refused.field == field
    assert words in refused.message


def test_a_recolor_whose_select_prompt_names_a_colour_is_accepted() -> None:
    job = World().submit(
        task="search-and-recolor",
        prompt="navy",
        select_prompt="the crimson scarf",
        image=data_url(encoded(picture())),
    )
    assert job.parameters.select_prompt == "the crimson scarf"  # type: ignore[attr-defined]
