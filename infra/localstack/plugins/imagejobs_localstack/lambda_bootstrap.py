"""The Lambda runtime inside one execution environment: a child process, standard library only.

Started by the host-process executor as

    python3.13 -I -S -u lambda_bootstrap.py REQUEST_FD RESPONSE_FD PATH [PATH ...]

(INTERPRETER_FLAGS; the script refuses to run without -I and -S).

`-I -S` hide the launching interpreter's site-packages, PYTHON* variables and the script's
own folder; the PATHs (the function's code, its layers' `python/` folders, a boto3 install)
are put in front of the standard library on `sys.path`, as on AWS. `-u` keeps the handler's
output unbuffered, as the AWS runtime does, so nothing is lost when a timeout kills us.

Protocol: the handler named by `_HANDLER` is imported once; then one JSON line is written to
RESPONSE_FD: `{"ready": true}` or `{"init_error": {...}}`. Each request is one JSON line on
REQUEST_FD (`request_id`, `invoked_arn`, `payload`, `trace_id`, `deadline_ms`), answered by one
JSON line `{"ok": bool, "payload": str}`, where an error payload has Lambda's shape
(errorMessage, errorType, requestId, stackTrace). The handler's stdout/stderr are the
function's logs; after each invocation a marker line (END_OF_LOGS + request id) tells the
executor it has read all of that invocation's output (it may follow unterminated output on
the same line).

This file imports nothing outside the standard library: it runs without LocalStack.
"""

import contextlib
import decimal
import importlib
import json
import os
import sys
import time
import traceback
from typing import Any

END_OF_LOGS = "\x00imagejobs-end-of-logs "
# How the executor starts this script: isolated (-I: no PYTHON* variables, no user site, no
# script folder), without site-packages (-S), unbuffered (-u).
INTERPRETER_FLAGS = ("-I", "-S", "-u")


class LambdaContext:
    """The context object AWS passes to a Python handler."""

    def __init__(self, request_id: str, invoked_arn: str, deadline_ms: int) -> None:
        self.aws_request_id = request_id
        self.invoked_function_arn = invoked_arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = None
        self.client_context = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._deadline_ms - int(time.time() * 1000))

    def __repr__(self) -> str:
        return (
            f"LambdaContext(aws_request_id={self.aws_request_id!r}, "
            f"function_name={self.function_name!r})"
        )


def error_shape(
    error: BaseException, request_id: str = "", error_type: str | None = None
) -> dict[str, Any]:
    """Lambda's error payload for a Python exception; the trace starts below this module."""
    frames = traceback.extract_tb(error.__traceback__)
    own = os.path.abspath(__file__)
    user_frames = [frame for frame in frames if os.path.abspath(frame.filename) != own]
    return {
        "errorMessage": str(error),
        "errorType": error_type or type(error).__name__,
        "requestId": request_id,
        "stackTrace": traceback.format_list(user_frames),
    }


def log_error(shape: dict[str, Any]) -> None:
    """What the AWS runtime prints for an unhandled exception."""
    trace = "".join(shape["stackTrace"])
    print(
        f"[ERROR] {shape['errorType']}: {shape['errorMessage']}\n"
        f"Traceback (most recent call last):\n{trace}",
        file=sys.stderr,
        flush=True,
    )


def load_handler(spec: str) -> Any:
    module_name, _, function_name = spec.rpartition(".")
    if not module_name:
        raise ValueError(f"Bad handler '{spec}': expected module.function")
    module = importlib.import_module(module_name.replace("/", "."))
    handler = getattr(module, function_name, None)
    if handler is None:
        raise AttributeError(f"Handler '{function_name}' missing on module '{module_name}'")
    return handler


def _decimal(value: Any) -> Any:
    # The AWS Python runtime serialises Decimal (as DynamoDB returns numbers) this way.
    if isinstance(value, decimal.Decimal):
        return float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def invoke(handler: Any, request: dict[str, Any]) -> dict[str, Any]:
    request_id = request["request_id"]
    if request.get("trace_id"):
        os.environ["_X_AMZN_TRACE_ID"] = request["trace_id"]
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)
    context = LambdaContext(request_id, request["invoked_arn"], request["deadline_ms"])
    try:
        event = json.loads(request["payload"]) if request["payload"] else {}
        result = handler(event, context)
    except Exception as error:
        shape = error_shape(error, request_id)
        log_error(shape)
        return {"ok": False, "payload": json.dumps(shape)}
    try:
        return {"ok": True, "payload": json.dumps(result, default=_decimal)}
    except (TypeError, ValueError) as error:
        shape = {
            "errorMessage": f"Unable to marshal response: {error}",
            "errorType": "Runtime.MarshalError",
            "requestId": request_id,
            "stackTrace": [],
        }
        log_error(shape)
        return {"ok": False, "payload": json.dumps(shape)}


def serve(request_fd: int, response_fd: int) -> None:
    requests = os.fdopen(request_fd, "r", encoding="utf-8")
    responses = os.fdopen(response_fd, "w", encoding="utf-8")

    def answer(message: dict[str, Any]) -> None:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        responses.write(json.dumps(message) + "\n")
        responses.flush()

    spec = os.environ.get("_HANDLER", "")
    try:
        handler = load_handler(spec)
    except Exception as error:
        module = spec.rpartition(".")[0]
        error_type = (
            "Runtime.ImportModuleError"
            if isinstance(error, ImportError | SyntaxError)
            else "Runtime.HandlerNotFound"
            if isinstance(error, AttributeError | ValueError)
            else None
        )
        shape = error_shape(error, error_type=error_type)
        if isinstance(error, ImportError | SyntaxError):
            shape["errorMessage"] = f"Unable to import module '{module}': {error}"
        log_error(shape)
        answer({"init_error": shape})
        return
    answer({"ready": True})

    for line in requests:
        request = json.loads(line)
        response = invoke(handler, request)
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        # To the real stdout even if the handler replaced sys.stdout; the executor also finds
        # the marker after output that did not end its line.
        if sys.__stdout__ is not None:
            sys.__stdout__.write(f"{END_OF_LOGS}{request['request_id']}\n")
            sys.__stdout__.flush()
        answer(response)


def main() -> None:
    if not (sys.flags.isolated and sys.flags.no_site):
        # Without them the interpreter's own packages would be importable, unlike on AWS.
        sys.exit(f"lambda_bootstrap.py must run with {' '.join(INTERPRETER_FLAGS)}")
    request_fd, response_fd, *paths = sys.argv[1:]
    sys.path[:0] = [path for path in paths if os.path.isdir(path)]
    # The script's own folder is not part of a Lambda environment (-I already drops it).
    with contextlib.suppress(ValueError):
        sys.path.remove(os.path.dirname(os.path.abspath(__file__)))
    serve(int(request_fd), int(response_fd))


if __name__ == "__main__":
    main()
