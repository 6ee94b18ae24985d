"""Where `make up` points the local functions for Bedrock (imagejobs_dev.bedrock_local): the
stand-in it starts, reuses and stops as a process of its own, and the file the LocalStack
plugin reads. Real stand-in processes in a scratch clone's `.localstack/`; no LocalStack."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from imagejobs.engines.catalogue import CATALOGUE
from imagejobs_dev import bedrock_local, stack
from imagejobs_dev.localstack.process import alive, start_time
from tests.support.http import call, poll

DIES_AT_FIRST_CONNECTION = """
import socket
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", 0))
server.listen()
print(server.getsockname()[1], flush=True)
server.accept()[0].close()
"""


@pytest.fixture
def root(tmp_path: Path) -> Iterator[Path]:
    """A scratch clone root; whatever stand-in a test left running is stopped after it."""
    yield tmp_path
    bedrock_local.stop_standin(tmp_path)


def test_the_stand_in_is_started_once_and_reused_while_it_answers(root: Path) -> None:
    # Given no stand-in
    # When make up asks for one twice
    first = bedrock_local.ensure_standin(root)
    record = bedrock_local.read_record(root)
    second = bedrock_local.ensure_standin(root)

    # Then one process serves both, as Bedrock in us-east-1, and is recorded with its start time
    assert second == first
    assert record is not None
    assert bedrock_local.read_record(root) == record
    assert record.running_pid() == record.pid
    health = call("GET", f"{first}/_standin/health", None, timeout=5)
    assert (health.status, health.json()["region"]) == (200, "us-east-1")
    # And it admits any key with a valid scope, as LocalStack's functions sign with `test`
    config = call("GET", f"{first}/_standin/config", None, timeout=5).json()
    assert config["region"] == "us-east-1"


def test_a_stand_in_launched_beside_localstack_is_waited_for_not_replaced(root: Path) -> None:
    # Given a stand-in launched without waiting, as make up launches it before LocalStack
    launched = bedrock_local.launch(root)

    # When make up then waits for it
    url = bedrock_local.ensure_standin(root)

    # Then the launched process is the one that answers
    assert url == launched.url
    assert bedrock_local.read_record(root) == launched
    assert bedrock_local.answers(url)


def test_a_stand_in_that_died_is_started_again_on_its_port(root: Path) -> None:
    # Given a stand-in that was killed behind make's back
    url = bedrock_local.ensure_standin(root)
    record = bedrock_local.read_record(root)
    assert record is not None
    os.kill(record.pid, signal.SIGKILL)
    poll(lambda: bedrock_local.answers(url, 0.2), lambda up: not up, 10, "it to stop answering")

    # When make up asks for it again
    again = bedrock_local.ensure_standin(root)

    # Then a new process answers on the same URL, so functions started before still reach it
    assert again == url
    renewed = bedrock_local.read_record(root)
    assert renewed is not None
    assert renewed.pid != record.pid
    assert bedrock_local.answers(again)


def test_a_recorded_stand_in_that_dies_while_waited_for_is_replaced(root: Path) -> None:
    # Given a record naming a process that is still alive but about to end, and answers nothing
    # (a stand-in killed a moment ago: it has stopped answering but not yet exited). This one
    # listens on the recorded port and exits at its first connection, unanswered.
    dying = subprocess.Popen(
        [sys.executable, "-c", DIES_AT_FIRST_CONNECTION], stdout=subprocess.PIPE
    )
    assert dying.stdout is not None
    port = int(dying.stdout.readline())
    record = bedrock_local.StandInRecord(
        dying.pid, start_time(dying.pid), f"http://127.0.0.1:{port}"
    )
    bedrock_local.state_file(root).parent.mkdir(parents=True, exist_ok=True)
    bedrock_local.state_file(root).write_text(json.dumps(dataclasses.asdict(record)))

    # When make up asks for the stand-in
    url = bedrock_local.ensure_standin(root)
    dying.wait(5)

    # Then, once that process ends, a new stand-in is started on the recorded port
    assert url == record.url
    renewed = bedrock_local.read_record(root)
    assert renewed is not None
    assert renewed.pid != dying.pid
    assert bedrock_local.answers(url)


def test_make_down_stops_the_stand_in_and_unpoints_the_functions(root: Path) -> None:
    # Given a stand-in the functions are pointed at
    url = bedrock_local.ensure_standin(root)
    bedrock_local.point_functions_at(root, url)
    record = bedrock_local.read_record(root)
    assert record is not None

    # When make down forgets them
    bedrock_local.forget(root)

    # Then the process is gone, and neither its record nor the functions' file is left
    poll(lambda: alive(record.pid), lambda running: not running, 10, "the stand-in to end")
    assert bedrock_local.read_record(root) is None
    assert not bedrock_local.environment_file(root).exists()
    # And a second make down has nothing to stop
    assert bedrock_local.stop_standin(root) is False


def test_the_functions_file_names_both_bedrock_clients_endpoints(root: Path) -> None:
    # When the functions are pointed at a URL given as BEDROCK_ENDPOINT_URL
    bedrock_local.point_functions_at(root, "http://127.0.0.1:4599/")

    # Then both clients' service-specific variables name it, and nothing else is in the file
    written = json.loads(bedrock_local.environment_file(root).read_text())
    assert written == {
        "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": "http://127.0.0.1:4599",
        "AWS_ENDPOINT_URL_BEDROCK": "http://127.0.0.1:4599",
    }
    # And a given URL starts no stand-in
    assert bedrock_local.bedrock_endpoint(root, "http://127.0.0.1:4599") == "http://127.0.0.1:4599"
    assert bedrock_local.read_record(root) is None


def test_a_pid_reused_by_another_process_is_never_signalled(root: Path) -> None:
    # Given a record whose pid is this test's own process, with another start time
    state = bedrock_local.state_file(root)
    state.parent.mkdir(parents=True)
    state.write_text(json.dumps({"pid": os.getpid(), "started": "1", "url": "http://127.0.0.1:9"}))

    # When make down stops the stand-in, then nothing is signalled (this test lives on)
    assert bedrock_local.stop_standin(root) is False


def test_the_local_stack_offers_every_model_and_bedrock_makes_a_stability_model_the_default() -> (
    None
):
    # Given the parameters `make up` deploys with, and with IMAGE_ENGINE=bedrock
    def parameters(engine: str) -> dict[str, str]:
        found = stack.parameters(stack.ROOT, engine)
        return {p["ParameterKey"]: p["ParameterValue"] for p in found}

    pillow, bedrock = parameters("pillow"), parameters("bedrock")

    # Then both offer every model of the catalogue; only the default differs, a Bedrock model
    assert sorted(pillow["Models"].split(",")) == sorted(CATALOGUE)
    assert pillow["DefaultModel"] == "pillow"
    assert bedrock == {**pillow, "DefaultModel": stack.DEFAULT_MODELS["bedrock"]}
    assert CATALOGUE[bedrock["DefaultModel"]].bedrock is not None
