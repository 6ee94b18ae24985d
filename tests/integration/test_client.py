"""The `imagejobs` CLI (built on the SDK) against a local HTTP stand-in for the API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from imagejobs_dev import client
from tests.support.api_standin import JOB_ID, Scripted, StandIn, job_body, running_standin

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
