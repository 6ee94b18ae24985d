"""Starting, reusing and stopping LocalStack, without LocalStack: fake processes and endpoints."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from imagejobs_dev import localstack as local

STUBBORN = (
    "import signal, time\n"
    "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    "print('ready', flush=True)\n"
    "time.sleep(600)\n"
)


def started(code: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, start_new_session=True
    )
    assert process.stdout is not None
    assert process.stdout.readline() == b"ready\n"  # its signal handler is installed
    return process


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def record(root: Path, process: subprocess.Popen[bytes]) -> None:
    local.Layout(root).home.mkdir(parents=True)
    local.Layout(root).state.write_text(json.dumps({"pid": process.pid}))


def test_stop_falls_back_to_sigkill_within_its_bound(tmp_path: Path) -> None:
    # Given a recorded process that ignores SIGTERM
    process = started(STUBBORN)
    record(tmp_path, process)

    # When it is stopped with a 1-second grace period
    began = time.monotonic()
    stopped = local.stop(tmp_path, timeout=1)

    # Then it was killed after the grace period, promptly, and forgotten
    elapsed = time.monotonic() - began
    assert stopped is True
    assert gone(process.pid)
    assert 1 <= elapsed < 8
    assert not local.Layout(tmp_path).state.exists()


def test_stop_ends_a_well_behaved_process_with_sigterm(tmp_path: Path) -> None:
    # Given a recorded process that exits on SIGTERM
    process = started("import time; print('ready', flush=True); time.sleep(600)")
    record(tmp_path, process)

    # When it is stopped with a 10-second grace period
    began = time.monotonic()
    stopped = local.stop(tmp_path, timeout=10)

    # Then SIGTERM ended it well before the SIGKILL fallback was due
    assert stopped is True
    assert gone(process.pid)
    assert time.monotonic() - began < 5


def test_stop_without_a_record_stops_nothing(tmp_path: Path) -> None:
    # Given no LocalStack was started from this root
    # When stop is called
    # Then it reports that nothing was stopped
    assert local.stop(tmp_path) is False


class _Health(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        status = 200 if self.path == "/_localstack/health" else 404
        self.send_response(status)
        self.end_headers()
        self.wfile.write(b'{"services": {}}')

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def fake_localstack() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


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
    assert not local.Layout(tmp_path).home.exists()


def test_a_named_localstack_that_does_not_answer_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given LOCALSTACK_ENDPOINT names a port nothing listens on
    monkeypatch.setenv("LOCALSTACK_ENDPOINT", "http://127.0.0.1:9")

    # When one is asked for
    # Then it fails, naming the endpoint, instead of starting another
    with pytest.raises(SystemExit, match=r"127\.0\.0\.1:9"):
        local.ensure_running(tmp_path)
