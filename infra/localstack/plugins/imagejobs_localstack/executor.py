"""A LocalStack Lambda runtime executor that runs each execution environment as a host process.

LocalStack's only free executor starts a Docker container per execution environment. This one
starts `lambda_bootstrap.py` under a Python of the function's runtime version, isolated from
LocalStack's own packages: only the function's code, its layers and a boto3 are importable,
as on AWS. Events and results travel over two pipes; the function timeout is enforced here
by killing the child, which the next invocation replaces.

Configured on the LocalStack process:
- LAMBDA_RUNTIME_EXECUTOR=host-process
- IMAGEJOBS_LAMBDA_PYTHON313: the python3.13 interpreter for the `python3.13` runtime
- IMAGEJOBS_LAMBDA_SDK_PATH: a folder with boto3 installed (`pip install --target`)
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from localstack import config
from localstack.services.lambda_.invocation.lambda_models import FunctionVersion, InvocationResult
from localstack.services.lambda_.invocation.plugins import RuntimeExecutorPlugin
from localstack.services.lambda_.invocation.runtime_executor import (
    LambdaRuntimeException,
    RuntimeExecutor,
)

LOG = logging.getLogger(__name__)
BOOTSTRAP = Path(__file__).with_name("lambda_bootstrap.py")
END_OF_LOGS = "\x00imagejobs-end-of-logs "
INTERPRETERS = {"python3.13": "IMAGEJOBS_LAMBDA_PYTHON313"}
STARTUP_TIMEOUT_SECONDS = 30
LOG_DRAIN_SECONDS = 2.0


class HostProcessExecutorPlugin(RuntimeExecutorPlugin):
    name = "host-process"

    def load(self, *args: Any, **kwargs: Any) -> type[RuntimeExecutor]:
        return HostProcessRuntimeExecutor


def _interpreter(runtime: str | None) -> str:
    variable = INTERPRETERS.get(runtime or "")
    if variable is None:
        raise LambdaRuntimeException(
            f"runtime {runtime} is not supported by the host-process executor "
            f"(supported: {', '.join(INTERPRETERS)})"
        )
    interpreter = os.environ.get(variable)
    if not interpreter or not Path(interpreter).exists():
        raise LambdaRuntimeException(f"{variable} must name a {runtime} interpreter")
    return interpreter


class HostProcessRuntimeExecutor(RuntimeExecutor):
    def __init__(self, id: str, function_version: FunctionVersion) -> None:
        super().__init__(id, function_version)
        self._env: dict[str, str] = {}
        self._process: subprocess.Popen[bytes] | None = None
        self._requests: Any = None
        self._responses: Any = None
        self._logs: list[str] = []
        self._logs_lock = threading.Lock()
        self._ended: dict[str, threading.Event] = {}
        self._invoke_lock = threading.Lock()

    # -- lifecycle -------------------------------------------------------------------------

    def start(self, env_vars: dict[str, str]) -> None:
        self._env = {name: str(value) for name, value in env_vars.items()}
        self._spawn()

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        # Kill before closing the pipes: closing a pipe another thread is reading blocks.
        process.kill()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            LOG.warning("lambda environment %s did not exit after SIGKILL", self.id)
        for stream in (self._requests, self._responses):
            with contextlib.suppress(OSError):
                stream.close()

    def _paths(self) -> list[str]:
        config_ = self.function_version.config
        paths = []
        if config_.code:
            paths.append(str(config_.code.get_unzipped_code_location()))
        for layer in config_.layers or []:
            if layer.code:
                paths.append(str(Path(layer.code.get_unzipped_code_location()) / "python"))
        sdk = os.environ.get("IMAGEJOBS_LAMBDA_SDK_PATH")
        if sdk:
            paths.append(sdk)
        return paths

    def _spawn(self) -> None:
        interpreter = _interpreter(self.function_version.config.runtime)
        paths = self._paths()
        request_read, request_write = os.pipe()
        response_read, response_write = os.pipe()
        env = {
            **self._env,
            "LAMBDA_TASK_ROOT": paths[0] if paths else "",
            "LANG": "en_US.UTF-8",
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "PYTHONUNBUFFERED": "1",
        }
        env.pop("TZ", None)  # ":/etc/localtime" is a container path
        self._process = subprocess.Popen(
            [
                interpreter,
                "-I",
                "-S",
                str(BOOTSTRAP),
                str(request_read),
                str(response_write),
                *paths,
            ],
            env=env,
            cwd=paths[0] if paths else None,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            pass_fds=(request_read, response_write),
            start_new_session=True,
        )
        os.close(request_read)
        os.close(response_write)
        self._requests = os.fdopen(request_write, "w", encoding="utf-8")
        self._responses = os.fdopen(response_read, "r", encoding="utf-8")
        threading.Thread(
            target=self._read_logs, args=(self._process,), daemon=True, name=f"logs-{self.id}"
        ).start()
        message = self._read_response(STARTUP_TIMEOUT_SECONDS)
        if message is None or "init_error" in (message or {}):
            logs = self.get_logs()
            self.stop()
            raise LambdaRuntimeException(f"lambda environment {self.id} failed to start: {logs}")

    def _read_logs(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stdout is not None
        for raw in process.stdout:
            line = raw.decode("utf-8", errors="replace")
            if line.startswith(END_OF_LOGS):
                event = self._ended.get(line[len(END_OF_LOGS) :].strip())
                if event:
                    event.set()
                continue
            with self._logs_lock:
                self._logs.append(line)

    def _read_response(self, timeout: float) -> dict[str, Any] | None:
        """One JSON line from the child, or None if it does not answer in time or died."""
        result: list[str] = []
        reader = threading.Thread(target=lambda: result.append(self._responses.readline()))
        reader.daemon = True
        reader.start()
        reader.join(timeout)
        if not result or not result[0]:
            return None
        return json.loads(result[0])  # type: ignore[no-any-return]

    # -- invocations -----------------------------------------------------------------------

    def invoke(self, payload: dict[str, str]) -> InvocationResult:
        request_id = payload["invoke-id"]
        timeout = float(self.function_version.config.timeout)
        with self._invoke_lock:
            if self._process is None or self._process.poll() is not None:
                self._spawn()  # after a timeout or a crash, as Lambda resets its sandbox
            with self._logs_lock:
                first_line = len(self._logs)
            ended = self._ended[request_id] = threading.Event()
            started = time.monotonic()
            self._log(
                f"START RequestId: {request_id} Version: {self.function_version.id.qualifier}"
            )
            self._requests.write(
                json.dumps(
                    {
                        "request_id": request_id,
                        "invoked_arn": payload["invoked-function-arn"],
                        "payload": payload["payload"],
                        "trace_id": payload.get("trace-id"),
                        "deadline_ms": int(time.time() * 1000 + timeout * 1000),
                    }
                )
                + "\n"
            )
            self._requests.flush()
            response = self._read_response(timeout)
            elapsed_ms = (time.monotonic() - started) * 1000
            if response is None:
                timed_out = self._process is not None and self._process.poll() is None
                self.stop()
                message = (
                    f"Task timed out after {timeout:.2f} seconds"
                    if timed_out
                    else "Runtime exited without providing a reason"
                )
                self._log(
                    f"{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} {request_id} {message}"
                )
                result_payload = json.dumps(
                    {
                        "errorMessage": message,
                        "errorType": "Sandbox.Timedout" if timed_out else "Runtime.ExitError",
                    }
                ).encode()
                is_error = True
            else:
                ended.wait(LOG_DRAIN_SECONDS)
                result_payload = response["payload"].encode()
                is_error = not response["ok"]
            self._ended.pop(request_id, None)
            self._log(f"END RequestId: {request_id}")
            self._log(
                f"REPORT RequestId: {request_id}\tDuration: {elapsed_ms:.2f} ms\t"
                f"Billed Duration: {int(elapsed_ms) + 1} ms\t"
                f"Memory Size: {self.function_version.config.memory_size} MB"
            )
            with self._logs_lock:
                logs = "".join(self._logs[first_line:])
            return InvocationResult(request_id, result_payload, is_error=is_error, logs=logs)

    def _log(self, line: str) -> None:
        with self._logs_lock:
            self._logs.append(line + "\n")

    def get_logs(self) -> str:
        with self._logs_lock:
            return "".join(self._logs)

    # -- addresses -------------------------------------------------------------------------

    def get_address(self) -> str:
        return "127.0.0.1"

    def get_endpoint_from_executor(self) -> str:
        # The child runs on the same host: it reaches LocalStack on its listen address.
        return config.GATEWAY_LISTEN[0].host if config.GATEWAY_LISTEN else "127.0.0.1"

    def get_runtime_endpoint(self) -> str:
        port = config.GATEWAY_LISTEN[0].port
        return f"http://{self.get_endpoint_from_executor()}:{port}/_localstack_lambda/{self.id}"

    # -- versions --------------------------------------------------------------------------

    @classmethod
    def prepare_version(cls, function_version: FunctionVersion) -> None:
        _interpreter(function_version.config.runtime)
        if function_version.config.code:
            function_version.config.code.prepare_for_execution()
        for layer in function_version.config.layers or []:
            if layer.code:
                layer.code.prepare_for_execution()

    @classmethod
    def cleanup_version(cls, function_version: FunctionVersion) -> None:
        """Nothing to clean: the unzipped code belongs to LocalStack's store."""

    @classmethod
    def validate_environment(cls) -> bool:
        return True
