"""The `imagejobs` CLI (built on the SDK) against a local HTTP stand-in for the API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from imagejobs.models.lifecycle import LifecycleStatus, ModelLifecycle
from imagejobs_dev import client
from tests.support.api_standin import (
    JOB_ID,
    S3_POST,
    UPLOADS,
    Scripted,
    StandIn,
    job_body,
    models_body,
    running_standin,
    take_uploads,
)

JOB = f"GET /v1/jobs/{JOB_ID}"


@pytest.fixture
def api() -> Iterator[StandIn]:
    with running_standin() as standin:
        standin.script("POST /v1/jobs", Scripted(202, job_body("queued")))
        yield standin


def run(api: StandIn, *argv: str) -> int | str | None:
    with pytest.raises(SystemExit) as exited:
        client.main(["--api-url", api.url, "--api-key", "k", *argv])
    return exited.value.code


def succeeds_with_image(api: StandIn, image: bytes) -> None:
    """The job is read as succeeded, with one image that the stand-in serves."""
    api.script(JOB, Scripted(200, job_body("succeeded", image_url=api.url + "images/0.png")))
    api.script("GET /v1/images/0.png", Scripted(200, raw=image))


@pytest.mark.parametrize("final", ["succeeded", "failed", "canceled"])
def test_waiting_ends_at_every_terminal_state(api: StandIn, final: str, tmp_path: Path) -> None:
    # Given a job that runs, then ends in a terminal state, with the API long-polling
    applied = {"Preference-Applied": "wait=5"}
    ended = job_body(final, image_url=api.url + "images/0.png")
    api.script(JOB, Scripted(200, job_body("running"), applied), Scripted(200, ended, applied))
    api.script("GET /v1/images/0.png", Scripted(200, raw=b"png"))

    # When `imagejobs generate --wait` runs, with far more time than it needs
    code = run(api, "generate", "a cat", "--wait", "--timeout=60", "--out", str(tmp_path))

    # Then it returns as soon as the job has ended, with long polls and no tight loop
    assert code == (0 if final == "succeeded" else 1)
    assert len(api.to(JOB)) == 2
    assert all(r.headers["prefer"] == "wait=5" for r in api.to(JOB))


def test_generate_wait_saves_the_images_and_prints_their_paths(
    api: StandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a job that succeeds with one image
    succeeds_with_image(api, b"\x89PNG")

    # When the CLI waits for it
    code = run(api, "generate", "a cat", "--wait", "--out", str(tmp_path))

    # Then it saved the image and printed where, with the job's states on the way
    saved = tmp_path / f"{JOB_ID}-0.png"
    out, err = capsys.readouterr()
    assert code == 0
    assert saved.read_bytes() == b"\x89PNG"
    assert f"saved {saved.resolve()}" in out
    assert "succeeded" in err


def test_generate_wait_on_a_canceled_job_exits_with_an_error(
    api: StandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a job that is canceled while the CLI waits for it
    api.script(JOB, Scripted(200, job_body("running")), Scripted(200, job_body("canceled")))

    # When `imagejobs generate --wait` runs, then it stops, says so and exits non-zero
    assert run(api, "generate", "a cat", "--wait", "--timeout=30") == 1
    assert len(api.to(JOB)) == 2
    assert "canceled" in capsys.readouterr().err


def test_generate_sends_each_option_given_under_the_apis_name(api: StandIn) -> None:
    # Given every generation option on the command line
    options = "--negative-prompt dogs --width 256 --height 192 --seed 42 --num-images 2"
    options += " --format jpeg --quality 80 --style vibrant --guidance 7.5"

    # When `imagejobs generate` runs without waiting
    code = run(api, "generate", "a cat", *options.split())

    # Then the request carries exactly those options, typed and named as the API takes them
    assert code == 0
    assert [r.body for r in api.to("POST /v1/jobs")] == [
        {
            "prompt": "a cat",
            "negative_prompt": "dogs",
            "width": 256,
            "height": 192,
            "seed": 42,
            "num_images": 2,
            "format": "jpeg",
            "quality": 80,
            "style": "vibrant",
            "guidance": 7.5,
        }
    ]


def test_generate_cancel_after_sends_the_deadline_header(api: StandIn) -> None:
    # When `imagejobs generate --cancel-after 90s` runs
    assert run(api, "generate", "a cat", "--cancel-after", "90s") == 0

    # Then the request carries the header, and the body only the prompt
    [sent] = api.to("POST /v1/jobs")
    assert sent.headers["cancel-after"] == "90s"
    assert sent.body == {"prompt": "a cat"}


def test_generate_wait_prints_where_the_time_and_money_went(
    api: StandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a job that succeeds, as the service shows it: with its metrics and cost
    succeeds_with_image(api, b"png")

    # When the CLI waits for it
    assert run(api, "generate", "a cat", "--wait", "--out", str(tmp_path)) == 0

    # Then it says how long it queued and ran, and what it cost
    err = capsys.readouterr().err
    assert "queued 0.0 s, running" in err
    assert "cost $" in err
    assert "platform $" in err


def test_generate_webhook_sends_the_url_and_the_events_asked_for(api: StandIn) -> None:
    # Given a webhook URL and both events on the command line
    argv = ["--webhook", "https://example.com/hook"]
    argv += ["--webhook-events-filter", "started", "completed"]

    # When `imagejobs generate` runs
    code = run(api, "generate", "a cat", *argv)

    # Then the request asks for them under the API's names
    assert code == 0
    [body] = [r.body for r in api.to("POST /v1/jobs")]
    assert body == {
        "prompt": "a cat",
        "webhook": "https://example.com/hook",
        "webhook_events_filter": ["started", "completed"],
    }


def test_an_api_error_is_printed_with_its_code_and_exits_2(
    api: StandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    api.script(
        "POST /v1/jobs",
        Scripted(422, {"error": "validation_error", "message": "Invalid request: width: too big"}),
    )
    assert run(api, "generate", "a cat", "--width", "9999") == 2
    assert "validation_error" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["generate", "edit"])
def test_every_generate_and_edit_option_has_help_in_the_apis_words(command: str) -> None:
    # Given the CLI's parser, whose options come from the SDK's JobRequest
    parser = client.parser()._subparsers._group_actions[0].choices[command]  # type: ignore[union-attr]

    # Then every option says what it does (the SDK's description, checked against the API's
    # document by tests/integration/test_sdk_contract.py)
    options = [a for a in parser._actions if a.option_strings and a.dest != "help"]
    assert options
    assert [a.dest for a in options if not a.help] == []


SD35 = "stability.sd3-5-large-v1:0"
CORE = "stability.stable-image-core-v1:1"
LEGACY = ModelLifecycle(model_id=CORE, status=LifecycleStatus.LEGACY, end_of_life=date(2027, 6, 30))


def test_models_prints_a_table_of_the_offered_models(
    api: StandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a deployment offering every model, pillow the default and Core gone Legacy
    api.script("GET /v1/models", Scripted(200, models_body(LEGACY)))

    # When `imagejobs models` runs
    code = run(api, "models")

    # Then one row per model: its id, name, whether it is the default, tasks, ratios, price
    # and lifecycle
    out = capsys.readouterr().out
    assert code == 0
    rows = {line.split()[1]: line for line in out.splitlines() if line.split()[1:2]}
    assert {"pillow", SD35, CORE, "stability.stable-image-ultra-v1:1"} <= set(rows)
    assert "Built-in renderer" in rows["pillow"]
    assert "yes" in rows["pillow"]
    assert "yes" not in rows[SD35]
    assert "text-to-image, image-to-image" in rows[SD35]
    assert "16:9" in rows[SD35]
    assert "any size 64-4096 px" in rows["pillow"]
    assert "any size" not in rows[SD35]
    assert "free " in rows["pillow"]
    assert "$0.040*" in rows[CORE]  # not read off AWS's own price page: see the footnote
    assert "* public price tables, 2026-12-06" in out
    # An Image Service, whose price per image no page gives: unknown, with its footnote
    assert "unknown*" in rows["stability.stable-fast-upscale-v1:0"]
    assert "* not found; see https://aws.amazon.com/bedrock/pricing/" in out
    assert "remove-background, upscale" in rows["pillow"]
    assert "legacy until 2027-06-30" in rows[CORE]
    assert "active" in rows[SD35]


def test_models_json_prints_what_the_api_answered(
    api: StandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    body = models_body()
    api.script("GET /v1/models", Scripted(200, body))
    assert run(api, "models", "--json") == 0
    assert json.loads(capsys.readouterr().out) == body["models"]


def test_generate_names_the_model_and_the_aspect_ratio(api: StandIn) -> None:
    # When `imagejobs generate` runs with a model and a ratio
    code = run(api, "generate", "a cat", "--model", SD35, "--aspect-ratio", "16:9")

    # Then the request names both
    assert code == 0
    [body] = [r.body for r in api.to("POST /v1/jobs")]
    assert body == {"prompt": "a cat", "model": SD35, "aspect_ratio": "16:9"}


def test_an_aspect_ratio_no_model_takes_is_refused_before_a_request(api: StandIn) -> None:
    with pytest.raises(SystemExit) as exited:
        client.main(["--api-url", api.url, "generate", "a cat", "--aspect-ratio", "7:3"])
    assert exited.value.code == 2  # argparse's usage error
    assert api.to("POST /v1/jobs") == []


def test_generate_image_uploads_the_file_and_names_it(api: StandIn, tmp_path: Path) -> None:
    # Given a PNG file, and a deployment taking uploads
    offered = take_uploads(api)
    start = tmp_path / "start.png"
    start.write_bytes(b"\x89PNG\r\n\x1a\n" + b"rest of the file")

    # When `imagejobs generate --image` runs for image-to-image
    code = run(api, "generate", "a cat", "--image", str(start), "--strength", "0.6")

    # Then the file went to S3, and the request names its upload, with the strength
    assert code == 0
    assert api.to(S3_POST)[0].form()[-1][3] == start.read_bytes()
    [body] = [r.body for r in api.to("POST /v1/jobs")]
    assert body == {
        "prompt": "a cat",
        "image": {"upload_id": offered["upload_id"]},
        "strength": 0.6,
    }


def test_edit_uploads_the_photo_and_its_mask_waits_and_saves_the_result(
    api: StandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a photo and a mask on disk, and a job that succeeds
    offered = take_uploads(api)
    photo, mask = tmp_path / "photo.jpg", tmp_path / "mask.png"
    photo.write_bytes(b"\xff\xd8\xff\xe0 a jpeg")
    mask.write_bytes(b"\x89PNG\r\n\x1a\n a mask")
    succeeds_with_image(api, b"\x89PNG result")

    # When `imagejobs edit inpaint` runs with a mask, a prompt, --wait and --out
    argv = ["edit", "inpaint", str(photo), "--mask", str(mask), "--prompt", "a glass"]
    code = run(api, *argv, "--grow-mask", "3", "--wait", "--out", str(tmp_path / "out"))

    # Then both files went up, the job names them with its task, and the result was saved
    assert code == 0
    assert [r.form()[-1][3] for r in api.to(S3_POST)] == [photo.read_bytes(), mask.read_bytes()]
    upload = {"upload_id": offered["upload_id"]}
    [body] = [r.body for r in api.to("POST /v1/jobs")]
    assert body == {
        "prompt": "a glass",
        "task": "inpaint",
        "image": upload,
        "mask": upload,
        "grow_mask": 3,
    }
    saved = tmp_path / "out" / f"{JOB_ID}-0.png"
    out, err = capsys.readouterr()
    assert saved.read_bytes() == b"\x89PNG result"
    assert f"saved {saved.resolve()}" in out
    assert f"uploaded {photo}" in err


@pytest.mark.parametrize(
    ("argv", "sent"),
    [
        (
            ["remove-background", JOB_ID, "--format", "webp"],
            {"image": {"job_id": JOB_ID, "index": 0}, "format": "webp"},
        ),
        (
            ["upscale", f"{JOB_ID}:2", "--mode", "fast"],
            {"image": {"job_id": JOB_ID, "index": 2}, "mode": "fast"},
        ),
        (
            ["outpaint", "up_" + "a" * 32, "--left", "256", "--up", "64"],
            {"image": {"upload_id": "up_" + "a" * 32}, "left": 256, "up": 64},
        ),
    ],
    ids=["a job's first image", "a job's third image", "an upload id"],
)
def test_edit_takes_a_jobs_image_or_an_upload_id_without_uploading(
    api: StandIn, argv: list[str], sent: dict[str, object]
) -> None:
    # When `imagejobs edit` names a job's image or an upload, with the task's options
    assert run(api, "edit", *argv) == 0

    # Then the request names it as the API takes it, with nothing uploaded and no prompt
    [body] = [r.body for r in api.to("POST /v1/jobs")]
    assert body == {"task": argv[0], **sent}
    assert api.to(UPLOADS) == []


def test_edit_of_a_file_that_does_not_exist_says_so_before_any_request(
    api: StandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        client.main(["--api-url", api.url, "edit", "upscale", "no-such-photo.jpg"])
    assert exited.value.code == "image: no such file: no-such-photo.jpg"
    assert api.received == []


def test_generate_offers_no_option_that_only_an_edit_takes() -> None:
    commands = client.parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    flags = {a.dest for a in commands["generate"]._actions}
    edit_flags = {a.dest for a in commands["edit"]._actions}
    assert {"left", "mode", "mask", "grow_mask"} & flags == set()
    assert {"left", "mode", "mask", "grow_mask", "prompt", "image", "task"} <= edit_flags


def test_upload_prints_the_upload_id(
    api: StandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a deployment taking uploads, and a WebP file
    offered = take_uploads(api)
    photo = tmp_path / "photo.webp"
    photo.write_bytes(b"RIFF\x10\x00\x00\x00WEBPVP8 ")

    # When `imagejobs upload` runs, then it sent the file and printed its id alone on stdout
    assert run(api, "upload", str(photo)) == 0
    assert api.to(S3_POST)[0].form()[-1][3] == photo.read_bytes()
    assert capsys.readouterr().out == offered["upload_id"] + "\n"
