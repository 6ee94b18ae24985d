"""Deadlines, metrics and cost on the deployed stack: a job whose `Cancel-After` passes behind a
backlog ends `deadline_exceeded` without rendering, and a finished job's `cost_usd.platform`
is what the AWS calls counted for it come to (the `aws calls` lines the functions log to
CloudWatch Logs, from the hook on their boto3 clients)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from imagejobs.dal.jobs_table import DynamoJobRepository
from imagejobs.models.cost import BY_AWS, PRICES, job_calls
from imagejobs_dev.stack_info import StackInfo
from tests.e2e.test_api import api, finished_job
from tests.e2e.test_sweeper import submit, worker_paused
from tests.perf.cost import counted_usage
from tests.support.http import poll

BACKLOG = 6


def test_a_job_whose_deadline_passes_behind_a_backlog_ends_without_rendering(
    deployed: StackInfo, aws: Callable[[str], Any]
) -> None:
    # Given a backlog of jobs accepted while the worker is paused, then one due in 2 s
    with worker_paused(deployed, aws):
        backlog = [submit(deployed, n) for n in range(BACKLOG)]
        assert [r.status for r in backlog] == [202] * BACKLOG
        accepted = api(
            deployed,
            "POST",
            "jobs",
            {"prompt": "a lighthouse in a hurry", "width": 64, "height": 64},
            {"Cancel-After": "2s"},
        )
        assert accepted.status == 202, accepted.body
        job_id = accepted.json()["job_id"]
        deadline = datetime.fromisoformat(accepted.json()["deadline_at"])
        # (the clock is read, not slept on: the job's message waits behind the backlog)
        poll(lambda: datetime.now(UTC), lambda now: now > deadline, 30, "its deadline to pass")

    # When the worker drains the queue
    job = finished_job(deployed, job_id)

    # Then the job was canceled for its deadline without ever starting: nothing rendered,
    # nothing stored, no model paid for
    assert (job["status"], job["error"]["type"]) == ("canceled", "deadline_exceeded")
    assert (job["started_at"], job["images"], job["metrics"]["attempts"]) == (None, [], 0)
    assert job["metrics"]["running_seconds"] is None
    assert job["cost_usd"]["model"] == 0
    listed = aws("s3").list_objects_v2(Bucket=deployed.bucket, Prefix=f"images/{job_id}/")
    assert listed.get("KeyCount", 0) == 0
    # And the backlog ahead of it was rendered
    for response in backlog:
        assert finished_job(deployed, response.json()["job_id"])["status"] == "succeeded"


def logged_calls(aws: Callable[[str], Any], function_prefix: str, job_id: str) -> list[Any]:
    """The `aws calls` lines that name the job, from the log groups of the stack's functions
    whose names contain `function_prefix`."""
    logs, lambda_ = aws("logs"), aws("lambda")
    names = [
        f["FunctionName"]
        for f in lambda_.list_functions()["Functions"]
        if function_prefix in f["FunctionName"]
    ]
    lines = []
    for name in names:
        events = logs.filter_log_events(
            logGroupName=f"/aws/lambda/{name}", filterPattern=f'"aws calls" "{job_id}"'
        )["events"]
        for event in events:  # (LocalStack's filter is loose: each event is checked again)
            for text in event["message"].splitlines():
                if text.startswith("{") and '"aws calls"' in text:
                    line = json.loads(text)
                    if job_id in line["aws_calls"]:
                        lines.append(line)
    return lines


def test_a_finished_job_s_platform_cost_is_what_its_counted_calls_come_to(
    deployed: StackInfo, aws: Callable[[str], Any], record_property: Callable[[str, object], None]
) -> None:
    # Given a finished job
    accepted = api(deployed, "POST", "jobs", {"prompt": "a priced lighthouse", "width": 128})
    assert accepted.status == 202, accepted.body
    job_id = accepted.json()["job_id"]
    shown = finished_job(deployed, job_id)
    assert shown["status"] == "succeeded", shown["error"]

    # When the calls its submit and its worker logged for it are read back
    lines = poll(
        lambda: [
            *logged_calls(aws, "SubmitFunction", job_id),
            *logged_calls(aws, "WorkerFunction", job_id),
        ],
        lambda found: len(found) >= 2,
        60,
        "the job's `aws calls` lines in CloudWatch Logs",
    )
    counted: Counter[str] = Counter()
    for line in lines:
        counted.update(line["aws_calls"][job_id])
    counted.pop("s3.bytes_stored", None)

    # Then the calls its functions made are exactly the ones its cost counts
    job = DynamoJobRepository(deployed.table, aws("dynamodb")).get(job_id)
    assert job is not None
    assert dict(counted) == {op: n for op, n in job_calls(job).items() if op not in BY_AWS}
    # And the platform cost priced from those calls and the invocations' billed time matches
    # the job's own, within what the job cannot see of its invocations (their last writes)
    priced = counted_usage(job, lines).usd(PRICES)
    platform = shown["cost_usd"]["platform"]
    record_property("platform_usd", platform)
    record_property("platform_from_counted_calls_usd", priced)
    assert platform <= priced * 1.001
    assert platform >= priced * 0.8
