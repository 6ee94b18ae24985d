"""A LocalStack Lambda runtime executor that runs each execution environment as a host process.

LocalStack's only free executor starts a Docker container per execution environment, whose
runtime reports results to LocalStack's executor endpoint over HTTP. This one starts
`lambda_bootstrap.py` under a Python of the function's runtime version, isolated from
LocalStack's own packages (`-I -S`): only the function's code, its layers and a boto3 are
importable, as on AWS. `invoke()` writes the event to the child over a pipe and returns the
`InvocationResult` it reads back from a second pipe, so LocalStack's invocation pipeline
(Invoke, LogType=Tail, CloudWatch Logs, event source mappings, API Gateway) sees the same
result object the Docker executor produces. The function timeout is enforced here: the child
is killed, and the next invocation starts a fresh one.

Configured on the LocalStack process:
- LAMBDA_RUNTIME_EXECUTOR=host-process
- IMAGEJOBS_LAMBDA_PYTHON313: the python3.13 interpreter for the `python3.13` runtime
- IMAGEJOBS_LAMBDA_SDK_PATH: a folder with boto3 installed (`pip install --target`)
- IMAGEJOBS_LAMBDA_ENVIRONMENT_FILE: endpoints of services LocalStack does not serve, for every
  function (endpoints.py)
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from localstack import config
from localstack.services.lambda_.invocation.executor_endpoint import StatusErrorException
from localstack.services.lambda_.invocation.lambda_models import FunctionVersion, InvocationResult
from localstack.services.lambda_.invocation.plugins import RuntimeExecutorPlugin
from localstack.services.lambda_.invocation.runtime_executor import (
    LambdaRuntimeException,
    RuntimeExecutor,
)

from imagejobs_localstack import endpoints, hot_reload
from imagejobs_localstack.child import KEPT_LOG_LINES, Child, peak_memory_mb, timestamp
from imagejobs_localstack.lambda_bootstrap import INTERPRETER_FLAGS

LOG = logging.getLogger(__name__)
BOOTSTRAP = Path(__file__).with_name("lambda_bootstrap.py")
# Runtime -> the variable on the LocalStack process that names its interpreter.
INTERPRETERS = {"python3.13": "IMAGEJOBS_LAMBDA_PYTHON313"}
SDK_PATH_VARIABLE = "IMAGEJOBS_LAMBDA_SDK_PATH"


class HostProcessExecutorPlugin(RuntimeExecutorPlugin):
    name = "host-process"

    def load(self, *args: Any, **kwargs: Any) -> type[RuntimeExecutor]:
        return HostProcessRuntimeExecutor


def interpreter_for(runtime: str | None) -> str:
    """The interpreter configured for `runtime`; a clear error for any other runtime."""
    variable = INTERPRETERS.get(runtime or "")
    if variable is None:
        raise LambdaRuntimeException(
            f"Runtime {runtime or '(container image)'} is not supported by the host-process "
            f"Lambda executor; supported: {', '.join(INTERPRETERS)}"
        )
    interpreter = os.environ.get(variable)
    if not interpreter or not os.access(interpreter, os.X_OK):
        raise LambdaRuntimeException(
            f"{variable} must name a {runtime} interpreter for the host-process executor "
            f"(got {interpreter!r})"
        )
    return interpreter


class HostProcessRuntimeExecutor(RuntimeExecutor):
    def __init__(self, id: str, function_version: FunctionVersion) -> None:
        super().__init__(id, function_version)
        self._env: dict[str, str] = {}
        self._child: Child | None = None
        self._scratch: Path | None = None
        self._invoke_lock = threading.Lock()
        # Output of earlier children of this environment (after a timeout), for get_logs().
        self._earlier_logs: list[str] = []
        # For mounted code (hot reloading): the code's generation the child imported.
        self._code_generation: int | None = None
        # The endpoints (endpoints.py) the child was started with.
        self._endpoints: dict[str, str] = {}

    # -- lifecycle -------------------------------------------------------------------------

    def start(self, env_vars: dict[str, str]) -> None:
        self._env = {name: str(value) for name, value in env_vars.items()}
        self._scratch = Path(tempfile.mkdtemp(prefix=f"lambda-env-{self.id}-"))
        init_error = self._spawn(float(config.LAMBDA_RUNTIME_ENVIRONMENT_TIMEOUT))
        if init_error is not None:
            # As the Docker executor's init reports it: Invoke answers with this payload as a
            # function error (Runtime.ImportModuleError and the like).
            raise StatusErrorException("Environment startup failed", payload=init_error)

    def stop(self) -> None:
        child, self._child = self._child, None
        if child is not None:
            child.kill()
            self._keep_logs(child)
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)

    def _paths(self) -> list[str]:
        """sys.path entries in Lambda's order: task root, layers (last wins), the SDK."""
        config_ = self.function_version.config
        paths = []
        if config_.code:
            paths.append(str(config_.code.get_unzipped_code_location()))
        for layer in reversed(config_.layers or []):
            if layer.code:
                opt = Path(layer.code.get_unzipped_code_location())
                paths += [str(opt / "python" / "lib" / "python3.13" / "site-packages")]
                paths += [str(opt / "python")]
        if sdk := os.environ.get(SDK_PATH_VARIABLE):
            paths.append(sdk)
        return paths

    def _child_environment(self, task_root: str) -> dict[str, str]:
        scratch = str(self._scratch or tempfile.gettempdir())
        env = {
            # Where the runtime would put them; the function's own variables may override.
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "LANG": "en_US.UTF-8",
            # A private HOME keeps the host's ~/.aws out of the function's SDK configuration.
            "HOME": scratch,
            "TMPDIR": scratch,
            **self._endpoints,
            **self._env,
            "LAMBDA_TASK_ROOT": task_root,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{self.function_version.config.runtime}",
        }
        if env.get("TZ", "").startswith(":/"):
            env.pop("TZ")  # a container path such as ":/etc/localtime"
        return env

    def _mounted_generation(self) -> int | None:
        """The generation of the function's mounted code; None for code from a zip."""
        code = self.function_version.config.code
        if code is None or not code.is_hot_reloading():
            return None
        return hot_reload.generation(str(code.get_unzipped_code_location()))

    def _spawn(self, startup_timeout: float) -> bytes | None:
        """Starts a child and waits until its handler is imported; the init error, if any."""
        interpreter = interpreter_for(self.function_version.config.runtime)
        paths = self._paths()
        self._code_generation = self._mounted_generation()
        self._endpoints = endpoints.current()
        task_root = paths[0] if self.function_version.config.code else str(self._scratch)
        request_read, request_write = os.pipe()
        response_read, response_write = os.pipe()
        try:
            process = subprocess.Popen(
                [
                    interpreter,
                    *INTERPRETER_FLAGS,
                    str(BOOTSTRAP),
                    str(request_read),
                    str(response_write),
                    *paths,
                ],
                env=self._child_environment(task_root),
                cwd=task_root,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                pass_fds=(request_read, response_write),
            )
        finally:
            os.close(request_read)
            os.close(response_write)
        child = Child(
            process,
            os.fdopen(request_write, "w", encoding="utf-8"),
            os.fdopen(response_read, "r", encoding="utf-8"),
        )
        self._child = child
        message = child.answer(startup_timeout)
        if message is not None and message.get("ready"):
            return None
        self._child = None
        child.kill()
        self._keep_logs(child)
        if message is not None and "init_error" in message:
            return json.dumps(message["init_error"]).encode()
        raise LambdaRuntimeException(
            f"Lambda environment {self.id} did not start within {startup_timeout:.0f} s "
            f"(exit code {process.returncode}): {self.get_logs()[-2000:]}"
        )

    def _keep_logs(self, child: Child) -> None:
        with child.lock:
            self._earlier_logs = (self._earlier_logs + child.lines)[-KEPT_LOG_LINES:]

    # -- invocations -----------------------------------------------------------------------

    def invoke(self, payload: dict[str, str]) -> InvocationResult:
        request_id = payload["invoke-id"]
        with self._invoke_lock:
            init_error = self._ready_child()
            if init_error is not None:
                return InvocationResult(request_id, init_error, is_error=True, logs="")
            assert self._child is not None
            return self._run(self._child, payload)

    def _ready_child(self) -> bytes | None:
        """Makes sure a child runs the current code: a fresh one after a timeout or a crash (as
        Lambda resets its sandbox), or when mounted code or endpoints changed; the init error,
        if any."""
        child = self._child
        if child is not None and (
            child.process.poll() is not None
            or self._mounted_generation() != self._code_generation
            or endpoints.current() != self._endpoints  # pointed elsewhere since it started
        ):
            self.stop_child()
        if self._child is None:
            return self._spawn(float(config.LAMBDA_RUNTIME_ENVIRONMENT_TIMEOUT))
        return None

    def _run(self, child: Child, payload: dict[str, str]) -> InvocationResult:
        """One invocation on `child`, with Lambda's START, END and REPORT log lines."""
        request_id = payload["invoke-id"]
        timeout = float(self.function_version.config.timeout)
        first_line = child.begin(request_id, self.function_version.id.qualifier)
        started = time.monotonic()
        request = {
            "request_id": request_id,
            "invoked_arn": payload["invoked-function-arn"],
            "payload": payload["payload"],
            "trace_id": payload.get("trace-id"),
            "deadline_ms": int(time.time() * 1000 + timeout * 1000),
        }
        response = child.ask(request, timeout)
        elapsed_ms = (time.monotonic() - started) * 1000
        peak_mb = peak_memory_mb(child.process.pid)
        if response is None:
            result, is_error = self._failure(child, request_id, timeout), True
        else:
            child.drain(request_id)
            result, is_error = str(response["payload"]).encode(), not response["ok"]
        used = f"Max Memory Used: {peak_mb} MB\t" if peak_mb is not None else ""
        report = (
            f"REPORT RequestId: {request_id}\tDuration: {elapsed_ms:.2f} ms\t"
            f"Billed Duration: {int(elapsed_ms) + 1} ms\t"
            f"Memory Size: {self.function_version.config.memory_size} MB\t{used}\n"
        )
        logs = child.end(request_id, report, first_line)
        return InvocationResult(request_id, result, is_error=is_error, logs=logs)

    def _failure(self, child: Child, request_id: str, timeout: float) -> bytes:
        """The error payload of an invocation that got no answer: timed out, or the child died.
        Either way the child is gone, and the next invocation starts a fresh one."""
        timed_out = child.process.poll() is None
        self.stop_child()
        if timed_out:
            kind, message = "Sandbox.Timedout", f"Task timed out after {timeout:.2f} seconds"
        else:
            kind = "Runtime.ExitError"
            message = f"Runtime exited with error: exit status {child.process.returncode}"
        child.append(f"{timestamp()} {request_id} {message}\n")
        return json.dumps(
            {"errorType": kind, "errorMessage": f"RequestId: {request_id} Error: {message}"}
        ).encode()

    def stop_child(self) -> None:
        """Kills the current child only; the environment stays and respawns on the next invoke."""
        child, self._child = self._child, None
        if child is not None:
            child.kill()
            self._keep_logs(child)

    def get_logs(self) -> str:
        lines = list(self._earlier_logs)
        if (child := self._child) is not None:
            with child.lock:
                lines += child.lines
        return "".join(lines[-KEPT_LOG_LINES:])

    # -- addresses -------------------------------------------------------------------------

    def get_address(self) -> str:
        return "127.0.0.1"

    def get_endpoint_from_executor(self) -> str:
        # The child runs on this host: it reaches LocalStack on its listen address.
        host = config.GATEWAY_LISTEN[0].host if config.GATEWAY_LISTEN else ""
        return "127.0.0.1" if host in ("", "0.0.0.0", "::") else host  # noqa: S104

    def get_runtime_endpoint(self) -> str:
        # Unused by this executor's children; LocalStack puts it in LOCALSTACK_RUNTIME_ENDPOINT.
        port = config.GATEWAY_LISTEN[0].port
        return f"http://{self.get_endpoint_from_executor()}:{port}/_localstack_lambda/{self.id}"

    # -- versions --------------------------------------------------------------------------

    @classmethod
    def prepare_version(cls, function_version: FunctionVersion) -> None:
        # A function of another runtime ends in state Failed with this error as StateReason.
        interpreter_for(function_version.config.runtime)
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
        ok = True
        for runtime, variable in INTERPRETERS.items():
            if not os.environ.get(variable):
                LOG.warning("%s is not set: %s functions cannot run", variable, runtime)
                ok = False
        if not os.environ.get(SDK_PATH_VARIABLE):
            LOG.warning("%s is not set: functions get no boto3", SDK_PATH_VARIABLE)
        return ok
