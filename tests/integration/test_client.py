"""The `imagejobs` CLI against a tiny local HTTP stand-in for the API: real requests, no AWS."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from imagejobs_dev import client

JOB_ID = "3f1c9a5e-7b2d-4e8f-9a61-2c5d8e0b7f14"


@dataclass
class StandIn:
    """Answers `POST /jobs` with a queued job and each `GET /jobs/{id}` with the next state."""

    states: list[str]
    url: str = ""
    submitted: list[dict[str, Any]] = field(default_factory=list)
    reads: int = 0

    def job(self, status: str) -> dict[str, Any]:
        return {"job_id": JOB_ID, "status": status, "images": [], "error": None}


@pytest.fixture
def api() -> Iterator[StandIn]:
    standin = StandIn(states=[])

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            standin.submitted.append(json.loads(self.rfile.read(length)))
            self._answer(202, standin.job("queued"))

        def do_GET(self) -> None:
            assert self.path == f"/jobs/{JOB_ID}"
            status = standin.states[min(standin.reads, len(standin.states) - 1)]
            standin.reads += 1
            self._answer(200, standin.job(status))

        def _answer(self, code: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    standin.url = f"http://127.0.0.1:{server.server_port}"
    try:
        yield standin
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("final", ["succeeded", "failed", "canceled"])
def test_waiting_ends_at_every_terminal_state(api: StandIn, final: str) -> None:
    # Given a job that runs, then ends in a terminal state
    api.states = ["queued", "running", final]

    # When the CLI waits for it, with far more time than it needs
    job = client.wait_for(client.Api(api.url), JOB_ID, timeout=30, interval=0.01)

    # Then it returns the job as soon as it has ended, instead of polling until the timeout
    assert (job["status"], api.reads) == (final, 3)


def test_generate_wait_on_a_canceled_job_exits_with_an_error(
    api: StandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a job that is canceled while the CLI waits for it
    api.states = ["running", "canceled"]
    argv = ["--api-url", api.url, "--api-key", "k", "generate", "a cat", "--wait", "--timeout=30"]

    # When `imagejobs generate --wait` runs
    with pytest.raises(SystemExit) as exited:
        client.main(argv)

    # Then it stops at once, says so and exits non-zero
    assert exited.value.code == 1
    assert api.reads == 2
    assert "canceled" in capsys.readouterr().err


def test_generate_sends_each_option_given_under_the_apis_name(api: StandIn) -> None:
    # Given every generation option on the command line
    options = "--negative-prompt dogs --width 256 --height 192 --seed 42 --num-images 2"
    options += " --format jpeg --quality 80 --style vibrant --guidance 7.5"
    argv = ["--api-url", api.url, "--api-key", "k", "generate", "a cat", *options.split()]

    # When `imagejobs generate` runs without waiting
    with pytest.raises(SystemExit) as exited:
        client.main(argv)

    # Then the request carries exactly those options, typed and named as the API takes them
    assert exited.value.code == 0
    assert api.submitted == [
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
