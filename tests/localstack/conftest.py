"""Fixtures of the tests against a running LocalStack (`localstack`: tests/conftest.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
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
