"""The two plugins inside a running LocalStack: Lambda without Docker, DynamoDB without Java."""

from __future__ import annotations

import base64
import io
import json
import ssl
import urllib.request
import uuid
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

from imagejobs_dev.localstack import LocalStack
from imagejobs_dev.stack import LOCAL_CREDENTIALS
from tests.support.http import poll

pytestmark = pytest.mark.localstack

HANDLER = """
import json, os, time
import boto3

def handler(event, context):
    print("event seen:", json.dumps(event)[:200])
    if event.get("raise"):
        raise ValueError("asked to fail")
    if event.get("sleep"):
        time.sleep(event["sleep"])
    if "Records" in event:
        table = boto3.client("dynamodb")
        for record in event["Records"]:
            table.put_item(TableName=os.environ["TABLE"], Item={"k": {"S": record["body"]}})
        return {"batchItemFailures": []}
    return {
        "tables": boto3.client("dynamodb").list_tables()["TableNames"],
        "remaining_ms": context.get_remaining_time_in_millis(),
    }
"""


@pytest.fixture(scope="module")
def aws(localstack: LocalStack) -> Callable[[str], Any]:
    def client(service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=localstack.endpoint_url,
            region_name="us-east-1",
            aws_access_key_id=LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )

    return client


@pytest.fixture(scope="module")
def table(aws: Callable[[str], Any]) -> Iterator[str]:
    name = f"plugin-test-{uuid.uuid4().hex[:8]}"
    aws("dynamodb").create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    yield name
    aws("dynamodb").delete_table(TableName=name)


@pytest.fixture(scope="module")
def function(aws: Callable[[str], Any], table: str) -> Iterator[str]:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("app.py", HANDLER)
    name = f"plugin-test-{uuid.uuid4().hex[:8]}"
    lambda_ = aws("lambda")
    lambda_.create_function(
        FunctionName=name,
        Runtime="python3.13",
        Role="arn:aws:iam::000000000000:role/plugin-test",
        Handler="app.handler",
        Code={"ZipFile": archive.getvalue()},
        Timeout=2,
        Environment={"Variables": {"TABLE": table}},
    )
    lambda_.get_waiter("function_active_v2").wait(FunctionName=name)
    yield name
    lambda_.delete_function(FunctionName=name)


def invoke(aws: Callable[[str], Any], function: str, event: dict[str, Any]) -> dict[str, Any]:
    response = aws("lambda").invoke(
        FunctionName=function, Payload=json.dumps(event), LogType="Tail"
    )
    return {
        "error": response.get("FunctionError"),
        "payload": json.loads(response["Payload"].read()),
        "log": base64.b64decode(response["LogResult"]).decode(),
    }


def test_a_function_runs_and_reaches_localstack_through_the_injected_endpoint(
    aws: Callable[[str], Any], function: str, table: str
) -> None:
    # Given a python3.13 function that lists DynamoDB tables with a plain boto3 client
    # When it is invoked
    result = invoke(aws, function, {"hello": "world"})

    # Then it ran, found the table through AWS_ENDPOINT_URL, and its print is in the log tail
    assert result["error"] is None
    assert table in result["payload"]["tables"]
    assert 0 < result["payload"]["remaining_ms"] <= 2000
    assert 'event seen: {"hello": "world"}' in result["log"]
    assert "REPORT RequestId:" in result["log"]


def test_a_handler_exception_is_a_function_error(aws: Callable[[str], Any], function: str) -> None:
    # Given a handler that raises
    # When it is invoked
    result = invoke(aws, function, {"raise": True})

    # Then the invoke reports an unhandled error with Lambda's payload
    assert result["error"] == "Unhandled"
    assert result["payload"]["errorType"] == "ValueError"
    assert result["payload"]["errorMessage"] == "asked to fail"


def test_the_function_timeout_is_enforced_and_the_next_invoke_works(
    aws: Callable[[str], Any], function: str
) -> None:
    # Given a 2-second function that sleeps for 10
    # When it is invoked, then invoked normally
    slow = invoke(aws, function, {"sleep": 10})
    after = invoke(aws, function, {})

    # Then the first timed out and a fresh environment served the second
    assert slow["error"] == "Unhandled"
    assert "Task timed out after 2.00 seconds" in slow["payload"]["errorMessage"]
    assert after["error"] is None


def test_conditional_writes_fail_on_the_moto_backed_dynamodb(
    aws: Callable[[str], Any], table: str
) -> None:
    # Given an item written only if absent
    dynamodb = aws("dynamodb")
    item = {"k": {"S": f"conditional-{uuid.uuid4()}"}}
    dynamodb.put_item(TableName=table, Item=item, ConditionExpression="attribute_not_exists(k)")

    # When the same conditional write is repeated
    # Then DynamoDB refuses it as AWS does
    with pytest.raises(dynamodb.exceptions.ConditionalCheckFailedException):
        dynamodb.put_item(TableName=table, Item=item, ConditionExpression="attribute_not_exists(k)")


def test_an_sqs_event_source_mapping_delivers_to_the_function(
    aws: Callable[[str], Any], function: str, table: str
) -> None:
    # Given a queue mapped to the function
    sqs = aws("sqs")
    queue_url = sqs.create_queue(QueueName=f"plugin-test-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    mapping = aws("lambda").create_event_source_mapping(
        EventSourceArn=queue_arn, FunctionName=function, BatchSize=1
    )
    body = f"delivered-{uuid.uuid4()}"

    # When a message is sent
    sqs.send_message(QueueUrl=queue_url, MessageBody=body)

    # Then the function wrote it to the table
    try:
        poll(
            lambda: aws("dynamodb").get_item(TableName=table, Key={"k": {"S": body}}),
            lambda item: "Item" in item,
            60,
            "the mapped function to write the message",
        )
    finally:
        aws("lambda").delete_event_source_mapping(UUID=mapping["UUID"])
        sqs.delete_queue(QueueUrl=queue_url)


def test_https_verifies_against_localstacks_own_certificate(localstack: LocalStack) -> None:
    # Given the certificate LocalStack wrote, as the only trusted authority
    if localstack.https_endpoint_url is None or localstack.ca_bundle is None:
        pytest.skip("this LocalStack was not started here; its certificate is unknown")
    context = ssl.create_default_context(cafile=str(localstack.ca_bundle))

    # When its health endpoint is called over HTTPS with verification on
    with urllib.request.urlopen(  # noqa: S310
        f"{localstack.https_endpoint_url}/_localstack/health", context=context, timeout=10
    ) as response:
        health = json.loads(response.read())

    # Then the handshake verified and LocalStack answered
    assert response.status == 200
    assert "services" in health
