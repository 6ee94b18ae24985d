"""The `imagejobs` CLI (built on the SDK) against a local HTTP stand-in for the API."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from imagejobs.models.lifecycle import LifecycleStatus, ModelLifecycle
from imagejobs_dev import client
from tests.support.api_standin import (
    JOB_ID,
    Scripted,
    StandIn,
    job_body,
    models_body,
    running_standin,
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
    image_url = api.url + "images/0.png"
    api.script(JOB, Scripted(200, job_body("succeeded", image_url=image_url)))
    api.script("GET /v1/images/0.png", Scripted(200, raw=b"\x89PNG"))

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
    image_url = api.url + "images/0.png"
    api.script(JOB, Scripted(200, job_body("succeeded", image_url=image_url)))
    api.script("GET /v1/images/0.png", Scripted(200, raw=b"png"))

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


def test_every_generate_option_has_help_in_the_apis_words() -> None:
    # Given the CLI's parser, whose generate options come from the SDK's JobRequest
    generate = client.parser()._subparsers._group_actions[0].choices["generate"]  # type: ignore[union-attr]

    # Then every option says what it does (the SDK's description, checked against the API's
    # document by tests/integration/test_sdk_contract.py)
    options = [a for a in generate._actions if a.option_strings and a.dest != "help"]
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
    assert "* secondary: public price tables on 2026-12-06" in out
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


def test_generate_image_sends_the_file_as_a_data_url(api: StandIn, tmp_path: Path) -> None:
    # Given a PNG file
    start = tmp_path / "start.png"
    start.write_bytes(b"\x89PNG\r\n\x1a\n" + b"rest of the file")

    # When `imagejobs generate --image` runs for image-to-image
    code = run(api, "generate", "a cat", "--image", str(start), "--strength", "0.6")

    # Then the request carries the file's bytes as a PNG data URL, and the strength
    assert code == 0
    [body] = [r.body for r in api.to("POST /v1/jobs")]
    media, _, encoded = body.pop("image").partition(",")
    assert media == "data:image/png;base64"
    assert base64.b64decode(encoded) == start.read_bytes()
    assert body == {"prompt": "a cat", "strength": 0.6}
