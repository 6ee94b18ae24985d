"""What `jobs.create`, `get`, `wait`, `cancel` and `list` do, written once for both clients.

Each is an operation (see `_transport.py`): it yields the requests and pauses it needs, and a
driver runs it, blocking (`Client`) or awaiting (`AsyncClient`). A new resource is a module
like this one and a method on each client that runs its operations.
"""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from imagejobs_client._transport import Answer, Operation, Pause, Transport
from imagejobs_client._uploads import image_ref
from imagejobs_client.errors import Conflict, WaitTimeout
from imagejobs_client.job_request import IMAGE_FIELDS, JobOptions, JobRequest
from imagejobs_client.models import Job, JobList, JobStatus

# The longest one wait may take: `wait=True` means "until it ends", within this.
UNTIL_ENDED = 600.0
# How many times a create retries while the API still processes the same Idempotency-Key.
IN_PROGRESS_RETRIES = 5
# The longest single long poll of `wait` (the API's own limit is 25 s).
LONG_POLL = 25.0


def create_headers(
    idempotency_key: str | None, cancel_after: str | float | timedelta | None
) -> dict[str, str]:
    """A create's headers: always an Idempotency-Key (a new one unless given), so that a retry
    after a lost answer returns the same job; Cancel-After when there is a deadline."""
    headers = {"Idempotency-Key": idempotency_key or str(uuid.uuid4())}
    if cancel_after is not None:
        headers["Cancel-After"] = cancel_after_header(cancel_after)
    return headers


def create(
    transport: Transport,
    prompt: str | None,
    options: JobOptions,
    wait: float | None,
    headers: dict[str, str],
) -> Operation[Job]:
    unknown = sorted(options.keys() - JobRequest.model_fields.keys() - {"prompt"})
    if unknown:
        raise TypeError(f"create() got an unexpected keyword argument {unknown[0]!r}")
    fields: dict[str, Any] = dict(options)
    # Each image as the request holds it, files uploaded first (once: a retried create
    # below sends the same upload ids).
    for name in IMAGE_FIELDS:
        if fields.get(name) is not None:
            fields[name] = yield from image_ref(transport, fields[name])
    body = JobRequest(prompt=prompt, **fields).model_dump(
        mode="json", by_alias=True, exclude_none=True
    )
    seconds = _seconds(wait)
    started = time.monotonic()
    for attempt in range(IN_PROGRESS_RETRIES + 1):
        try:
            answer = yield from transport.call(
                "POST", "jobs", body=body, headers=headers, wait=seconds
            )
            break
        except Conflict as error:
            # The same key is still being processed (our own earlier, lost attempt).
            if error.code != "request_in_progress" or attempt == IN_PROGRESS_RETRIES:
                raise
            yield Pause(1.0 if error.retry_after is None else min(error.retry_after, 5.0))
    job = _job(transport, answer)
    if seconds is None or job.is_terminal:
        return job
    left = seconds - (time.monotonic() - started)
    if left < 1:
        return job
    try:
        return (yield from wait_for(transport, job.job_id, left, LONG_POLL, None))
    except WaitTimeout as timed_out:
        return timed_out.job


def cancel_after_header(value: str | float | timedelta) -> str:
    """The `Cancel-After` header: a duration as the API spells it ("90s", "5m", "1h30m"), or
    seconds (a number or a timedelta), whole, rounded up."""
    if isinstance(value, str):
        return value
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
    return f"{math.ceil(seconds)}s"


def get(transport: Transport, job_id: str, wait: float | None) -> Operation[Job]:
    return (yield from _get(transport, job_id, wait))[0]


def wait_for(
    transport: Transport,
    job_id: str,
    timeout: float,
    poll: float,
    on_update: Callable[[Job], None] | None,
) -> Operation[Job]:
    deadline = time.monotonic() + timeout
    pause = 0.5
    while True:
        left = deadline - time.monotonic()
        job, waited = yield from _get(transport, job_id, min(left, poll) if left >= 1 else None)
        if on_update is not None:
            on_update(job)
        if job.is_terminal:
            return job
        left = deadline - time.monotonic()
        if left <= 0:
            raise WaitTimeout(job, timeout)
        if not waited:  # an API that does not honour `Prefer: wait`: poll, more slowly
            yield Pause(min(pause, left))
            pause = min(pause * 1.5, 5.0)


def cancel(transport: Transport, job_id: str) -> Operation[Job]:
    try:
        return _job(transport, (yield from transport.call("POST", f"jobs/{job_id}/cancel")))
    except Conflict:
        job = yield from get(transport, job_id, None)
        if job.status == "canceled" or job.cancel_requested:
            return job  # our own first attempt canceled it (its answer was lost)
        raise


def page(
    transport: Transport, status: JobStatus | None, page_size: int, cursor: str | None
) -> Operation[JobList]:
    """One page of `GET /jobs`; the clients' `list` reads them in turn."""
    query = {"limit": str(page_size)}
    if status:
        query["status"] = status
    if cursor:
        query["cursor"] = cursor
    answer = yield from transport.call("GET", "jobs", query=query)
    listed = JobList.model_validate(answer.payload)
    for job in listed.jobs:
        transport.attach(job)
    return listed


def _get(transport: Transport, job_id: str, wait: float | None) -> Operation[tuple[Job, bool]]:
    """The job, and whether the API long-polled for it."""
    answer = yield from transport.call("GET", f"jobs/{job_id}", wait=wait)
    return _job(transport, answer), "preference-applied" in answer.headers


def _job(transport: Transport, answer: Answer) -> Job:
    return transport.attach(Job.model_validate(answer.payload))


def _seconds(wait: Any) -> float | None:
    """`wait` as seconds: None or False for no wait, True for "until it ends"."""
    if wait is None or wait is False:
        return None
    return UNTIL_ENDED if wait is True else float(wait)
