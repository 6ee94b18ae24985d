"""The two plugins inside a running LocalStack: Lambda without Docker, DynamoDB without Java."""

from __future__ import annotations

import base64
import json
import re
import ssl
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from imagejobs_dev.localstack import LocalStack
from tests.support.http import poll

pytestmark = pytest.mark.localstack

ROOT = Path(__file__).resolve().parents[2]
FUNCTION_TIMEOUT = 2

HANDLER = """
import json, os, sys, time
import boto3

def handler(event, context):
    print("event seen:", json.dumps(event)[:200])
    if event.get("raise"):
        raise ValueError("asked to fail")
    if event.get("sleep"):
        time.sleep(event["sleep"])
    if event.get("import"):
        __import__(event["import"])
    if "Records" in event:
        table = boto3.client("dynamodb")
        for record in event["Records"]:
            table.put_item(TableName=os.environ["TABLE"], Item={"k": {"S": record["body"]}})
        return {"batchItemFailures": []}
    return {
        "tables": boto3.client("dynamodb").list_tables()["TableNames"],
        "account": boto3.client("sts").get_caller_identity()["Account"],
        "buckets": [b["Name"] for b in boto3.client("s3").list_buckets()["Buckets"]],
        "boto3": boto3.__version__,
        "endpoint": os.environ.get("AWS_ENDPOINT_URL"),
        "trace": os.environ.get("_X_AMZN_TRACE_ID"),
        "remaining_ms": context.get_remaining_time_in_millis(),
        "request_id": context.aws_request_id,
        "function_name": context.function_name,
        "log_group": context.log_group_name,
    }
"""


@pytest.fixture(scope="module")
def bucket(aws: Callable[..., Any]) -> Iterator[str]:
    name = f"plugin-test-{uuid.uuid4().hex[:8]}"
    aws("s3").create_bucket(Bucket=name)
    yield name
    aws("s3").delete_bucket(Bucket=name)


@pytest.fixture(scope="module")
def function(new_function: Callable[..., str], table: str) -> str:
    return new_function(
        HANDLER, Timeout=FUNCTION_TIMEOUT, Environment={"Variables": {"TABLE": table}}
    )


def invoke(aws: Callable[..., Any], function: str, event: dict[str, Any]) -> dict[str, Any]:
    response = aws("lambda").invoke(
        FunctionName=function, Payload=json.dumps(event), LogType="Tail"
    )
    return {
        "error": response.get("FunctionError"),
        "payload": json.loads(response["Payload"].read()),
        "log": base64.b64decode(response["LogResult"]).decode(),
    }


def test_a_function_runs_and_reaches_localstack_through_the_injected_endpoint(
    aws: Callable[..., Any], function: str, table: str, bucket: str, localstack: LocalStack
) -> None:
    # Given a python3.13 function that calls DynamoDB, STS and S3 with plain boto3 clients

    # When it is invoked
    result = invoke(aws, function, {"hello": "world"})

    # Then it ran, reached LocalStack through AWS_ENDPOINT_URL, and its print is in the log tail
    assert result["error"] is None, result
    payload = result["payload"]
    assert table in payload["tables"]
    assert bucket in payload["buckets"]
    assert payload["account"] == "000000000000"
    assert payload["endpoint"] == localstack.endpoint_url
    # And its context and trace header are Lambda's
    assert 0 < payload["remaining_ms"] <= FUNCTION_TIMEOUT * 1000
    assert payload["function_name"] == function
    assert payload["log_group"] == f"/aws/lambda/{function}"
    assert re.fullmatch(r"[0-9a-f-]{36}", payload["request_id"])
    assert payload["trace"].startswith("Root=1-")
    assert 'event seen: {"hello": "world"}' in result["log"]
    report = rf"REPORT RequestId: {payload['request_id']}\tDuration: [\d.]+ ms\t"
    assert re.search(report + r".*Max Memory Used: \d+ MB", result["log"])


def test_the_function_gets_the_sdk_the_functions_pin_not_localstacks(
    aws: Callable[..., Any], function: str
) -> None:
    # Given the boto3 pinned for the functions (LocalStack's own venv has another one)
    requirements = (ROOT / "functions" / "requirements.txt").read_text()
    pinned = re.search(r"^boto3==(\S+)", requirements, flags=re.MULTILINE)
    assert pinned is not None

    # When the function reports the boto3 it imported
    result = invoke(aws, function, {})

    # Then it is the pinned one
    assert result["payload"]["boto3"] == pinned.group(1)


@pytest.mark.parametrize("module", ["pydantic", "moto", "localstack"])
def test_localstacks_own_packages_are_not_importable_by_a_function(
    aws: Callable[..., Any], function: str, module: str
) -> None:
    # Given a package LocalStack's own environment has, but a Lambda function would not

    # When the handler imports it
    result = invoke(aws, function, {"import": module})

    # Then the import fails inside the function, as on AWS
    assert result["error"] == "Unhandled"
    assert result["payload"]["errorType"] == "ModuleNotFoundError"
    assert module in result["payload"]["errorMessage"]


def test_a_handler_exception_is_a_function_error(aws: Callable[..., Any], function: str) -> None:
    # Given a handler that raises

    # When it is invoked
    result = invoke(aws, function, {"raise": True})

    # Then the invoke reports an unhandled error with Lambda's payload, and logs it
    assert result["error"] == "Unhandled"
    assert result["payload"]["errorType"] == "ValueError"
    assert result["payload"]["errorMessage"] == "asked to fail"
    assert any("app.py" in frame for frame in result["payload"]["stackTrace"])
    assert "[ERROR] ValueError: asked to fail" in result["log"]


def test_the_function_timeout_is_enforced_and_the_next_invoke_works(
    aws: Callable[..., Any], function: str
) -> None:
    # Given a 2-second function

    # When it is invoked with 10 s of work, then invoked normally
    slow = invoke(aws, function, {"sleep": 10})
    after = invoke(aws, function, {})

    # Then the first timed out and a fresh environment served the second
    assert slow["error"] == "Unhandled"
    assert slow["payload"]["errorType"] == "Sandbox.Timedout"
    assert "Task timed out after 2.00 seconds" in slow["payload"]["errorMessage"]
    assert "Task timed out after 2.00 seconds" in slow["log"]
    assert after["error"] is None


def test_the_handlers_output_reaches_cloudwatch_logs(
    aws: Callable[..., Any], function: str
) -> None:
    # Given a marker only this invocation prints
    marker = f"cloudwatch-{uuid.uuid4()}"

    # When the function is invoked with it
    invoke(aws, function, {"marker": marker})

    # Then the line shows up in the function's log group
    logs = aws("logs")
    poll(
        lambda: logs.filter_log_events(
            logGroupName=f"/aws/lambda/{function}", filterPattern=f'"{marker}"'
        )["events"],
        bool,
        30,
        "the handler's print in CloudWatch Logs",
    )


def test_a_missing_dependency_fails_the_invoke_as_an_import_error(
    aws: Callable[..., Any], new_function: Callable[..., str]
) -> None:
    # Given a function whose module imports a package it does not ship
    name = new_function("import pydantic\n\ndef handler(e, c):\n    return 1\n")

    # When it is invoked
    result = invoke(aws, name, {})

    # Then the invoke is Lambda's init error
    assert result["error"] == "Unhandled"
    assert result["payload"]["errorType"] == "Runtime.ImportModuleError"
    assert "Unable to import module 'app'" in result["payload"]["errorMessage"]


def test_another_runtime_is_rejected_with_a_clear_reason(
    aws: Callable[..., Any], new_function: Callable[..., str]
) -> None:
    # Given a function of a runtime the host-process executor does not run
    name = new_function("def handler(e, c):\n    return 1\n", Runtime="python3.12", active=False)

    # When its state settles
    state = poll(
        lambda: aws("lambda").get_function_configuration(FunctionName=name),
        lambda config: config["State"] != "Pending",
        30,
        "the function to leave Pending",
    )

    # Then it failed, naming the runtime and what is supported
    assert state["State"] == "Failed"
    assert "python3.12 is not supported" in state["StateReason"]
    assert "python3.13" in state["StateReason"]


def test_conditional_writes_fail_on_the_moto_backed_dynamodb(
    aws: Callable[..., Any], table: str
) -> None:
    # Given an item written only if absent
    dynamodb = aws("dynamodb")
    item = {"k": {"S": f"conditional-{uuid.uuid4()}"}}
    dynamodb.put_item(TableName=table, Item=item, ConditionExpression="attribute_not_exists(k)")

    # When the same conditional write is repeated
    # Then DynamoDB refuses it as AWS does
    with pytest.raises(dynamodb.exceptions.ConditionalCheckFailedException):
        dynamodb.put_item(TableName=table, Item=item, ConditionExpression="attribute_not_exists(k)")


def test_an_sqs_event_source_mapping_invokes_the_function_with_a_message(
    aws: Callable[..., Any],
    mapped_queue: Callable[..., AbstractContextManager[str]],
    function: str,
    table: str,
) -> None:
    # Given a queue mapped to the function
    body = f"received-{uuid.uuid4()}"
    with mapped_queue(function) as queue_url:
        # When a message is sent
        aws("sqs").send_message(QueueUrl=queue_url, MessageBody=body)

        # Then the function wrote it to the table
        poll(
            lambda: aws("dynamodb").get_item(TableName=table, Key={"k": {"S": body}}),
            lambda item: "Item" in item,
            60,
            "the mapped function to write the message",
        )


def test_https_verifies_against_localstacks_own_certificate(localstack: LocalStack) -> None:
    # Given the certificate LocalStack wrote, as the only trusted authority
    if localstack.https_endpoint_url is None or localstack.ca_bundle is None:
        pytest.skip("this LocalStack was not started by this tool; its certificate is unknown")
    context = ssl.create_default_context(cafile=str(localstack.ca_bundle))

    # When its health endpoint is called over HTTPS with verification on
    with urllib.request.urlopen(  # noqa: S310
        f"{localstack.https_endpoint_url}/_localstack/health", context=context, timeout=10
    ) as response:
        health = json.loads(response.read())

    # Then the handshake verified against localhost and LocalStack answered
    assert localstack.https_endpoint_url.startswith("https://localhost:")
    assert response.status == 200
    assert "services" in health
