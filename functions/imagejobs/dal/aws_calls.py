"""Every AWS call a function makes, counted per job by a hook on its boto3 clients, and logged
once per invocation as one line (`aws calls`) with the invocation's duration and memory size.

The hook is one `before-parameter-build` handler on boto3's default session, so every client
the function makes from it is counted, the ones made later (S3, Bedrock) too; a presigned URL
is local signing, not a call, and is not counted. A call is the job's whose id its parameters
name (the job's item key, its message, its images' keys); a call that names none (an
idempotency record, a model's lifecycle) is the job's when the invocation worked on one job
only, else it is listed under "-". Retries inside boto3 are not counted (they are rare).

docs/cost-and-scale.md's calls per path come from these lines, and the end-to-end tests check
a job's cost against them (CloudWatch Logs Insights can sum them on AWS as well).
"""

from __future__ import annotations

import functools
import json
import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import boto3

from imagejobs.observability import logger

UNATTRIBUTED = "-"
_HOOK_ID = "imagejobs-aws-calls"
_STARTED = "imagejobs_call_started"
_PREFIXES = ("images/", "inputs/")

Handler = TypeVar("Handler", bound=Callable[..., Any])


class AwsCalls:
    """The calls of the current invocation, per job and per `service.Operation`."""

    def __init__(self) -> None:
        self.calls: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self.stored_bytes: Counter[str] = Counter()
        # Milliseconds each kind of call took, all jobs together: where an invocation waited.
        self.waited_ms: Counter[str] = Counter()

    def install(self, session: boto3.Session | None = None) -> None:
        """Counts the calls of every client made from `session` (boto3's default) from now."""
        if session is None:
            if boto3.DEFAULT_SESSION is None:
                boto3.setup_default_session()
            session = boto3.DEFAULT_SESSION
        assert session is not None
        # One handler per session: a module imported again (a test's cold start) replaces it;
        # clients made before keep the one they were made with.
        for event, handler in (("before-parameter-build", self._count), ("after-call", self._done)):
            session.events.unregister(event, unique_id=f"{_HOOK_ID}-{event}")
            session.events.register(event, handler, unique_id=f"{_HOOK_ID}-{event}")

    def _count(self, params: dict[str, Any], model: Any, context: Any = None, **_: Any) -> None:
        if context and context.get("is_presign_request"):
            return
        # (the call's start, for `after-call`: the request context is the call's own dict)
        service = model.service_model.service_name
        operation = f"{service}.{model.name}"
        if context is not None:
            context[_STARTED] = time.perf_counter()
        jobs = list(dict.fromkeys(_job_ids(service, params))) or [UNATTRIBUTED]
        if jobs == [UNATTRIBUTED] and (kind := _own_item_kind(service, params)):
            # A call on one of the table's other items: named apart, it costs what they do.
            operation = f"{operation}@{kind}"
        for job_id in jobs:
            self.calls[job_id][operation] += 1
        if operation == "dynamodb.TransactWriteItems":
            self.calls[jobs[0]][f"{operation}.items"] += len(params.get("TransactItems", []))
        if operation == "s3.PutObject":
            self.stored_bytes[jobs[0]] += _size(params.get("Body"))

    def _done(self, model: Any, context: Any = None, **_: Any) -> None:
        if context and _STARTED in context:
            elapsed = (time.perf_counter() - context.pop(_STARTED)) * 1000
            self.waited_ms[f"{model.service_model.service_name}.{model.name}"] += elapsed

    def waited(self) -> dict[str, float]:
        """The milliseconds per kind of call since the last `take`."""
        return {operation: round(ms, 1) for operation, ms in self.waited_ms.items()}

    def take(self) -> dict[str, dict[str, int]]:
        """The invocation's calls per job, and starts again from none."""
        calls = {job: dict(counts) for job, counts in self.calls.items()}
        jobs = [job for job in calls if job != UNATTRIBUTED]
        if len(jobs) == 1 and UNATTRIBUTED in calls:
            # One job's invocation: what named no job was done for it.
            for operation, count in calls.pop(UNATTRIBUTED).items():
                calls[jobs[0]][operation] = calls[jobs[0]].get(operation, 0) + count
        for job, stored in self.stored_bytes.items():
            calls.setdefault(job, {})["s3.bytes_stored"] = stored
        self.calls.clear()
        self.stored_bytes.clear()
        self.waited_ms.clear()
        return calls

    def logged(self, handler: Handler) -> Handler:
        """Wraps a Lambda handler: one `aws calls` line after each invocation."""

        @functools.wraps(handler)
        def counted(event: Any, context: Any, *args: Any, **kwargs: Any) -> Any:
            self.take()
            started = time.monotonic()
            try:
                return handler(event, context, *args, **kwargs)
            finally:
                elapsed_ms = (time.monotonic() - started) * 1000
                waited = self.waited()
                logger.info(
                    "aws calls",
                    extra={
                        "aws_calls": self.take(),
                        "aws_ms": waited,
                        # What Lambda bills: rounded up to the millisecond, at this size.
                        "duration_ms": math.ceil(elapsed_ms),
                        "memory_mb": int(getattr(context, "memory_limit_in_mb", 0) or 0),
                    },
                )

        return counted  # type: ignore[return-value]


def _size(body: Any) -> int:
    if isinstance(body, bytes | str):
        return len(body)
    if hasattr(body, "getbuffer"):  # boto3 may have wrapped the bytes in a BytesIO already
        return int(body.getbuffer().nbytes)
    return 0


def _own_item_kind(service: str, params: dict[str, Any]) -> str | None:
    """`drain`, `model`, `tenant`: the kind of a jobs-table item that is not a job."""
    if service != "dynamodb":
        return None
    key: dict[str, Any] = params.get("Key") or {}
    for request in params.get("RequestItems", {}).values():  # BatchGetItem: its first key
        key = next(iter(request.get("Keys", [])), {})
    name = str(key.get("job_id", {}).get("S", ""))
    return name.split("#", 1)[0] if "#" in name else None


def _job_ids(service: str, params: dict[str, Any]) -> Iterator[str]:
    if service == "dynamodb":
        for entry in params.get("TransactItems", [params]):
            write = next(iter(entry.values())) if "TransactItems" in params else entry
            key = write.get("Key") or write.get("Item") or {}
            job_id = key.get("job_id", {}).get("S", "")
            if job_id and "#" not in job_id:  # not a tenant's counter, a model's lifecycle...
                yield job_id
    elif service == "sqs" and "MessageBody" in params:
        try:
            body = json.loads(params["MessageBody"])
        except ValueError:
            return
        if isinstance(body, dict) and isinstance(body.get("job_id"), str):
            yield body["job_id"]
    elif service == "s3" and str(params.get("Key", "")).startswith(_PREFIXES):
        yield str(params["Key"]).split("/")[1]


aws_calls = AwsCalls()
# On import: every handler imports this before it makes its first client.
aws_calls.install()
