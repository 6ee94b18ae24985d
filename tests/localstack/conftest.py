"""Fixtures of the tests against a running LocalStack (`localstack`: tests/conftest.py)."""

from __future__ import annotations

import io
import uuid
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest
from botocore.config import Config

from imagejobs_dev.localstack import LocalStack


@pytest.fixture(scope="module")
def aws(localstack: LocalStack) -> Callable[..., Any]:
    """boto3 clients on the session's LocalStack: `aws("sqs")`, with an optional Config."""

    def client(service: str, config: Config | None = None) -> Any:
        return boto3.client(
            service,
            endpoint_url=localstack.endpoint_url,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=config,
        )

    return client


@pytest.fixture(scope="module")
def table(aws: Callable[..., Any]) -> Iterator[str]:
    """A scratch DynamoDB table of the module's (key `k`, a string), deleted after it."""
    name = f"plugin-test-{uuid.uuid4().hex[:8]}"
    aws("dynamodb").create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    yield name
    aws("dynamodb").delete_table(TableName=name)


def zipped(source: str) -> bytes:
    """A deployment package holding `source` as app.py."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as package:
        package.writestr("app.py", source)
    return archive.getvalue()


@contextmanager
def python_function(
    aws: Callable[..., Any],
    source: str,
    *,
    environment: dict[str, str] | None = None,
    timeout: int = 10,
    prefix: str = "plugin-test",
) -> Iterator[str]:
    """A python3.13 function whose handler is `app.handler` in `source`, active; its name.
    Deleted afterwards."""
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    lambda_ = aws("lambda")
    lambda_.create_function(
        FunctionName=name,
        Runtime="python3.13",
        Role=f"arn:aws:iam::000000000000:role/{prefix}",
        Handler="app.handler",
        Code={"ZipFile": zipped(source)},
        Timeout=timeout,
        Environment={"Variables": environment or {}},
    )
    lambda_.get_waiter("function_active_v2").wait(FunctionName=name)
    try:
        yield name
    finally:
        lambda_.delete_function(FunctionName=name)
