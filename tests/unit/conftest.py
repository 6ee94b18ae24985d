"""Unit tests: the real handlers and logic, with AWS answered in-process by moto.

Resources come from template.yaml's own properties, each function's environment from its
own variables there, and handler modules are imported afresh for every test, as on a cold
start.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest
from moto import mock_aws

from imagejobs.dal.image_store import S3ImageStore, s3_client
from imagejobs.dal.jobs_table import DynamoJobRepository
from imagejobs.engines.base import ImageEngine
from imagejobs.logic.worker import Outcome, process_job
from imagejobs.models.domain import Job
from tests.support import template
from tests.support.jobs import T0, make_job

EVENTS = Path(__file__).resolve().parents[2] / "events"
REGION = "us-east-1"


@dataclass(frozen=True)
class Stack:
    table_name: str
    queue_url: str
    dlq_url: str
    bucket_name: str
    resolve: template.Resolver
    dynamodb: Any
    sqs: Any
    s3: Any

    def queued_messages(self) -> list[dict[str, Any]]:
        response = self.sqs.receive_message(
            QueueUrl=self.queue_url, MaxNumberOfMessages=10, VisibilityTimeout=0
        )
        return [json.loads(m["Body"]) for m in response.get("Messages", [])]

    @property
    def jobs(self) -> DynamoJobRepository:
        """The real repository over this stack's table, e.g. for `store_job`."""
        return DynamoJobRepository(self.table_name, boto3.client("dynamodb"))

    def job_item(self, job_id: str) -> dict[str, Any] | None:
        item = self.dynamodb.get_item(TableName=self.table_name, Key={"job_id": {"S": job_id}})
        return item.get("Item")  # type: ignore[no-any-return]


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    with mock_aws():
        yield


@pytest.fixture
def stack(aws: None) -> Stack:
    dynamodb = boto3.client("dynamodb")
    sqs = boto3.client("sqs")
    s3 = boto3.client("s3")

    table_name = "jobs-table"
    dynamodb.create_table(TableName=table_name, **template.table_definition("JobsTable"))
    ttl = template.properties("JobsTable")["TimeToLiveSpecification"]
    dynamodb.update_time_to_live(
        TableName=table_name,
        TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": ttl["Enabled"]},
    )

    idempotency_table = "idempotency-table"
    dynamodb.create_table(
        TableName=idempotency_table, **template.table_definition("IdempotencyTable")
    )

    plain = template.Resolver({})
    dlq_url = sqs.create_queue(
        QueueName="jobs-dlq", Attributes=template.queue_attributes("JobsDeadLetterQueue", plain)
    )["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    with_dlq = template.Resolver({}, {"JobsDeadLetterQueue.Arn": dlq_arn})
    queue_url = sqs.create_queue(
        QueueName="jobs", Attributes=template.queue_attributes("JobsQueue", with_dlq)
    )["QueueUrl"]

    bucket_name = "images-bucket"
    s3.create_bucket(Bucket=bucket_name)
    s3.put_bucket_encryption(
        Bucket=bucket_name,
        ServerSideEncryptionConfiguration={
            "Rules": template.bucket_encryption_rules("ImagesBucket")
        },
    )
    s3.put_public_access_block(
        Bucket=bucket_name,
        PublicAccessBlockConfiguration=template.properties("ImagesBucket")[
            "PublicAccessBlockConfiguration"
        ],
    )

    resolve = template.Resolver(
        {
            "JobsTable": table_name,
            "JobsQueue": queue_url,
            "ImagesBucket": bucket_name,
            "IdempotencyTable": idempotency_table,
        }
    )
    return Stack(table_name, queue_url, dlq_url, bucket_name, resolve, dynamodb, sqs, s3)


@pytest.fixture
def load_handler(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Callable[..., ModuleType]:
    """Cold-starts a function's handler module with the environment template.yaml gives it."""

    def load(logical_id: str, **overrides: str) -> ModuleType:
        environment = template.function_environment(logical_id, stack.resolve)
        for name, value in {**environment, **overrides}.items():
            monkeypatch.setenv(name, value)
        # A cold start re-imports the whole package: the shared Logger, Tracer and Metrics
        # read their POWERTOOLS_* variables when first imported.
        for name in [m for m in sys.modules if m == "imagejobs" or m.startswith("imagejobs.")]:
            del sys.modules[name]
        return importlib.import_module(template.handler_module(logical_id))

    return load


@dataclass
class FakeLambdaContext:
    function_name: str = "test-function"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:test-function"
    aws_request_id: str = "4a6a8a3e-0000-4000-8000-000000000001"
    remaining_ms: int = 30_000

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


@pytest.fixture
def lambda_context() -> FakeLambdaContext:
    return FakeLambdaContext()


def load_event(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / f"{name}.json").read_text())  # type: ignore[no-any-return]


FIXTURE_JOB_ID = "3f1c9a5e-7b2d-4e8f-9a61-2c5d8e0b7f14"
# The API key id the api-* fixtures carry (tests/support/make_events.py).
OWNER = "tenant-a-key-id"


def event_for_job(name: str, job_id: str) -> dict[str, Any]:
    """A fixture event, pointed at another job than the one it names."""
    text = (EVENTS / f"{name}.json").read_text().replace(FIXTURE_JOB_ID, job_id)
    return json.loads(text)  # type: ignore[no-any-return]


def response_json(response: dict[str, Any]) -> Any:
    return json.loads(response["body"])


WORKER_JOB_ID = "5b0e6f3a-1c2d-4e5f-8a9b-0c1d2e3f4a5b"


@dataclass
class WorkerWorld:
    """The worker's logic against the moto stack: one job, a clock that ticks a second a call."""

    stack: Stack
    jobs: DynamoJobRepository
    images: S3ImageStore
    ticks: int = 0

    def clock(self) -> datetime:
        self.ticks += 1
        return T0 + timedelta(seconds=self.ticks)

    def add_job(self, *, engine: str = "scripted", **parameters: Any) -> Job:
        """A queued job, recorded under `engine`; `parameters` override JobParameters."""
        values: dict[str, Any] = {
            "prompt": "a lighthouse",
            "width": 128,
            "height": 96,
            "seed": 7,
            "num_images": 2,
            "image_format": "webp",
            **parameters,
        }
        job = make_job(WORKER_JOB_ID, OWNER, created_at=T0, changes={"engine_id": engine}, **values)
        self.jobs.create(job)
        return job

    def run(
        self,
        engine: ImageEngine,
        receive_count: int = 1,
        max_receive_count: int = 3,
        job_id: str = WORKER_JOB_ID,
    ) -> Outcome:
        return process_job(
            job_id,
            receive_count=receive_count,
            max_receive_count=max_receive_count,
            jobs=self.jobs,
            images=self.images,
            engine=engine,
            clock=self.clock,
        )

    def job(self) -> Job:
        job = self.jobs.get(WORKER_JOB_ID)
        assert job is not None
        return job

    def object_keys(self) -> list[str]:
        listing = self.stack.s3.list_objects_v2(Bucket=self.stack.bucket_name)
        return sorted(obj["Key"] for obj in listing.get("Contents", []))

    def stored(self, key: str) -> bytes:
        response = self.stack.s3.get_object(Bucket=self.stack.bucket_name, Key=key)
        return response["Body"].read()  # type: ignore[no-any-return]


@pytest.fixture
def world(stack: Stack) -> WorkerWorld:
    return WorkerWorld(
        stack,
        DynamoJobRepository(stack.table_name, boto3.client("dynamodb")),
        S3ImageStore(stack.bucket_name, s3_client()),
    )
