"""One cold start in this fresh process, then optionally warm requests:

    python -I -S cold_start.py PATHS TARGET OUT EVENT WARM_REQUESTS

As the LocalStack executor starts a function (`-I -S`, the code folder on `sys.path` before
the standard library), PATHS (joined by os.pathsep) are all that can be imported: the
function's code with its vendored requirements, and this folder for the stub.

TARGET is a handler module (e.g. `imagejobs.handlers.submit`) or `floor:<function>`. A handler
is imported (its settings, clients and app are built at import, as on Lambda) and handles
EVENT once, then WARM_REQUESTS more times, each timed. The floor imports boto3 and creates the
clients that function creates, then makes the AWS calls one of its requests makes, as often.
AWS is answered in-process by aws_stub (seeded with the items in the IMAGEJOBS_BENCH_ITEMS
file). Figures go to OUT as JSON: milliseconds from this module's first line, and warm
requests in microseconds. The caller sets the function's environment: bench_cold.py runs this.
"""

import time

_STARTED = time.perf_counter()

import importlib  # noqa: E402 - after the clock starts: these count too
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

sys.path[:0] = sys.argv[1].split(os.pathsep)

JOB_ID = "3f1c9a5e-7b2d-4e8f-9a61-2c5d8e0b7f14"
# Per function: the clients it creates.
FLOOR_CLIENTS = {
    "submit": ("dynamodb", "sqs"),
    "status": ("dynamodb", "s3"),
    "worker": ("dynamodb", "s3"),
}


class _Context:
    function_name = "bench"
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
    aws_request_id = "00000000-0000-4000-8000-000000000000"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000


def main() -> None:
    target, out, event_file, warm_requests = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
    import boto3
    from aws_stub import AwsStub, install  # type: ignore[import-not-found]

    items_file = os.environ.get("IMAGEJOBS_BENCH_ITEMS")
    items = json.loads(open(items_file).read()) if items_file else {}  # noqa: SIM115
    boto3.setup_default_session()
    stub = install(boto3.DEFAULT_SESSION, AwsStub(items))
    figures: dict[str, Any] = {"boto3_ms": _ms(_STARTED)}
    request: Callable[[], object]
    if target.startswith("floor:"):
        request = _floor(boto3, target.removeprefix("floor:"), items)
        figures["init_ms"] = _ms(_STARTED)
    else:
        module = importlib.import_module(target)
        figures["import_ms"] = _ms(_STARTED)
        with open(event_file) as file:
            event = json.load(file)
        context = _Context()
        invoked = time.perf_counter()
        response = module.handler(event, context)
        figures["first_event_ms"] = _ms(invoked)
        figures["init_ms"] = _ms(_STARTED)
        figures["response"] = _summary(response)

        def request() -> object:
            return module.handler(event, context)

    figures["aws_calls"] = stub.calls
    figures["warm_us"] = _timed(request, int(warm_requests))
    with open(out, "w") as file:
        json.dump(figures, file)


def _floor(boto3: Any, function: str, items: dict[str, Any]) -> Callable[[], object]:
    """Creates the function's clients; returns the AWS calls one of its requests makes."""
    from botocore.config import Config

    clients = {
        # The functions' S3 client signs with SigV4 (imagejobs.dal.image_store).
        service: boto3.client(
            service, config=Config(signature_version="s3v4") if service == "s3" else None
        )
        for service in FLOOR_CLIENTS[function]
    }
    item = items.get(JOB_ID, {})
    table, queue = os.environ.get("JOBS_TABLE_NAME"), os.environ.get("JOBS_QUEUE_URL")
    bucket = os.environ.get("IMAGES_BUCKET_NAME")

    def submit() -> object:
        clients["dynamodb"].put_item(TableName=table, Item=item)
        body = json.dumps({"job_id": JOB_ID})
        return clients["sqs"].send_message(QueueUrl=queue, MessageBody=body)

    def status() -> object:
        clients["dynamodb"].get_item(TableName=table, Key={"job_id": {"S": JOB_ID}})
        return clients["s3"].generate_presigned_url(
            "get_object", Params={"Bucket": bucket, "Key": f"images/{JOB_ID}/0.png"}
        )

    def worker() -> object:
        return clients["dynamodb"].get_item(TableName=table, Key={"job_id": {"S": JOB_ID}})

    return {"submit": submit, "status": status, "worker": worker}[function]


def _timed(request: Callable[[], object], count: int) -> list[float]:
    timings = []
    for _ in range(count):
        started = time.perf_counter_ns()
        request()
        timings.append((time.perf_counter_ns() - started) / 1000)
    return timings


def _summary(response: Any) -> Any:
    """Enough of the handler's answer to tell that it handled the event."""
    if isinstance(response, dict):
        return {k: response[k] for k in ("statusCode", "batchItemFailures") if k in response}
    return repr(response)[:200]


if __name__ == "__main__":
    main()
