"""Nothing accepted stays open when its messages are lost: the job queue is deleted and
recreated under load, and the deployed SweepFunction re-drives every job it stranded.

The sweeper is invoked directly with its scheduled event rather than waited for: its schedule
is minutes apart (SweepIntervalMinutes). Its bounds are the localstack configuration's
(samconfig.toml: a job queued for 10 s counts as stranded), not the template's defaults.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from imagejobs.models.domain import TERMINAL_STATUSES
from imagejobs_dev.stack_info import StackInfo
from tests.support.events import load_event
from tests.support.http import HttpResponse, call, poll

ACCEPTED = 12
DURING_OUTAGE = 4
# What create_queue may set again; the rest of get_queue_attributes is SQS's own bookkeeping.
SETTABLE = {
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "RedrivePolicy",
    "SqsManagedSseEnabled",
    "VisibilityTimeout",
}


def submit(deployed: StackInfo, n: int) -> HttpResponse:
    return call(
        "POST",
        deployed.api_url + "jobs",
        {"prompt": f"a lighthouse, take {n}", "width": 64, "height": 64, "seed": n},
        headers={"x-api-key": deployed.api_key},
    )


def status(deployed: StackInfo, job_id: str) -> str:
    response = call(
        "GET", deployed.api_url + f"jobs/{job_id}", None, headers={"x-api-key": deployed.api_key}
    )
    assert response.status == 200, response
    return str(response.json()["status"])


@contextmanager
def worker_paused(deployed: StackInfo, aws: Callable[[str], Any]) -> Iterator[None]:
    """Holds the worker's queue mapping disabled, so accepted jobs' messages wait in the queue."""
    lambda_, sqs = aws("lambda"), aws("sqs")
    queue_arn = sqs.get_queue_attributes(QueueUrl=deployed.queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    [mapping] = lambda_.list_event_source_mappings(
        FunctionName=deployed.worker_function, EventSourceArn=queue_arn
    )["EventSourceMappings"]

    def state() -> str:
        return str(lambda_.get_event_source_mapping(UUID=mapping["UUID"])["State"])

    lambda_.update_event_source_mapping(UUID=mapping["UUID"], Enabled=False)
    try:
        poll(state, lambda s: s == "Disabled", 30, "the worker's mapping to stop")
        yield
    finally:
        lambda_.update_event_source_mapping(UUID=mapping["UUID"], Enabled=True)
        poll(state, lambda s: s == "Enabled", 30, "the worker's mapping to start")


@contextmanager
def queue_outage(deployed: StackInfo, aws: Callable[[str], Any]) -> Iterator[None]:
    """Deletes the job queue, and recreates it with the same name and attributes afterwards."""
    sqs = aws("sqs")
    attributes = sqs.get_queue_attributes(QueueUrl=deployed.queue_url, AttributeNames=["All"])[
        "Attributes"
    ]
    name = deployed.queue_url.rstrip("/").rsplit("/", 1)[-1]
    sqs.delete_queue(QueueUrl=deployed.queue_url)
    try:
        yield
    finally:
        restored = sqs.create_queue(
            QueueName=name, Attributes={k: v for k, v in attributes.items() if k in SETTABLE}
        )
        assert restored["QueueUrl"] == deployed.queue_url


def test_the_sweeper_is_scheduled_by_an_enabled_eventbridge_rule(
    deployed: StackInfo, aws: Callable[[str], Any]
) -> None:
    # Given the deployed sweeper
    events, lambda_ = aws("events"), aws("lambda")
    arn = lambda_.get_function(FunctionName=deployed.sweep_function)["Configuration"]["FunctionArn"]

    # When the rules that target it are read
    names = events.list_rule_names_by_target(TargetArn=arn)["RuleNames"]
    rules = [events.describe_rule(Name=name) for name in names]

    # Then one enabled rule runs it every SweepIntervalMinutes (5 by default)
    assert [(r["ScheduleExpression"], r["State"]) for r in rules] == [
        ("rate(5 minutes)", "ENABLED")
    ]


def test_jobs_whose_messages_went_with_the_queue_are_re_driven_and_all_end(
    deployed: StackInfo, aws: Callable[[str], Any], record_property: Callable[[str, object], None]
) -> None:
    # Given jobs accepted while the worker is paused, so their messages sit in the queue
    with worker_paused(deployed, aws):
        answers = [submit(deployed, n) for n in range(ACCEPTED)]
        assert [r.status for r in answers] == [202] * ACCEPTED
        accepted = [r.json()["job_id"] for r in answers]

        # When the queue is deleted with those messages, and recreated
        with queue_outage(deployed, aws):
            # Then submits during the outage get a clean 503 with Retry-After
            refused = [submit(deployed, ACCEPTED + n) for n in range(DURING_OUTAGE)]
            assert [r.status for r in refused] == [503] * DURING_OUTAGE
            assert all(r.headers.get("Retry-After") for r in refused)
            assert {r.json()["error"] for r in refused} == {"service_unavailable"}

    # And with the worker back, the accepted jobs stay queued: their messages are gone
    stranded = [job_id for job_id in accepted if status(deployed, job_id) == "queued"]
    assert stranded == accepted

    # When the sweeper runs (as its schedule would) until every accepted job has ended
    lambda_ = aws("lambda")
    runs: list[dict[str, int]] = []

    def sweep_and_count() -> list[str]:
        response = lambda_.invoke(
            FunctionName=deployed.sweep_function, Payload=json.dumps(load_event("schedule-sweep"))
        )
        assert "FunctionError" not in response, response["Payload"].read()
        runs.append(json.loads(response["Payload"].read()))
        return [
            s
            for s in (status(deployed, job_id) for job_id in accepted)
            if s not in TERMINAL_STATUSES
        ]

    poll(sweep_and_count, lambda open_jobs: not open_jobs, 180, "every accepted job to end", 2)

    # Then every accepted job ended, succeeded, after the sweeper re-drove each stranded one
    final = {job_id: status(deployed, job_id) for job_id in accepted}
    redriven = sum(run["redriven"] for run in runs)
    figures = {
        "accepted": len(accepted),
        "refused_during_outage": len(refused),
        "stranded": len(stranded),
        "re_driven": redriven,
        "sweeper_runs": len(runs),
        "terminal": sum(s in TERMINAL_STATUSES for s in final.values()),
        "succeeded": sum(s == "succeeded" for s in final.values()),
    }
    record_property("queue_outage", json.dumps(figures))
    print(f"queue outage: {figures}")
    assert set(final.values()) == {"succeeded"}
    assert redriven >= len(stranded)
    assert sum(run["failed"] for run in runs) == 0
