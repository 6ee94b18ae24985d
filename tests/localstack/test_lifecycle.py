"""Installing, starting, reusing and stopping LocalStack, without LocalStack.

Fake processes stand in for LocalStack and an http.server thread for its health endpoint.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import fields
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from imagejobs_dev import localstack as local
from imagejobs_dev import stack, stack_info
from imagejobs_dev.localstack import installation

STUBBORN = (
    "import signal, time\n"
    "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    "print('ready', flush=True)\n"
    "time.sleep(600)\n"
)
POLITE = "import time\nprint('ready', flush=True)\ntime.sleep(600)\n"


@pytest.fixture
def spawn() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Fake LocalStack processes, each in its own session as _start() makes it; killed after."""
    processes: list[subprocess.Popen[bytes]] = []
    yield processes
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def started(processes: list[subprocess.Popen[bytes]], code: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, start_new_session=True
    )
    processes.append(process)
    assert process.stdout is not None
    assert process.stdout.readline() == b"ready\n"  # its signal handler is installed
    return process


def gone(process: subprocess.Popen[bytes], within: float) -> bool:
    """Whether the process exits within `within` seconds (reaping it, as its parent)."""
    try:
        process.wait(timeout=within)
    except subprocess.TimeoutExpired:
        return False
    return True


class _Health(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        found = self.path == "/_localstack/health"
        self.send_response(200 if found else 404)
        self.end_headers()
        self.wfile.write(b'{"services": {}}')

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def fake_localstack() -> Iterator[str]:
    """An endpoint whose /_localstack/health answers 200."""
    server = HTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def free_port(monkeypatch: pytest.MonkeyPatch) -> int:
    """Points the tool at a port nothing listens on, whatever runs on 4566."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    monkeypatch.setenv("IMAGEJOBS_LOCALSTACK_PORT", str(port))
    monkeypatch.delenv("LOCALSTACK_ENDPOINT", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    return port


def fake_sources(root: Path) -> None:
    """The files install() reads, under a scratch root."""
    (root / "infra" / "localstack" / "plugins" / "pkg").mkdir(parents=True)
    (root / "infra" / "localstack" / "plugins" / "pkg" / "mod.py").write_text("X = 1\n")
    (root / "infra" / "localstack" / "constraints.txt").write_text("cbor2<6\n")
    (root / "functions").mkdir()
    (root / "functions" / "requirements.txt").write_text("pydantic==2.0\nboto3==1.2.3  # sdk\n")


def test_stop_falls_back_to_sigkill_within_its_bound(
    tmp_path: Path, spawn: list[subprocess.Popen[bytes]]
) -> None:
    # Given a recorded process that ignores SIGTERM
    process = started(spawn, STUBBORN)
    local.write_state(tmp_path, process.pid, "http://127.0.0.1:1")

    # When it is stopped with a 1-second grace period
    began = time.monotonic()
    stopped = local.stop(tmp_path, timeout=1)
    elapsed = time.monotonic() - began

    # Then it was killed (it ignores SIGTERM) after the grace period, promptly, and forgotten
    assert stopped is True
    assert gone(process, within=5)
    assert 1 <= elapsed < 8
    assert not local.Layout(tmp_path).state.exists()


def test_stop_ends_a_well_behaved_process_with_sigterm(
    tmp_path: Path, spawn: list[subprocess.Popen[bytes]]
) -> None:
    # Given a recorded process that exits on SIGTERM
    process = started(spawn, POLITE)
    local.write_state(tmp_path, process.pid, "http://127.0.0.1:1")

    # When it is stopped with a 10-second grace period
    began = time.monotonic()
    stopped = local.stop(tmp_path, timeout=10)

    # Then SIGTERM ended it well before the SIGKILL fallback was due
    assert stopped is True
    assert gone(process, within=5)
    assert time.monotonic() - began < 5


def test_stop_without_a_state_file_stops_nothing(tmp_path: Path) -> None:
    # Given no LocalStack was started from this root

    # When stop is called
    stopped = local.stop(tmp_path)

    # Then it reports that nothing was stopped
    assert stopped is False


def test_stop_never_signals_a_process_that_reused_the_recorded_pid(
    tmp_path: Path, spawn: list[subprocess.Popen[bytes]]
) -> None:
    # Given a state file whose pid now belongs to another process (another start time)
    process = started(spawn, POLITE)
    local.Layout(tmp_path).home.mkdir()
    local.Layout(tmp_path).state.write_text(
        f'{{"pid": {process.pid}, "started": "1", "endpoint_url": "http://127.0.0.1:1"}}'
    )

    # When stop is called
    stopped = local.stop(tmp_path, timeout=1)

    # Then that process is left alone, and the stale record is dropped
    assert stopped is False
    assert not gone(process, within=0.5)
    assert not local.Layout(tmp_path).state.exists()


def test_a_localstack_named_in_the_environment_is_used_and_not_owned(
    tmp_path: Path, fake_localstack: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given LOCALSTACK_ENDPOINT names a LocalStack that answers
    monkeypatch.setenv("LOCALSTACK_ENDPOINT", fake_localstack)

    # When one is asked for
    found = local.ensure_running(tmp_path)

    # Then that one is used, nothing is installed or started, and it is not ours to stop
    assert found.endpoint_url == fake_localstack
    assert found.started_here is False
    assert found.ca_bundle is None
    assert not local.Layout(tmp_path).home.exists()


def test_our_running_instance_is_reused_when_the_named_one_does_not_answer(
    tmp_path: Path,
    fake_localstack: str,
    free_port: int,
    spawn: list[subprocess.Popen[bytes]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a named endpoint that does not answer, and a recorded instance of ours that does
    monkeypatch.setenv("LOCALSTACK_ENDPOINT", f"http://127.0.0.1:{free_port}")
    process = started(spawn, POLITE)
    local.write_state(tmp_path, process.pid, fake_localstack)

    # When one is asked for
    found = local.ensure_running(tmp_path)

    # Then the recorded one is reused, still running, and not marked as started here
    assert found.endpoint_url == fake_localstack
    assert found.started_here is False
    assert not gone(process, within=0.1)


def test_a_failed_start_raises_with_the_log_tail_and_leaves_no_state(
    tmp_path: Path, free_port: int
) -> None:
    # Given an installed root whose LocalStack exits at once with a message
    fake_sources(tmp_path)
    layout = local.Layout(tmp_path)
    layout.python.parent.mkdir(parents=True)
    layout.python.write_text("#!/bin/sh\necho 'boom: cannot start' >&2\nexit 3\n")
    layout.python.chmod(0o755)
    layout.marker.write_text(local.fingerprint(layout))

    # When it is started
    began = time.monotonic()
    with pytest.raises(local.LocalStackError, match="boom: cannot start") as failure:
        local.ensure_running(tmp_path, timeout=20)

    # Then the error came as soon as it exited, quoting the log, and nothing is recorded
    assert time.monotonic() - began < 10
    assert str(layout.log) in str(failure.value)
    assert not layout.state.exists()


def test_install_is_instant_when_nothing_changed_and_reruns_when_a_pin_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an install whose marker matches the sources, and a pip that records its calls
    fake_sources(tmp_path)
    layout = local.Layout(tmp_path)
    layout.home.mkdir()
    layout.marker.write_text(local.fingerprint(layout))
    calls: list[list[str]] = []
    monkeypatch.setattr(installation.subprocess, "run", lambda args, **_: calls.append(list(args)))
    monkeypatch.setattr(installation, "find_python313", lambda: Path(sys.executable))

    # When install runs, then again after a constraint changed
    local.install(tmp_path)
    unchanged = list(calls)
    (tmp_path / "infra" / "localstack" / "constraints.txt").write_text("cbor2<5\n")
    local.install(tmp_path)

    # Then the first run did nothing, the second installed the SDK pinned for the functions
    assert unchanged == []
    assert any("boto3==1.2.3" in call for call in calls)
    assert any("--target" in call and str(layout.sdk) in call for call in calls)
    assert layout.marker.read_text() == local.fingerprint(layout)


def test_the_sdk_pin_is_read_from_the_functions_requirements() -> None:
    # Given the repository's functions/requirements.txt
    text = (local.ROOT / "functions" / "requirements.txt").read_text()

    # When the SDK requirement is derived
    requirement = local.sdk_requirement(local.ROOT)

    # Then it is the exact boto3 line of that file
    assert requirement.startswith("boto3==")
    assert requirement in text


def test_find_python313_prefers_the_explicit_interpreter(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given PYTHON313 names a 3.13 interpreter (this venv's)
    monkeypatch.setenv("PYTHON313", sys.executable)

    # When the interpreter is looked up
    found = local.find_python313()

    # Then it is the one named
    assert found == Path(sys.executable)
    assert os.access(found, os.X_OK)


def test_make_down_forgets_a_stack_whose_localstack_is_gone(tmp_path: Path) -> None:
    # Given a recorded stack on a LocalStack that no longer answers (a test session stopped it)
    recorded = {f.name: "x" for f in fields(stack_info.StackInfo)} | {
        "endpoint_url": "http://127.0.0.1:9"
    }
    stack_info.state_file(tmp_path).parent.mkdir(parents=True)
    stack_info.state_file(tmp_path).write_text(json.dumps(recorded))

    # When `make down` runs
    stack.down(tmp_path)

    # Then it does not try to delete the stack there, and forgets it
    assert not stack_info.state_file(tmp_path).exists()


def test_our_localstack_is_reached_over_https_by_name_with_its_certificate(tmp_path: Path) -> None:
    # Given our LocalStack's endpoint and the certificate it wrote
    certificate = tmp_path / "server.test.pem"
    certificate.write_text("-----BEGIN CERTIFICATE-----\n")

    # When its coordinates are derived
    found = local.LocalStack.at("http://127.0.0.1:4603", certificate, started_here=True)

    # Then HTTPS uses the same port under the certificate's name, trusting that certificate
    assert found.endpoint_url == "http://127.0.0.1:4603"
    assert found.https_endpoint_url == "https://localhost:4603"
    assert found.ca_bundle == certificate
    assert found.started_here is True


def test_a_localstack_whose_certificate_is_unknown_gets_no_https_coordinates() -> None:
    # Given the endpoint of a LocalStack that is not ours

    # When its coordinates are derived without a certificate
    found = local.LocalStack.at("http://localstack:4566", None, started_here=False)

    # Then it is reached over HTTP only
    assert (found.https_endpoint_url, found.ca_bundle) == (None, None)


def test_a_certificate_not_written_yet_is_no_ca_bundle(tmp_path: Path) -> None:
    # Given our LocalStack's endpoint, before it wrote its certificate

    # When its coordinates are derived
    found = local.LocalStack.at(
        "http://127.0.0.1:4603", tmp_path / "absent.pem", started_here=False
    )

    # Then there is an HTTPS URL but no CA bundle to verify it with yet
    assert found.https_endpoint_url == "https://localhost:4603"
    assert found.ca_bundle is None
