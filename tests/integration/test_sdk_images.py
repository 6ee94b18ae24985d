"""Images in, through the SDK, on both clients, against the local stand-in for the API (which
also takes the presigned POST, as S3 would): `uploads.create`, and `jobs.create` given a file,
a job's image, an upload id or a data URL, with what each sends."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from imagejobs_client import Job, JobImageRef, NotFound, UploadFailed
from tests.integration.test_sdk_async import BOTH, call
from tests.support.api_standin import (
    JOB_ID,
    S3_POST,
    UPLOADS,
    Scripted,
    StandIn,
    api_error,
    job_body,
    running_standin,
    take_uploads,
)

JOBS = "POST /v1/jobs"
S3_TOO_LARGE = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>EntityTooLarge</Code>'
    b"<Message>Your proposed upload exceeds the maximum allowed size</Message></Error>"
)


@pytest.fixture
def api() -> Iterator[StandIn]:
    with running_standin() as standin:
        standin.script(JOBS, Scripted(202, job_body()))
        yield standin


def picture(image_format: str, size: tuple[int, int] = (64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(buffer, format=image_format)
    return buffer.getvalue()


def offer(api: StandIn, **options: Any) -> dict[str, Any]:
    """Scripts POST /uploads with the service's own answer and S3 taking the file."""
    return take_uploads(api, **options)


@BOTH
@pytest.mark.parametrize(
    ("image_format", "content_type"),
    [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp")],
)
def test_an_upload_posts_the_signed_fields_then_its_type_then_the_file(
    kind: str, api: StandIn, tmp_path: Path, image_format: str, content_type: str
) -> None:
    # Given a deployment that offers a presigned POST, and an image file
    offered = offer(api)
    path = tmp_path / "photo.bin"  # the name says nothing: the type is read from the bytes
    path.write_bytes(picture(image_format))

    # When it is uploaded
    upload_id = call(kind, api, lambda c: c.uploads.create(path))

    # Then the API was asked for the POST (with the key), and S3 got a form: every signed
    # field in order, the Content-Type read from the bytes, and the file last, without the key
    assert upload_id == offered["upload_id"]
    [asked] = api.to(UPLOADS)
    assert asked.headers["x-api-key"] == "the-key"
    [posted] = api.to(S3_POST)
    assert "x-api-key" not in posted.headers
    assert posted.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert int(posted.headers["content-length"]) == len(posted.raw)
    parts = posted.form()
    names = [name for name, _, _, _ in parts]
    assert names == [*offered["fields"], "Content-Type", "file"]
    assert {name: value.decode() for name, _, _, value in parts[:-2]} == offered["fields"]
    assert parts[-2][3] == content_type.encode()
    _, filename, file_type, data = parts[-1]
    assert (file_type, data) == (content_type, path.read_bytes())
    assert filename is not None
    assert "photo" not in filename  # the local file's name stays local


@BOTH
def test_an_edit_given_a_file_uploads_it_and_names_the_upload(
    kind: str, api: StandIn, tmp_path: Path
) -> None:
    # Given a photo on disk and a mask in memory
    offered = offer(api)
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(picture("JPEG"))
    mask = picture("PNG")

    # When an inpaint is created from them, without a prompt
    call(
        kind,
        api,
        lambda c: c.jobs.create(task="inpaint", image=photo, mask=mask, grow_mask=4),
    )

    # Then each went up to S3 first, and the job names them by upload id; no prompt is sent
    uploaded = [received.form()[-1][3] for received in api.to(S3_POST)]
    assert uploaded == [photo.read_bytes(), mask]
    [sent] = api.to(JOBS)
    upload = {"upload_id": offered["upload_id"]}
    assert sent.body == {"task": "inpaint", "image": upload, "mask": upload, "grow_mask": 4}


@BOTH
def test_an_open_binary_file_is_uploaded_too(kind: str, api: StandIn, tmp_path: Path) -> None:
    offer(api)
    path = tmp_path / "photo.webp"
    path.write_bytes(picture("WEBP"))
    with path.open("rb") as file:
        call(kind, api, lambda c: c.jobs.create(task="remove-background", image=file))
    assert api.to(S3_POST)[0].form()[-1][3] == path.read_bytes()


@BOTH
def test_a_jobs_image_is_named_by_its_job_and_index_with_no_upload(kind: str, api: StandIn) -> None:
    # Given a finished job with two images
    body = job_body("succeeded")
    body["images"] = [body["images"][0], {**body["images"][0], "seed": 2}]
    job = Job.model_validate(body)

    # When its second image is upscaled
    call(kind, api, lambda c: c.jobs.create(task="upscale", mode="fast", image=job.images[1]))

    # Then the request names the job and the image's index, and nothing was uploaded
    [sent] = api.to(JOBS)
    assert sent.body == {
        "task": "upscale",
        "mode": "fast",
        "image": {"job_id": JOB_ID, "index": 1},
    }
    assert job.images[1].as_input() == JobImageRef(job_id=JOB_ID, index=1)
    assert api.to(UPLOADS) == []


@BOTH
def test_an_upload_id_or_a_data_url_is_sent_as_the_api_takes_it(kind: str, api: StandIn) -> None:
    upload_id = "up_" + "0123456789abcdef" * 2
    inline = "data:image/png;base64,iVBORw0KGgo="
    call(
        kind,
        api,
        lambda c: c.jobs.create(
            "a cat", task="style-transfer", image=upload_id, style_image=inline
        ),
    )
    [sent] = api.to(JOBS)
    assert (sent.body["image"], sent.body["style_image"]) == ({"upload_id": upload_id}, inline)
    assert api.to(UPLOADS) == []


@BOTH
@pytest.mark.parametrize(
    ("image", "error", "match"),
    [
        (b"GIF89a....", ValueError, "not a PNG, JPEG or WebP"),
        ("photo.png", ValueError, "pathlib.Path"),
        (42, TypeError, "not int"),
    ],
)
def test_what_is_no_image_is_refused_before_anything_is_sent(
    kind: str, api: StandIn, image: object, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        call(kind, api, lambda c: c.jobs.create(task="upscale", image=image))
    assert api.received == []


@BOTH
def test_a_file_over_the_deployments_limit_is_not_sent(kind: str, api: StandIn) -> None:
    # Given a deployment that takes uploads of at most 1 KiB, and a larger PNG
    offer(api, max_bytes=1024)
    large = picture("PNG", (256, 256)) + bytes(2048)

    # When it is uploaded, then the SDK refuses it without sending it to S3
    with pytest.raises(ValueError, match="at most 1,024"):
        call(kind, api, lambda c: c.uploads.create(large))
    assert api.to(S3_POST) == []


@BOTH
def test_s3_refusing_the_file_is_a_typed_error_with_s3s_code(kind: str, api: StandIn) -> None:
    # Given S3 refusing the POST (as it does a file over the policy's content-length-range)
    offer(api)
    api.script(
        S3_POST, Scripted(400, raw=S3_TOO_LARGE, headers={"Content-Type": "application/xml"})
    )

    # When an image is uploaded, then the error is S3's, naming the file
    with pytest.raises(UploadFailed) as refused:
        call(kind, api, lambda c: c.uploads.create(picture("PNG")))
    assert (refused.value.status, refused.value.code, refused.value.field) == (
        400,
        "EntityTooLarge",
        "file",
    )
    assert "exceeds the maximum allowed size" in refused.value.message


@BOTH
def test_s3_slowing_down_is_retried_and_the_file_sent_again(kind: str, api: StandIn) -> None:
    offer(api)
    slow_down = Scripted(503, raw=b"<Error><Code>SlowDown</Code></Error>")
    api.script(S3_POST, slow_down, Scripted(204, raw=b""))
    data = picture("PNG")
    call(kind, api, lambda c: c.uploads.create(data))
    assert [received.form()[-1][3] for received in api.to(S3_POST)] == [data, data]


@BOTH
def test_a_retried_create_sends_the_same_upload_without_uploading_again(
    kind: str, api: StandIn
) -> None:
    # Given an API that loses the first create's answer (503), then accepts it
    offer(api)
    api.script(JOBS, api_error(503, "service_unavailable"), Scripted(202, job_body()))

    # When a job is created from bytes
    call(
        kind,
        api,
        lambda c: c.jobs.create(task="erase", image=picture("PNG"), mask=b"\x89PNG\r\n\x1a\n"),
    )

    # Then the image went up once, and both attempts named the same uploads, with one key
    first, second = api.to(JOBS)
    assert len(api.to(S3_POST)) == 2  # the image and the mask, once each
    assert first.body == second.body
    assert first.headers["idempotency-key"] == second.headers["idempotency-key"]


@BOTH
def test_an_upload_or_job_that_is_not_yours_is_not_found_naming_the_field(
    kind: str, api: StandIn
) -> None:
    # Given an API that does not know the mask's upload (another key's, or expired)
    api.script(JOBS, api_error(404, "not_found", field="mask"))

    # When a job names it, then the error is NotFound naming the mask
    with pytest.raises(NotFound) as missing:
        call(
            kind,
            api,
            lambda c: c.jobs.create(task="erase", image="up_" + "1" * 32, mask="up_" + "2" * 32),
        )
    assert (missing.value.status, missing.value.field) == (404, "mask")
