"""Images in, end to end on LocalStack: a file sent with the real presigned POST to S3, a job
naming it through API Gateway, the worker editing it; then the result's size and alpha.

Also a chain of jobs by reference (generate -> remove-background -> upscale), what submit
refuses of a bad image (a 4xx naming the field), another key's upload (404), and the presigned
POST's policy as LocalStack's S3 enforces it (docs/api.md, "Uploads": what it does not
enforce, and what does it on AWS).
"""

from __future__ import annotations

import io
import struct
import uuid
import zlib
from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image, ImageDraw

from imagejobs.models.domain import TERMINAL_STATUSES
from imagejobs_dev.stack import StackInfo
from tests.support.http import HttpResponse, call, poll
from tests.support.uploads import offer, post_file, upload

JOB_TIMEOUT = 120
SIZE = (192, 144)
# The result's size for each task the built-in renderer does, from the input's, and whether it
# has transparency; with what each job sends besides its image.
BUILT_IN_EDITS: dict[str, tuple[dict[str, Any], Callable[[int, int], tuple[int, int]], bool]] = {
    "image-to-image": ({"prompt": "a red apple", "strength": 0.5}, lambda w, h: (w, h), False),
    "inpaint": ({"prompt": "a blue ball", "mask": "MASK"}, lambda w, h: (w, h), False),
    "erase": ({"mask": "MASK"}, lambda w, h: (w, h), False),
    "outpaint": ({"left": 64, "up": 32, "prompt": "a field"}, lambda w, h: (w + 64, h + 32), False),
    "remove-background": ({}, lambda w, h: (w, h), True),
    "upscale": ({"mode": "fast"}, lambda w, h: (4 * w, 4 * h), False),
    "search-and-recolor": (
        {"select_prompt": "red", "prompt": "green"},
        lambda w, h: (w, h),
        False,
    ),
    "control-sketch": ({"prompt": "a lighthouse"}, lambda w, h: (w, h), False),
    "control-structure": ({"prompt": "a lighthouse"}, lambda w, h: (w, h), False),
}


def photo(size: tuple[int, int] = SIZE, image_format: str = "PNG") -> bytes:
    """A subject on a plain backdrop: a red disc on pale grey, with a dark outline."""
    image = Image.new("RGB", size, (225, 225, 230))
    width, height = size
    ImageDraw.Draw(image).ellipse(
        (width // 4, height // 4, 3 * width // 4, 3 * height // 4),
        fill=(200, 30, 30),
        outline=(40, 20, 20),
        width=3,
    )
    buffer = io.BytesIO()
    image.save(buffer, format=image_format)
    return buffer.getvalue()


def mask(size: tuple[int, int] = SIZE) -> bytes:
    """White where to change (the disc's middle), black where to keep."""
    image = Image.new("L", size, 0)
    width, height = size
    ImageDraw.Draw(image).rectangle((width // 3, height // 3, 2 * width // 3, 2 * height // 3), 255)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def truncated(data: bytes) -> bytes:
    """The first half of a file: a JPEG's header is whole, its picture cut short."""
    return data[: len(data) // 2]


def png_bomb(side: int = 30_000) -> bytes:
    """A valid PNG of side x side 1-bit pixels, all zero: about 110 KB that declares 900 million
    pixels (https://www.w3.org/TR/png-3/: IHDR, IDAT, IEND)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    row = b"\x00" * (1 + (side + 7) // 8)  # filter byte "none", then the row's bits
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1-bit grey
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def api(
    deployed: StackInfo, method: str, path: str, body: Any = None, key: str | None = None
) -> HttpResponse:
    headers = {"x-api-key": key or deployed.api_key}
    return call(method, deployed.api_url + path, body, headers=headers)


def finished(deployed: StackInfo, accepted: HttpResponse, key: str | None = None) -> dict[str, Any]:
    assert accepted.status == 202, accepted.body
    job_id = accepted.json()["job_id"]
    response = poll(
        lambda: api(deployed, "GET", f"jobs/{job_id}", key=key),
        lambda r: r.status == 200 and r.json()["status"] in TERMINAL_STATUSES,
        JOB_TIMEOUT,
        f"job {job_id} to finish",
    )
    job: dict[str, Any] = response.json()
    assert job["status"] == "succeeded", job["error"]
    return job


def result(job: dict[str, Any], index: int = 0) -> Image.Image:
    picture = call("GET", job["images"][index]["url"], content_type=None)
    assert picture.status == 200
    image = Image.open(io.BytesIO(picture.body))
    image.load()
    return image


def has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA")


def field_of(response: HttpResponse) -> str:
    """The field an error answer names."""
    return str(response.json()["detail"][0]["field"])


def test_each_task_the_built_in_renderer_does_has_a_row_here(deployed: StackInfo) -> None:
    models = api(deployed, "GET", "models").json()["models"]
    [pillow] = [model for model in models if model["id"] == "pillow"]
    edits = {task["task"] for task in pillow["tasks"]} - {"text-to-image"}
    assert edits == set(BUILT_IN_EDITS)
    alpha = {task["task"] for task in pillow["tasks"] if task["alpha"]}
    assert alpha == {name for name, (_, _, transparent) in BUILT_IN_EDITS.items() if transparent}


@pytest.mark.parametrize("task", list(BUILT_IN_EDITS))
def test_an_uploaded_image_is_edited_to_the_tasks_size_and_alpha(
    deployed: StackInfo, task: str
) -> None:
    # Given a photo uploaded through the presigned POST (and a mask, for the tasks that take one)
    options, size_of, transparent = BUILT_IN_EDITS[task]
    image_id = upload(deployed.api_url, deployed.api_key, photo())
    body: dict[str, Any] = {"task": task, "image": {"upload_id": image_id}, **options}
    if body.get("mask") == "MASK":
        body["mask"] = {"upload_id": upload(deployed.api_url, deployed.api_key, mask())}

    # When a job edits it
    job = finished(deployed, api(deployed, "POST", "jobs", body))

    # Then the job records the upload it took, and its image has the task's size and alpha
    recorded = job["parameters"]["image"]
    assert (recorded["source"], recorded["upload_id"]) == ("upload", image_id)
    assert (recorded["width"], recorded["height"]) == SIZE
    edited = result(job)
    assert edited.size == size_of(*SIZE) == (job["images"][0]["width"], job["images"][0]["height"])
    assert has_alpha(edited) is transparent
    if transparent:  # real alpha: the backdrop clear, the subject opaque
        low, high = edited.getchannel("A").getextrema()
        assert (low, high) == (0, 255)
        assert edited.getpixel((4, 4))[3] == 0
        assert edited.getpixel((SIZE[0] // 2, SIZE[1] // 2))[3] == 255


def test_a_chain_generate_remove_background_upscale_runs_by_job_reference(
    deployed: StackInfo,
) -> None:
    # Given a generated picture
    drawn = finished(
        deployed,
        api(
            deployed,
            "POST",
            "jobs",
            {"prompt": "a red apple on a white table", "width": 160, "height": 120},
        ),
    )

    # When its background is removed, naming it by job, and the cut-out upscaled the same way
    cutout = finished(
        deployed,
        api(
            deployed,
            "POST",
            "jobs",
            {"task": "remove-background", "image": {"job_id": drawn["job_id"], "index": 0}},
        ),
    )
    bigger = finished(
        deployed,
        api(deployed, "POST", "jobs", {"task": "upscale", "image": {"job_id": cutout["job_id"]}}),
    )

    # Then each job records its source, the cut-out has alpha, and the upscale is 4x with it
    assert cutout["parameters"]["image"]["source"] == "job"
    assert cutout["parameters"]["image"]["job_id"] == drawn["job_id"]
    assert bigger["parameters"]["image"]["job_id"] == cutout["job_id"]
    assert bigger["parameters"]["mode"] == "fast"  # the built-in renderer's only mode
    assert has_alpha(result(cutout))
    upscaled = result(bigger)
    assert upscaled.size == (640, 480)
    assert has_alpha(upscaled)


@pytest.mark.parametrize(
    ("make", "field", "words"),
    [
        (png_bomb, "image", "decompression bomb"),
        (lambda: truncated(photo((640, 480), "JPEG")), "image", "cut short"),
    ],
    ids=["a 30000x30000 PNG bomb", "a truncated JPEG"],
)
def test_a_bad_upload_is_refused_at_submit_naming_the_field(
    deployed: StackInfo, make: Callable[[], bytes], field: str, words: str
) -> None:
    # Given a bad file, uploaded (S3 takes any bytes the policy allows)
    data = make()
    image_id = upload(deployed.api_url, deployed.api_key, data)

    # When a job names it
    refused = api(deployed, "POST", "jobs", {"task": "upscale", "image": {"upload_id": image_id}})

    # Then submit refuses it with a 422 naming the field, saying why
    assert refused.status == 422, refused.body
    assert field_of(refused) == field
    assert words in refused.json()["message"]


def test_a_mask_of_another_size_is_refused_naming_the_mask(deployed: StackInfo) -> None:
    image_id = upload(deployed.api_url, deployed.api_key, photo())
    mask_id = upload(deployed.api_url, deployed.api_key, mask((100, 100)))
    refused = api(
        deployed,
        "POST",
        "jobs",
        {"task": "erase", "image": {"upload_id": image_id}, "mask": {"upload_id": mask_id}},
    )
    assert refused.status == 422, refused.body
    assert field_of(refused) == "mask"


def test_another_keys_upload_or_job_is_not_found_naming_the_field(
    deployed: StackInfo, new_key: Callable[[], str]
) -> None:
    # Given an upload and a finished job of the stack's key, and another key
    image_id = upload(deployed.api_url, deployed.api_key, photo())
    drawn = finished(
        deployed, api(deployed, "POST", "jobs", {"prompt": "a cat", "width": 64, "height": 64})
    )
    other = new_key()

    # When the other key names them (and an upload that was never sent)
    answers = {
        "upload": api(
            deployed,
            "POST",
            "jobs",
            {"task": "upscale", "image": {"upload_id": image_id}},
            key=other,
        ),
        "job": api(
            deployed,
            "POST",
            "jobs",
            {"task": "upscale", "image": {"job_id": drawn["job_id"]}},
            key=other,
        ),
        "never sent": api(
            deployed,
            "POST",
            "jobs",
            {"task": "upscale", "image": {"upload_id": "up_" + uuid.uuid4().hex}},
        ),
    }

    # Then each is a 404 naming the image, as for one that does not exist
    assert {name: (r.status, field_of(r)) for name, r in answers.items()} == {
        name: (404, "image") for name in answers
    }


def test_an_upload_over_the_limit_is_refused_by_s3_itself(deployed: StackInfo) -> None:
    # Given a presigned POST, and a file one byte over its limit (MaxUploadBytes)
    offered = offer(deployed.api_url, deployed.api_key)
    limit = offered["max_bytes"]
    data = photo() + bytes(limit + 1 - len(photo()))

    # When it is sent, then S3 refuses it (the policy's content-length-range) and keeps nothing
    sent = post_file(offered, data)
    assert sent.status_code == 400, sent.text
    assert "<Code>EntityTooLarge</Code>" in sent.text
    refused = api(
        deployed, "POST", "jobs", {"task": "upscale", "image": {"upload_id": offered["upload_id"]}}
    )
    assert (refused.status, field_of(refused)) == (404, "image")


@pytest.mark.parametrize(
    ("content_type", "changed", "what"),
    [
        ("image/png", {"key": "uploads/another-tenant/up_" + "0" * 32}, "another tenant's key"),
        ("image/png", {"key": "images/" + str(uuid.uuid4()) + "/0.png"}, "a job's image key"),
        ("text/html", {}, "another type"),
        (None, {}, "no type"),
    ],
    ids=["another tenant's key", "a job's image key", "text/html", "no Content-Type"],
)
def test_the_presigned_post_cannot_be_bent_to_another_key_or_type(
    deployed: StackInfo, aws: Any, content_type: str | None, changed: dict[str, str], what: str
) -> None:
    # Given a presigned POST
    offered = offer(deployed.api_url, deployed.api_key)

    # When the file is sent to another key, or as another type
    sent = post_file(offered, photo(), content_type, **changed)

    # Then S3 refuses it by the policy's conditions, and nothing is written where it went
    assert sent.status_code == 403, (what, sent.text)
    assert "Policy Condition failed" in sent.text
    key = changed.get("key", offered["fields"]["key"])
    listed = aws("s3").list_objects_v2(Bucket=deployed.bucket, Prefix=key)
    assert listed.get("KeyCount", 0) == 0
