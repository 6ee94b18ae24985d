"""Fault-injection campaign against the deployed stack on LocalStack.

    python -m tests.faults.campaign --jobs 300

Submits jobs over HTTP, some tagged with engine faults (transient, permanent, a crash that
kills the worker's execution environment mid-render), runs them through a worker whose only
difference from WorkerFunction is the injected engine (tests/faults/chaos_worker.py), sends
duplicate receives, repeat receives for finished jobs and poison messages, and then checks that
every accepted job ended in exactly one terminal state with no image lost or duplicated.

It needs the host-mode LocalStack `make up` starts (the chaos worker counts attempts in files
on the host) and a stack deployed by `make up` or the end-to-end tests.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError

from imagejobs.models.domain import TERMINAL_STATUSES
from imagejobs.models.webhooks import WebhookEvent, webhook_id
from imagejobs_dev.stack_info import StackInfo, client, read_state
from tests.support.http import call, poll
from tests.support.webhook_receiver import Receiver, webhook_receiver

ROOT = Path(__file__).resolve().parents[2]
BUILT_WORKER = ROOT / ".aws-sam" / "build" / "WorkerFunction"
# While the campaign runs: a crashed receive comes back after this, not after 720 s.
CAMPAIGN_VISIBILITY_SECONDS = 20
CHAOS_TIMEOUT_SECONDS = 15

# Share of jobs per fault, and the terminal state each must reach.
FAULTS: list[tuple[str, str, float, str]] = [
    # (name, prompt tag, share, expected status)
    ("none", "", 0.55, "succeeded"),
    ("transient-recovers", "[fault:transient:2]", 0.15, "succeeded"),
    ("transient-exhausts", "[fault:transient:9]", 0.05, "failed"),
    ("permanent", "[fault:permanent]", 0.1, "failed"),
    ("crash", "[fault:crash]", 0.15, "succeeded"),
    ("crash-after-complete", "[fault:crash-after-complete]", 0.05, "succeeded"),
]
# The receiver fails this share of requests at random (500, or 503 with Retry-After), but
# never more than the shrunk schedule's retries allow for one event, so every event can land.
RECEIVER_FAILURE_RATE = 0.4
MAX_FAILURES_PER_EVENT = 2
WEBHOOK_TIMEOUT_SECONDS = 240


@dataclass
class Report:
    jobs: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    injected_messages: Counter[str] = field(default_factory=Counter)
    terminal: Counter[str] = field(default_factory=Counter)
    lost: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    wrong_state: list[str] = field(default_factory=list)
    # Jobs whose receives ran out because crashes in their batch cost them receives: they
    # must end failed (retries_exhausted or DeadLettered) with fewer attempts than receives.
    out_of_receives: list[str] = field(default_factory=list)
    changed_by_repeat_receive: list[str] = field(default_factory=list)
    # Webhooks: events that should have happened (completed for every job, started for every
    # job that ran), distinct ones received (by webhook-id), extra copies, and the missing.
    webhook_events_expected: int = 0
    webhook_events_received: int = 0
    webhook_requests: int = 0
    webhook_receiver_failures: int = 0
    webhook_duplicates: int = 0
    webhook_lost: list[str] = field(default_factory=list)
    webhook_bad_signatures: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "jobs": self.jobs,
            "faults": dict(self.faults),
            "injected_messages": dict(self.injected_messages),
            "terminal": dict(self.terminal),
            "lost": len(self.lost),
            "duplicates": len(self.duplicates),
            "wrong_state": len(self.wrong_state),
            "out_of_receives": len(self.out_of_receives),
            "changed_by_repeat_receive": len(self.changed_by_repeat_receive),
            "webhooks": {
                "expected": self.webhook_events_expected,
                "received": self.webhook_events_received,
                "requests": self.webhook_requests,
                "receiver_failures": self.webhook_receiver_failures,
                "duplicates": self.webhook_duplicates,
                "lost": len(self.webhook_lost),
                "bad_signatures": self.webhook_bad_signatures,
            },
            "seconds": round(self.seconds, 1),
        }


def _wait(probe: Callable[[], bool], timeout: float, interval: float = 1.0) -> bool:
    """Whether `probe` came true within `timeout`: the campaign reports, it does not assert."""
    try:
        poll(probe, bool, timeout, "the campaign", interval)
    except AssertionError:
        return False
    return True


@contextmanager
def chaos_worker(stack: StackInfo, state_dir: Path) -> Iterator[None]:
    """Swaps WorkerFunction's queue mapping for the chaos worker's; puts everything back."""
    lambda_ = client("lambda", stack.endpoint_url)
    sqs = client("sqs", stack.endpoint_url)
    queue_arn = sqs.get_queue_attributes(QueueUrl=stack.queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    real = lambda_.get_function_configuration(FunctionName=stack.worker_function)
    [real_mapping] = lambda_.list_event_source_mappings(
        FunctionName=stack.worker_function, EventSourceArn=queue_arn
    )["EventSourceMappings"]

    code = Path(tempfile.mkdtemp(prefix="chaos-worker-"))
    shutil.copytree(BUILT_WORKER, code, dirs_exist_ok=True)
    shutil.copy(Path(__file__).with_name("chaos_worker.py"), code / "chaos_worker.py")
    name = f"chaos-worker-{uuid.uuid4().hex[:8]}"
    original_visibility = sqs.get_queue_attributes(
        QueueUrl=stack.queue_url, AttributeNames=["VisibilityTimeout"]
    )["Attributes"]["VisibilityTimeout"]
    environment = dict(real["Environment"]["Variables"])
    # The built-in renderer only: its jobs take seconds, so a short reserve is enough.
    environment.update(
        CHAOS_STATE_DIR=str(state_dir),
        RENDER_TIME_RESERVE_SECONDS="3",
        MODELS="pillow",
        DEFAULT_MODEL="pillow",
    )
    lambda_.create_function(
        FunctionName=name,
        Runtime=real["Runtime"],
        Role=real["Role"],
        Handler="chaos_worker.handler",
        # LocalStack's hot-reload bucket runs code from a host folder without a zip.
        Code={"S3Bucket": "hot-reload", "S3Key": str(code)},
        Timeout=CHAOS_TIMEOUT_SECONDS,
        MemorySize=real["MemorySize"],
        Environment={"Variables": environment},
    )
    lambda_.get_waiter("function_active_v2").wait(FunctionName=name)
    sqs.set_queue_attributes(
        QueueUrl=stack.queue_url,
        Attributes={"VisibilityTimeout": str(CAMPAIGN_VISIBILITY_SECONDS)},
    )
    lambda_.update_event_source_mapping(UUID=real_mapping["UUID"], Enabled=False)
    mapping = lambda_.create_event_source_mapping(
        EventSourceArn=queue_arn,
        FunctionName=name,
        BatchSize=4,
        FunctionResponseTypes=["ReportBatchItemFailures"],
    )
    try:
        yield
    finally:
        lambda_.delete_event_source_mapping(UUID=mapping["UUID"])
        lambda_.update_event_source_mapping(UUID=real_mapping["UUID"], Enabled=True)
        sqs.set_queue_attributes(
            QueueUrl=stack.queue_url, Attributes={"VisibilityTimeout": original_visibility}
        )
        lambda_.delete_function(FunctionName=name)
        shutil.rmtree(code, ignore_errors=True)


def _plan(n_jobs: int, rng: random.Random) -> list[tuple[str, str]]:
    """(fault name, prompt) for each job, in a shuffled order."""
    plan: list[tuple[str, str]] = []
    for name, tag, share, _ in FAULTS:
        count = max(1, round(n_jobs * share)) if name != "none" else 0
        plan += [(name, tag)] * count
    plan += [("none", "")] * max(0, n_jobs - len(plan))
    rng.shuffle(plan)
    return [
        (name, f"{tag} job {n} {uuid.uuid4().hex[:6]}".strip())
        for n, (name, tag) in enumerate(plan)
    ]


Accepted = list[tuple[str, str, int]]  # (job id, fault, images) of each accepted job


class _Campaign:
    """One run against `stack`: its random plan, its receiver's scripted failures, its report."""

    def __init__(self, stack: StackInfo, seed: int) -> None:
        self.stack = stack
        self.rng = random.Random(seed)  # noqa: S311 - a reproducible test plan, not a secret
        self.failure_rng = random.Random(seed + 1)  # noqa: S311 - a reproducible test plan
        self.report = Report()
        self.api_key = {"x-api-key": stack.api_key}
        self.sqs = client("sqs", stack.endpoint_url)
        self.dynamodb = client("dynamodb", stack.endpoint_url)
        self.s3 = client("s3", stack.endpoint_url)
        self.failures: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.receiver: Receiver | None = None

    def flaky(self, number: int) -> int:
        """The receiver's answer to its request `number`: now and then a failure."""
        assert self.receiver is not None
        request = self.receiver.received[number]
        with self.lock:
            event_id = request.headers.get("webhook-id", "")
            if self.failures[event_id] < MAX_FAILURES_PER_EVENT and (
                self.failure_rng.random() < RECEIVER_FAILURE_RATE
            ):
                self.failures[event_id] += 1
                return self.failure_rng.choice([500, 500, 503, 429, 302])
        return 200

    def submit(self, planned: tuple[str, str]) -> tuple[str, str, int]:
        """Submits over HTTP, as clients do, a job with a webhook for both events."""
        assert self.receiver is not None
        fault, prompt = planned
        images = self.rng.choice([1, 1, 2])
        body = {
            "prompt": prompt,
            "width": 64,
            "height": 64,
            "num_images": images,
            "webhook": self.receiver.url,
            "webhook_events_filter": ["started", "completed"],
        }
        response = call("POST", self.stack.api_url + "jobs", body, headers=self.api_key)
        assert response.status == 202, response.body
        return response.json()["job_id"], fault, images

    def send(self, body: str, kind: str) -> None:
        self.sqs.send_message(QueueUrl=self.stack.queue_url, MessageBody=body)
        self.report.injected_messages[kind] += 1

    def inject(self, accepted: Accepted) -> None:
        """Sends some messages twice more, and sends poison."""
        for job_id, _, _ in self.rng.sample(accepted, k=max(1, len(accepted) // 10)):
            for _ in range(2):
                self.send(json.dumps({"job_id": job_id}), "duplicate")
        poison = ["not json", '{"job_id": 123}', json.dumps({"job_id": str(uuid.uuid4())}), "{}"]
        for body in poison:
            self.send(body, "poison")

    def item(self, job_id: str) -> dict[str, Any]:
        found = self.dynamodb.get_item(
            TableName=self.stack.table, Key={"job_id": {"S": job_id}}, ConsistentRead=True
        )
        return found.get("Item", {})  # type: ignore[no-any-return]

    def open_jobs(self, accepted: Accepted) -> list[str]:
        return [
            job_id
            for job_id, _, _ in accepted
            if self.item(job_id).get("status", {}).get("S") not in TERMINAL_STATUSES
        ]

    def resend_finished(self, accepted: Accepted) -> dict[str, dict[str, Any]]:
        """Sends messages again for some finished jobs (nothing may change); every job's item."""
        finished = {job_id: self.item(job_id) for job_id, _, _ in accepted}
        for job_id in self.rng.sample(list(finished), k=max(1, len(finished) // 10)):
            self.send(json.dumps({"job_id": job_id}), "resent_for_finished")
        return finished

    def queue_drained(self) -> bool:
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=self.stack.queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return all(int(value) == 0 for value in attributes.values())

    def expected_webhooks(self, accepted: Accepted) -> dict[str, str]:
        """Every event that should have happened, by webhook-id: completed for each job,
        started for each that ran (it has a start time)."""
        expected: dict[str, str] = {}
        for job_id, _, _ in accepted:
            expected[webhook_id(job_id, WebhookEvent.COMPLETED)] = f"{job_id} completed"
            if "started_at" in self.item(job_id):
                expected[webhook_id(job_id, WebhookEvent.STARTED)] = f"{job_id} started"
        return expected

    def tally(self, accepted: Accepted, finished: dict[str, dict[str, Any]]) -> None:
        """Each job's end: its state against its fault's, unchanged by a repeat receive, its
        images."""
        expected = {name: status for name, _, _, status in FAULTS}
        report = self.report
        for job_id, fault, images in accepted:
            now = self.item(job_id)
            status = now.get("status", {}).get("S", "missing")
            report.terminal[status] += 1
            if status != expected[fault] and job_id not in report.lost:
                if _lost_receives_to_crashes(now, fault):
                    report.out_of_receives.append(job_id)
                else:
                    report.wrong_state.append(f"{job_id} {fault}: {status}")
            # (The delivery function records its attempts on the job meanwhile: not a change.)
            if _without_deliveries(now) != _without_deliveries(finished[job_id]):
                report.changed_by_repeat_receive.append(job_id)
            keys = self.s3.list_objects_v2(
                Bucket=self.stack.bucket, Prefix=f"images/{job_id}/"
            ).get("Contents", [])
            if status == "succeeded" and len(keys) != images:
                report.duplicates.append(f"{job_id}: {len(keys)} objects for {images} images")


def run(stack: StackInfo, n_jobs: int, *, seed: int = 7, timeout: float = 600) -> Report:
    campaign = _Campaign(stack, seed)
    report = campaign.report
    started = time.monotonic()
    state_dir = Path(tempfile.mkdtemp(prefix="chaos-state-"))
    secret = call("GET", stack.api_url + "webhooks/secret", headers=campaign.api_key).json()[
        "secret"
    ]
    with webhook_receiver(then=campaign.flaky) as receiver, chaos_worker(stack, state_dir):
        campaign.receiver = receiver
        receiver.extra_headers["Retry-After"] = "1"
        with ThreadPoolExecutor(max_workers=8) as pool:
            accepted = list(pool.map(campaign.submit, _plan(n_jobs, campaign.rng)))
        report.jobs = len(accepted)
        report.faults.update(fault for _, fault, _ in accepted)
        campaign.inject(accepted)

        _wait(lambda: not campaign.open_jobs(accepted), timeout, interval=2.0)
        report.lost = campaign.open_jobs(accepted)
        finished = campaign.resend_finished(accepted)
        _wait(campaign.queue_drained, 4 * CAMPAIGN_VISIBILITY_SECONDS * 3, interval=2.0)

        expected_ids = campaign.expected_webhooks(accepted)
        _wait(lambda: set(expected_ids) <= _ids(receiver), WEBHOOK_TIMEOUT_SECONDS, interval=2.0)
        failed = sum(campaign.failures.values())
        _report_webhooks(report, receiver, expected_ids, secret, failed)

    campaign.tally(accepted, finished)
    report.seconds = time.monotonic() - started
    shutil.rmtree(state_dir, ignore_errors=True)
    return report


def _ids(receiver: Receiver) -> set[str]:
    with receiver.lock:
        return {r.headers.get("webhook-id", "") for r in receiver.received}


def _report_webhooks(
    report: Report, receiver: Receiver, expected: dict[str, str], secret: str, failed: int
) -> None:
    with receiver.lock:
        requests = list(receiver.received)
    received = {r.headers.get("webhook-id", "") for r in requests}
    report.webhook_events_expected = len(expected)
    report.webhook_events_received = len(received & set(expected))
    report.webhook_requests = len(requests)
    report.webhook_receiver_failures = failed
    # Copies beyond the first of each event, less the retries the receiver itself asked for.
    report.webhook_duplicates = len(requests) - len(received) - failed
    report.webhook_lost = [what for event_id, what in expected.items() if event_id not in received]
    for request in requests:
        try:
            Webhook(secret).verify(request.body, request.headers)
        except WebhookVerificationError:
            report.webhook_bad_signatures += 1


def _without_deliveries(item: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in item.items() if not name.startswith("delivery_")}


def _lost_receives_to_crashes(item: dict[str, Any], fault: str) -> bool:
    """A job that would have succeeded, had crashed batches not used up its receives.

    When an execution environment dies, every message of its batch comes back with one
    receive spent; after MaxReceiveCount such receives the job ends failed with the reason
    (retries_exhausted on its last receive, or DeadLettered). Terminal, not lost.
    """
    return (
        fault in {"none", "transient-recovers", "crash"}
        and item.get("error_type", {}).get("S") in {"retries_exhausted", "dead_lettered"}
        and int(item.get("attempts", {}).get("N", "0")) < 3
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=300)
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args()
    stack = read_state()
    if stack is None:
        raise SystemExit("no stack: run `make up` first")
    report = run(stack, args.jobs, timeout=args.timeout)
    print(json.dumps(report.as_dict(), indent=2))
    for problem in report.lost + report.duplicates + report.wrong_state + report.webhook_lost:
        print("problem:", problem)
    if (
        report.lost
        or report.duplicates
        or report.wrong_state
        or report.changed_by_repeat_receive
        or report.webhook_lost
    ):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
