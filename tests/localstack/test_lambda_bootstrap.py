"""The Lambda child bootstrap, run as the executor runs it, without LocalStack."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.support.modules import load_module

ROOT = Path(__file__).resolve().parents[2]
BOOTSTRAP = (
    ROOT / "infra" / "localstack" / "plugins" / "imagejobs_localstack" / "lambda_bootstrap.py"
)
ANSWER_SECONDS = 20


def _load_bootstrap() -> ModuleType:
    # By path, as the executor runs it: the plugin package is not installed in this venv.
    return load_module("lambda_bootstrap", BOOTSTRAP)


FLAGS: tuple[str, ...] = _load_bootstrap().INTERPRETER_FLAGS


@dataclass
class Child:
    """A bootstrap process and the two pipes the executor would hold."""

    process: subprocess.Popen[bytes]
    requests: Any
    responses: Any

    def answer(self) -> dict[str, Any]:
        line = self.responses.readline()
        assert line, f"the bootstrap exited: {self.output()}"
        message: dict[str, Any] = json.loads(line)
        return message

    def invoke(self, event: object, timeout_ms: int = 30_000, **extra: Any) -> dict[str, Any]:
        request = {
            "request_id": extra.pop("request_id", "req-1"),
            "invoked_arn": "arn:aws:lambda:us-east-1:000000000000:function:tiny",
            "payload": json.dumps(event),
            "trace_id": extra.pop("trace_id", None),
            "deadline_ms": int(time.time() * 1000) + timeout_ms,
        }
        self.requests.write(json.dumps(request) + "\n")
        self.requests.flush()
        return self.answer()

    def output(self) -> str:
        self.requests.close()
        try:
            out, _ = self.process.communicate(timeout=ANSWER_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            out, _ = self.process.communicate()
        return out.decode()


def start(code: Path, handler: str, *paths: Path, flags: tuple[str, ...] = FLAGS) -> Child:
    request_read, request_write = os.pipe()
    response_read, response_write = os.pipe()
    env = {
        "_HANDLER": handler,
        "AWS_LAMBDA_FUNCTION_NAME": "tiny",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/tiny",
        "AWS_LAMBDA_LOG_STREAM_NAME": "2026/01/01/[$LATEST]abc",
        "PATH": os.environ.get("PATH", ""),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            *flags,
            str(BOOTSTRAP),
            str(request_read),
            str(response_write),
            str(code),
            *map(str, paths),
        ],
        env=env,
        cwd=code,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        pass_fds=(request_read, response_write),
    )
    os.close(request_read)
    os.close(response_write)
    return Child(
        process,
        os.fdopen(request_write, "w", encoding="utf-8"),
        os.fdopen(response_read, "r", encoding="utf-8"),
    )


@pytest.fixture
def function(tmp_path: Path) -> Iterator[Child]:
    """A started bootstrap around a tiny handler module, ready for requests."""
    code = tmp_path / "code"
    code.mkdir()
    (code / "app.py").write_text(
        textwrap.dedent(
            """
            import os
            import sys
            import time

            imported_at = time.time()

            def handler(event, context):
                print("handling", event.get("name"))
                if event.get("fail"):
                    raise ValueError("bad " + event["fail"])
                if event.get("import"):
                    __import__(event["import"])
                if event.get("sleep"):
                    first = context.get_remaining_time_in_millis()
                    time.sleep(event["sleep"])
                    return {"first": first, "second": context.get_remaining_time_in_millis()}
                return {
                    "hello": event.get("name"),
                    "request_id": context.aws_request_id,
                    "function_name": context.function_name,
                    "memory": context.memory_limit_in_mb,
                    "arn": context.invoked_function_arn,
                    "log_group": context.log_group_name,
                    "log_stream": context.log_stream_name,
                    "remaining": context.get_remaining_time_in_millis(),
                    "trace": os.environ.get("_X_AMZN_TRACE_ID"),
                    "imported_at": imported_at,
                    "path": sys.path,
                }
            """
        )
    )
    child = start(code, "app.handler")
    assert child.answer() == {"ready": True}
    yield child
    if child.process.poll() is None:
        child.process.kill()
        child.process.wait()


def test_returns_the_handler_result_with_a_lambda_context(function: Child) -> None:
    # Given a started environment

    # When it is invoked twice
    first = function.invoke({"name": "ada"}, request_id="r-1", trace_id="Root=1-abc")
    second = function.invoke({"name": "bob"}, request_id="r-2")

    # Then each result is the handler's, with a context like Lambda's
    assert first["ok"] is True
    result = json.loads(first["payload"])
    context = {
        "hello": "ada",
        "request_id": "r-1",
        "function_name": "tiny",
        "memory": 256,
        "log_group": "/aws/lambda/tiny",
        "log_stream": "2026/01/01/[$LATEST]abc",
        "trace": "Root=1-abc",
    }
    assert {key: result[key] for key in context} == context
    assert result["arn"].endswith(":function:tiny")
    assert 0 < result["remaining"] <= 30_000
    # And the module was imported once, and a request without a trace id clears it
    later = json.loads(second["payload"])
    assert later["imported_at"] == result["imported_at"]
    assert later["trace"] is None
    # And the handler's output is the function's log, ended by the marker line per request
    output = function.output()
    assert "handling ada\n" in output
    assert "imagejobs-end-of-logs r-1" in output


def test_a_handler_exception_comes_back_in_lambda_error_shape(function: Child) -> None:
    # Given a started environment

    # When the handler raises
    answer = function.invoke({"fail": "input"}, request_id="r-err")

    # Then the answer is an error with Lambda's fields, traced from the handler
    assert answer["ok"] is False
    error = json.loads(answer["payload"])
    shown = {"errorType": "ValueError", "errorMessage": "bad input", "requestId": "r-err"}
    assert {key: error[key] for key in shown} == shown
    assert any("app.py" in frame and "handler" in frame for frame in error["stackTrace"])
    assert not any("lambda_bootstrap" in frame for frame in error["stackTrace"])
    # And the environment keeps serving
    assert function.invoke({"name": "again"})["ok"] is True
    # And the log shows the error as the AWS runtime prints it
    assert "[ERROR] ValueError: bad input" in function.output()


@pytest.mark.parametrize("module", ["pytest", "pydantic", "imagejobs"])
def test_packages_outside_the_function_paths_are_not_importable(
    function: Child, module: str
) -> None:
    # Given a module importable in the interpreter that runs the bootstrap (this venv)
    __import__(module)

    # When the handler imports it
    answer = function.invoke({"import": module})

    # Then it fails as on Lambda, where only the code, layers and the SDK are on the path
    assert answer["ok"] is False
    error = json.loads(answer["payload"])
    assert error["errorType"] == "ModuleNotFoundError"
    assert module in error["errorMessage"]


def test_sys_path_is_the_function_paths_then_the_standard_library(
    function: Child, tmp_path: Path
) -> None:
    # Given a started environment

    # When the handler reports its sys.path
    path = json.loads(function.invoke({})["payload"])["path"]

    # Then the code folder comes first and no site-packages folder is on it
    assert path[0] == str(tmp_path / "code")
    assert not [entry for entry in path if "site-packages" in entry]


def test_remaining_time_decreases_during_an_invocation(function: Child) -> None:
    # Given a started environment and a 5 s budget

    # When the handler sleeps between two readings
    result = json.loads(function.invoke({"sleep": 0.3}, timeout_ms=5_000)["payload"])

    # Then the second reading is lower by about the sleep, and both are within the budget
    assert 5_000 >= result["first"] > result["second"]
    assert result["first"] - result["second"] >= 250


def test_an_extra_path_such_as_a_layer_is_importable(tmp_path: Path) -> None:
    # Given a handler that imports a module from a second folder (a layer's python/)
    code = tmp_path / "code"
    layer = tmp_path / "layer" / "python"
    code.mkdir()
    layer.mkdir(parents=True)
    (layer / "shared_lib.py").write_text("VALUE = 42\n")
    (code / "app.py").write_text(
        "import shared_lib\ndef handler(e, c):\n    return shared_lib.VALUE\n"
    )
    child = start(code, "app.handler", layer)

    # When it starts and is invoked
    ready = child.answer()
    answer = child.invoke({})
    child.output()

    # Then the layer's module was found
    assert ready == {"ready": True}
    assert answer == {"ok": True, "payload": "42"}


def test_an_import_error_is_reported_as_an_init_error(tmp_path: Path) -> None:
    # Given a handler module that imports a package the function does not ship
    code = tmp_path / "code"
    code.mkdir()
    (code / "app.py").write_text("import pydantic\ndef handler(e, c):\n    return 1\n")

    # When the environment starts
    child = start(code, "app.handler")
    message = child.answer()
    child.output()

    # Then it reports Lambda's import error instead of becoming ready
    error = message["init_error"]
    assert error["errorType"] == "Runtime.ImportModuleError"
    assert error["errorMessage"].startswith("Unable to import module 'app'")
    assert "pydantic" in error["errorMessage"]


def test_an_unserialisable_result_is_a_marshal_error(tmp_path: Path) -> None:
    # Given a handler that returns an object JSON cannot encode, and one returning a Decimal
    code = tmp_path / "code"
    code.mkdir()
    (code / "app.py").write_text(
        "import decimal\n"
        "def handler(e, c):\n"
        "    return decimal.Decimal('1.5') if e.get('decimal') else object()\n"
    )
    child = start(code, "app.handler")
    assert child.answer() == {"ready": True}

    # When both are invoked
    bad = child.invoke({})
    decimal_result = child.invoke({"decimal": True})
    child.output()

    # Then the object is a Runtime.MarshalError and the Decimal a number, as on AWS
    assert bad["ok"] is False
    assert json.loads(bad["payload"])["errorType"] == "Runtime.MarshalError"
    assert decimal_result == {"ok": True, "payload": "1.5"}


def test_it_refuses_to_run_without_isolation(tmp_path: Path) -> None:
    # Given a handler, and an interpreter started without the isolation flags
    (tmp_path / "app.py").write_text("def handler(e, c):\n    return 1\n")

    # When the bootstrap is started that way
    child = start(tmp_path, "app.handler", flags=("-u",))
    output = child.output()

    # Then it exits without serving, saying which flags it needs
    assert child.process.returncode != 0
    assert " ".join(FLAGS) in output
    assert not child.responses.readline()
