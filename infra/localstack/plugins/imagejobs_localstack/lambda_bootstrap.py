"""The Lambda runtime inside one execution environment: a child process, standard library only.

Started by the host-process executor as

    python3.13 -I -S lambda_bootstrap.py REQUEST_FD RESPONSE_FD PATH [PATH ...]

`-I -S` hide the launching interpreter's site-packages and PYTHONPATH; the PATHs (the
function's code, its layers' `python/` folders, a boto3 install) become `sys.path` in front of
the standard library, as on AWS. The handler is imported once, from `_HANDLER`. Each request is
one JSON line on REQUEST_FD, each answer one JSON line on RESPONSE_FD; the handler's own output
goes to stdout/stderr, which the executor keeps as the function's logs.
"""

import contextlib
import importlib
import json
import os
import sys
import time
import traceback
from typing import Any

# Written to stdout after each invocation's output, so the executor knows it has read every
# log line of that invocation before it answers.
END_OF_LOGS = "\x00imagejobs-end-of-logs "


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


def error_shape(error: BaseException) -> dict[str, Any]:
    """Lambda's error payload for a Python exception."""
    return {
        "errorMessage": str(error),
        "errorType": type(error).__name__,
        "requestId": "",
        "stackTrace": traceback.format_tb(error.__traceback__),
    }


def load_handler(spec: str) -> Any:
    module_name, _, function_name = spec.rpartition(".")
    if not module_name:
        raise ValueError(f"Bad handler '{spec}': expected module.function")
    module = importlib.import_module(module_name.replace("/", "."))
    return getattr(module, function_name)


def invoke(handler: Any, request: dict[str, Any]) -> dict[str, Any]:
    if request.get("trace_id"):
        os.environ["_X_AMZN_TRACE_ID"] = request["trace_id"]
    context = LambdaContext(request["request_id"], request["invoked_arn"], request["deadline_ms"])
    try:
        event = json.loads(request["payload"]) if request["payload"] else None
        result = handler(event, context)
        return {"ok": True, "payload": json.dumps(result)}
    except Exception as error:
        traceback.print_exc()
        # Drop this module's own frame: the trace starts in the handler, as on AWS.
        error = error.with_traceback(error.__traceback__.tb_next if error.__traceback__ else None)
        return {"ok": False, "payload": json.dumps(error_shape(error))}


def serve(request_fd: int, response_fd: int) -> None:
    requests = os.fdopen(request_fd, "r", encoding="utf-8")
    responses = os.fdopen(response_fd, "w", encoding="utf-8")

    def answer(message: dict[str, Any]) -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        responses.write(json.dumps(message) + "\n")
        responses.flush()

    try:
        handler = load_handler(os.environ["_HANDLER"])
    except Exception as error:
        traceback.print_exc()
        answer({"init_error": error_shape(error)})
        return
    answer({"ready": True})

    for line in requests:
        request = json.loads(line)
        response = invoke(handler, request)
        print(f"{END_OF_LOGS}{request['request_id']}", flush=True)
        answer(response)


def main() -> None:
    request_fd, response_fd, *paths = sys.argv[1:]
    sys.path[:0] = [path for path in paths if os.path.isdir(path)]
    # The script's own folder is not part of a Lambda environment.
    with contextlib.suppress(ValueError):
        sys.path.remove(os.path.dirname(os.path.abspath(__file__)))
    serve(int(request_fd), int(response_fd))


if __name__ == "__main__":
    main()
