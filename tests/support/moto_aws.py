"""The service's AWS resources in moto, built from template.yaml's own properties, and the
handlers cold-started against them with the environment the template gives each function."""

from __future__ import annotations

import importlib
import json
import sys
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import boto3
import botocore.loaders
import botocore.session
import pytest

from imagejobs.dal.jobs_table import DynamoJobRepository
from imagejobs.models.storage import TENANT_ATTRIBUTE
from tests.support import template
from tests.support.in_memory import StoredObject

REGION = "us-east-1"
# Service models (the JSON botocore parses for each client's first use), read once per run.
_SERVICE_MODELS = botocore.loaders.create_loader()


@dataclass(frozen=True)
class MotoResources:
    table_name: str
    queue_url: str
    dlq_url: str
    bucket_name: str
    resolve: template.Resolver
    dynamodb: Any
    sqs: Any
    s3: Any
    webhook_queue_url: str = ""
    secrets_table_name: str = ""

    def queued_messages(self, queue_url: str | None = None) -> list[dict[str, Any]]:
        response = self.sqs.receive_message(
            QueueUrl=queue_url or self.queue_url,
            MaxNumberOfMessages=10,
            VisibilityTimeout=0,
            AttributeNames=["All"],
        )
        return [json.loads(m["Body"]) for m in response.get("Messages", [])]

    @property
    def jobs(self) -> DynamoJobRepository:
        """The real repository over these resources' table, e.g. for `store_job`."""
        return DynamoJobRepository(self.table_name, boto3.client("dynamodb"))

    def job_items(self) -> list[dict[str, Any]]:
        """Every job in the table (not the tenants' counters of open jobs beside them)."""
        response = self.dynamodb.scan(
            TableName=self.table_name,
            FilterExpression="attribute_exists(#tenant)",
            ExpressionAttributeNames={"#tenant": TENANT_ATTRIBUTE},
        )
        return response["Items"]  # type: ignore[no-any-return]

    def job_item(self, job_id: str) -> dict[str, Any] | None:
        item = self.dynamodb.get_item(TableName=self.table_name, Key={"job_id": {"S": job_id}})
        return item.get("Item")  # type: ignore[no-any-return]

    def stored_job(self, job_id: str) -> dict[str, Any]:
        """The job's item as DynamoDB holds it (typed attributes: {"S": ...}, {"N": ...});
        the job must be there."""
        item = self.job_item(job_id)
        assert item is not None, f"no job {job_id} in the table"
        return item

    def stored_status(self, job_id: str) -> str | None:
        """The job's status as stored, or None for no such job."""
        item = self.job_item(job_id)
        return None if item is None else str(item["status"]["S"])

    def stored_strings(self, job_id: str, *names: str) -> tuple[str, ...]:
        """The job's string attributes `names`, as stored (the job must exist)."""
        item = self.job_item(job_id)
        assert item is not None, job_id
        return tuple(str(item[name]["S"]) for name in names)


def share_service_models() -> None:
    """Inside `mock_aws()`, which leaves boto3 without a default session: one whose service
    models come from a loader shared by every test, so that each test's first clients do not
    parse the same JSON again (most of a test's setup time). Sessions, clients, credentials
    and moto's state stay per test."""
    session = botocore.session.Session()
    session.register_component("data_loader", _SERVICE_MODELS)
    boto3.setup_default_session(botocore_session=session)


def use_moto_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials in one Region, and nothing that could point boto3 at a real endpoint."""
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")


def create_moto_resources() -> MotoResources:
    """The table, queues and bucket, inside an active `mock_aws()`."""
    # Any: the stubs' literal types would make every template-built argument a type error.
    dynamodb: Any = boto3.client("dynamodb")
    sqs: Any = boto3.client("sqs")
    s3: Any = boto3.client("s3")

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

    webhook_dlq_url = sqs.create_queue(
        QueueName="webhooks-dlq",
        Attributes=template.queue_attributes("WebhookDeadLetterQueue", plain),
    )["QueueUrl"]
    webhook_dlq_arn = sqs.get_queue_attributes(
        QueueUrl=webhook_dlq_url, AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    webhook_queue_url = sqs.create_queue(
        QueueName="webhooks",
        Attributes=template.queue_attributes(
            "WebhookQueue", template.Resolver({}, {"WebhookDeadLetterQueue.Arn": webhook_dlq_arn})
        ),
    )["QueueUrl"]
    secrets_table_name = "webhook-secrets-table"
    dynamodb.create_table(
        TableName=secrets_table_name, **template.table_definition("WebhookSecretsTable")
    )

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
            "WebhookQueue": webhook_queue_url,
            "WebhookSecretsTable": secrets_table_name,
        }
    )
    return MotoResources(
        table_name,
        queue_url,
        dlq_url,
        bucket_name,
        resolve,
        dynamodb,
        sqs,
        s3,
        webhook_queue_url=webhook_queue_url,
        secrets_table_name=secrets_table_name,
    )


def cold_start(
    logical_id: str, resources: MotoResources, monkeypatch: pytest.MonkeyPatch, **overrides: str
) -> ModuleType:
    """Imports a function's handler module afresh, with the environment template.yaml gives it."""
    environment = template.function_environment(logical_id, resources.resolve)
    for name, value in {**environment, **overrides}.items():
        monkeypatch.setenv(name, value)
    # A cold start re-imports the whole package: the shared Logger, Tracer and Metrics
    # read their POWERTOOLS_* variables when first imported.
    for name in [m for m in sys.modules if m == "imagejobs" or m.startswith("imagejobs.")]:
        del sys.modules[name]
    return importlib.import_module(template.handler_module(logical_id))


@dataclass(frozen=True)
class BucketObjects:
    """What is in the moto bucket, read the way `InMemoryImageStore` shows its own objects."""

    s3: Any
    bucket_name: str

    def keys(self) -> list[str]:
        listing = self.s3.list_objects_v2(Bucket=self.bucket_name)
        return sorted(obj["Key"] for obj in listing.get("Contents", []))

    def read(self, key: str) -> StoredObject:
        response = self.s3.get_object(Bucket=self.bucket_name, Key=key)
        return StoredObject(response["Body"].read(), response["ContentType"])
