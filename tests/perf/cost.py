"""A job's AWS usage from what was counted for it: the `aws calls` lines its functions logged
(imagejobs.dal.aws_calls), priced as `imagejobs.models.cost` prices the job's own figures.

Each line is one invocation: its calls per job, its duration and memory size. An invocation
that worked on several jobs (a worker's batch) is shared between them evenly. What AWS itself
did for the job is added as the service's cost model adds it: the API call that submitted it,
and the event source mapping's receive and delete of each of its messages.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from imagejobs.dal.aws_calls import UNATTRIBUTED
from imagejobs.models.cost import (
    API_REQUEST,
    ESM_CALLS,
    INVOKE,
    Usage,
    calls_usage,
    stored_gb_months,
)
from imagejobs.models.domain import Job
from imagejobs.models.storage import item_bytes


def counted_calls(job_id: str, lines: Iterable[dict[str, Any]]) -> tuple[Counter[str], float]:
    """The job's calls, its share of the invocations counted as `lambda.Invoke`, and its share
    of their billed GB-seconds."""
    calls: Counter[str] = Counter()
    gb_seconds = 0.0
    for line in lines:
        per_job = line["aws_calls"]
        if job_id not in per_job:
            continue
        jobs = [job for job in per_job if job != UNATTRIBUTED]
        share = 1 / len(jobs)
        calls.update({k: v for k, v in per_job[job_id].items() if k != "s3.bytes_stored"})
        calls[INVOKE] += share  # type: ignore[assignment]
        gb_seconds += line["duration_ms"] / 1000 * line["memory_mb"] / 1024 * share
    return calls, gb_seconds


def counted_usage(job: Job, lines: Iterable[dict[str, Any]]) -> Usage:
    calls, gb_seconds = counted_calls(job.job_id, lines)
    calls[API_REQUEST] += 1
    for operation in ESM_CALLS:
        calls[operation] += 1 + job.throttled_waits
    return calls_usage(
        calls, item_bytes=item_bytes(job), gb_seconds=gb_seconds, gb_months=stored_gb_months(job)
    )
