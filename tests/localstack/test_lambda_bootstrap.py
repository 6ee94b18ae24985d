"""The executor's child runtime, driven over its pipes exactly as the executor drives it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

BOOTSTRAP = (
    Path(__file__).resolve().parents[2]
    / "infra/localstack/plugins/imagejobs_localstack/lambda_bootstrap.py"
)

HANDLER = """
import time

def handler(event, context):
    print("handling", event["n"])
    if event.get("fail"):
        raise KeyError("missing thing")
    if event.get("import"):
        __import__(event["import"])
    before = context.get_remaining_time_in_millis()
    time.sleep(0.05)
    return {"n": event["n"], "request": context.aws_request_id,
            "spent": before - context.get_remaining_time_in_millis()}
"""


class Runtime:
    def __init__(self, code_dir: Path) -> None:
        request_read, self._request_write = os.pipe()
        self._response_read, response_write = os.pipe()
        fds = [str(request_read), str(response_write)]
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-S", str(BOOTSTRAP), *fds, str(code_dir)],
            env={"_HANDLER": "app.handler", "AWS_LAMBDA_FUNCTION_NAME": "fn"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            pass_fds=(request_read, response_write),
        )
        os.close(request_read)
        os.close(response_write)
        self.requests = os.fdopen(self._request_write, "w")
        self.responses = os.fdopen(self._response_read, "r")

    def read(self) -> dict[str, Any]:
        return json.loads(self.responses.readline())  # type: ignore[no-any-return]

    def invoke(self, event: dict[str, Any], request_id: str = "req-1") -> dict[str, Any]:
        deadline_ms = int(time.time() * 1000) + 3000
        message = {
            "request_id": request_id,
            "invoked_arn": "arn:aws:lambda:us-east-1:000000000000:function:fn",
            "payload": json.dumps(event),
            "trace_id": None,
            "deadline_ms": deadline_ms,
        }
        self.requests.write(json.dumps(message) + "\n")
        self.requests.flush()
        return self.read()

    def close(self) -> str:
        self.requests.close()
        self.process.wait(timeout=10)
        assert self.process.stdout is not None
        return self.process.stdout.read().decode()


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    (tmp_path / "app.py").write_text(HANDLER)
    started = Runtime(tmp_path)
    assert started.read() == {"ready": True}
    yield started
    if started.process.poll() is None:
        started.process.kill()


def test_the_handler_result_comes_back_as_json(runtime: Runtime) -> None:
    # Given a started runtime
    # When it is invoked twice
    first = runtime.invoke({"n": 1}, "req-1")
    second = runtime.invoke({"n": 2}, "req-2")

    # Then each answer carries that invocation's result and request id
    assert first["ok"] is True
    assert json.loads(first["payload"])["request"] == "req-1"
    assert json.loads(second["payload"])["n"] == 2


def test_the_context_counts_down_the_remaining_time(runtime: Runtime) -> None:
    # Given a handler that sleeps 50 ms between two reads of the remaining time
    # When it runs
    result = json.loads(runtime.invoke({"n": 1})["payload"])

    # Then the remaining time went down by about that much
    assert 40 <= result["spent"] <= 1000


def test_an_exception_comes_back_in_lambdas_error_shape(runtime: Runtime) -> None:
    # Given a handler that raises
    # When it is invoked
    response = runtime.invoke({"n": 1, "fail": True})

    # Then the error payload has Lambda's fields and starts in the handler's own frame
    assert response["ok"] is False
    error = json.loads(response["payload"])
    assert error["errorType"] == "KeyError"
    assert "missing thing" in error["errorMessage"]
    assert "app.py" in error["stackTrace"][0]
    # And the runtime keeps serving
    assert runtime.invoke({"n": 2})["ok"] is True


@pytest.mark.parametrize("module", ["pytest", "pydantic"])
def test_packages_of_the_launching_environment_are_not_importable(
    runtime: Runtime, module: str
) -> None:
    # Given a package installed beside the interpreter but not in the function's code
    # When the handler imports it
    response = runtime.invoke({"n": 1, "import": module})

    # Then it is missing, as on AWS
    assert response["ok"] is False
    assert json.loads(response["payload"])["errorType"] == "ModuleNotFoundError"


def test_handler_output_is_followed_by_an_end_of_logs_marker(runtime: Runtime) -> None:
    # Given an invocation that prints
    runtime.invoke({"n": 7}, "req-7")

    # When the runtime's output is read
    output = runtime.close()

    # Then the print comes before the invocation's marker
    assert output.index("handling 7") < output.index("imagejobs-end-of-logs req-7")


def test_an_import_error_at_init_is_reported_instead_of_ready(tmp_path: Path) -> None:
    # Given a handler module that fails to import
    (tmp_path / "app.py").write_text("raise RuntimeError('bad init')\n")

    # When the runtime starts
    runtime = Runtime(tmp_path)
    message = runtime.read()

    # Then it reports the init error and exits
    assert message["init_error"]["errorType"] == "RuntimeError"
    runtime.close()
    assert runtime.process.returncode == 0
