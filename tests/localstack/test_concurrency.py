"""How the local chain runs concurrently: SQS batches in parallel up to the mapping's
MaximumConcurrency (sqs_mapping), and at most IMAGEJOBS_LAMBDA_MAX_ENVIRONMENTS environments
per function, reused (environments). Both are LocalStack start-up hooks of our plugins; `make
up`'s LocalStack has them, with the knobs from imagejobs_dev.localstack.lifecycle.LOCAL_SPEED.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from typing import Any

import pytest

from imagejobs_dev.localstack.lifecycle import LOCAL_SPEED
from tests.support.http import poll

pytestmark = pytest.mark.localstack

# Each invocation records which process ran it and when; a batch takes BATCH_SECONDS, long
# enough that batches in flight together overlap even while a second environment cold-starts.
BATCH_SECONDS = 3
HANDLER = """
import json, os, time
import boto3

def handler(event, context):
    started = time.time()
    time.sleep(float(os.environ["BATCH_SECONDS"]) if "Records" in event else event["sleep"])
    ended = time.time()
    for record in event.get("Records", []):
        boto3.client("dynamodb").put_item(
            TableName=os.environ["TABLE"],
            Item={
                "k": {"S": record["body"]},
                "pid": {"N": str(os.getpid())},
                "started": {"N": repr(started)},
                "ended": {"N": repr(ended)},
            },
        )
    return {"pid": os.getpid(), "batchItemFailures": []}
"""


@pytest.fixture
def sleeper(new_function: Callable[..., str], table: str) -> str:
    """A new function for each test: no environment of another test's is warm."""
    return new_function(
        HANDLER,
        Timeout=30,
        Environment={"Variables": {"TABLE": table, "BATCH_SECONDS": str(BATCH_SECONDS)}},
    )


def most_at_once(intervals: list[tuple[float, float]]) -> int:
    """The largest number of intervals that overlap at one instant."""
    edges = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    running = peak = 0
    for _, step in edges:
        running += step
        peak = max(peak, running)
    return peak


def test_a_mappings_batches_run_in_parallel_up_to_its_maximum_concurrency(
    aws: Callable[..., Any],
    mapped_queue: Callable[..., AbstractContextManager[str]],
    sleeper: str,
    table: str,
) -> None:
    # Given a queue mapped to a slow function, one message a batch, at most 2 batches at once
    bodies = [f"parallel-{n}-{uuid.uuid4()}" for n in range(5)]
    with mapped_queue(sleeper, ScalingConfig={"MaximumConcurrency": 2}) as queue_url:
        # When five messages are sent at once
        for body in bodies:
            aws("sqs").send_message(QueueUrl=queue_url, MessageBody=body)

        # Then every message was handled, two batches ran at the same time and never more
        items = poll(
            lambda: [
                aws("dynamodb").get_item(TableName=table, Key={"k": {"S": b}}).get("Item")
                for b in bodies
            ],
            lambda found: all(found),
            180,
            "the mapped function to handle all five messages",
        )
    intervals = [(float(i["started"]["N"]), float(i["ended"]["N"])) for i in items]
    assert most_at_once(intervals) == 2
    assert len({i["pid"]["N"] for i in items}) == 2


def test_a_burst_of_invokes_waits_for_the_functions_environments_instead_of_starting_more(
    aws: Callable[..., Any],
    sleeper: str,
) -> None:
    # Given the local cap on environments per function
    cap = int(LOCAL_SPEED["IMAGEJOBS_LAMBDA_MAX_ENVIRONMENTS"])
    lambda_ = aws("lambda")

    def invoke(_: int) -> dict[str, Any]:
        response = lambda_.invoke(FunctionName=sleeper, Payload=json.dumps({"sleep": 1}))
        return {"error": response.get("FunctionError"), **json.loads(response["Payload"].read())}

    # When twice the cap of invocations arrive at once
    with ThreadPoolExecutor(max_workers=cap * 2) as pool:
        answers = list(pool.map(invoke, range(cap * 2)))

    # Then all succeeded, on no more environments than the cap, some reused
    assert all(answer["error"] is None for answer in answers)
    assert 1 <= len({answer["pid"] for answer in answers}) <= cap


def test_a_disabled_mapping_runs_nothing_sent_after_it_says_so(
    aws: Callable[..., Any],
    sleeper: str,
    table: str,
) -> None:
    # Given a queue mapped to the function, polling, and then disabled
    sqs, lambda_ = aws("sqs"), aws("lambda")
    queue_url = sqs.create_queue(QueueName=f"concurrency-test-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    mapping = lambda_.create_event_source_mapping(
        EventSourceArn=queue_arn, FunctionName=sleeper, BatchSize=1
    )

    def state() -> str:
        return str(lambda_.get_event_source_mapping(UUID=mapping["UUID"])["State"])

    try:
        poll(state, lambda s: s == "Enabled", 60, "the mapping to poll")
        lambda_.update_event_source_mapping(UUID=mapping["UUID"], Enabled=False)
        poll(state, lambda s: s == "Disabled", 60, "the mapping to say it is disabled")

        # When a message is sent at once, while the stopped poller's long poll may still wait
        body = f"after-disable-{uuid.uuid4()}"
        sqs.send_message(QueueUrl=queue_url, MessageBody=body)

        # Then it stays in the queue for whoever reads it next, and the function never ran it
        received = poll(
            lambda: sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1).get("Messages", []),
            bool,
            15,
            "the message to be receivable",
        )
        assert [m["Body"] for m in received] == [body]
        item = aws("dynamodb").get_item(TableName=table, Key={"k": {"S": body}})
        assert "Item" not in item
    finally:
        lambda_.delete_event_source_mapping(UUID=mapping["UUID"])
        sqs.delete_queue(QueueUrl=queue_url)
