"""End-to-end fixtures: the real template, deployed with the real SAM CLI to LocalStack.

The `localstack` fixture (tests/conftest.py) starts LocalStack unless one is running; this
module deploys once per session with the real `make up` (which finds that LocalStack), timed
as `make bench`'s developer loop times it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from imagejobs_dev.localstack import LocalStack
from imagejobs_dev.stack_info import StackInfo, client
from tests.perf.bench_e2e import timed_up
from tests.support.tenants import Tenant


@pytest.fixture(scope="session")
def made_up(localstack: LocalStack) -> tuple[StackInfo, dict[str, float]]:
    """`make up` on the session's LocalStack: the CloudFormation stack it deployed, and how
    long it took until the API first answered."""
    return timed_up()


@pytest.fixture(scope="session")
def deployed(made_up: tuple[StackInfo, dict[str, float]]) -> StackInfo:
    """The CloudFormation stack, deployed once per session."""
    return made_up[0]


@pytest.fixture(scope="session")
def aws(deployed: StackInfo) -> Any:
    """boto3 clients on the same LocalStack, for setting up faults and checking S3."""

    def aws_client(service: str) -> Any:
        return client(service, deployed.endpoint_url)

    return aws_client


@pytest.fixture(scope="module")
def new_tenant(deployed: StackInfo, aws: Any) -> Iterator[Callable[[], Tenant]]:
    """Makes new tenants, each with an API key of its own; deleted after the module. A test
    that needs a history of its own (not the default key's, which other runs fill) uses one."""
    apigateway = aws("apigateway")
    made: list[str] = []

    def make() -> Tenant:
        key = apigateway.create_api_key(name=f"tenant-{uuid.uuid4().hex[:8]}", enabled=True)
        apigateway.create_usage_plan_key(
            usagePlanId=deployed.usage_plan_id, keyId=key["id"], keyType="API_KEY"
        )
        made.append(key["id"])
        return Tenant(key_id=str(key["id"]), key=str(key["value"]))

    yield make
    for key_id in made:
        apigateway.delete_api_key(apiKey=key_id)


@pytest.fixture(scope="module")
def new_key(new_tenant: Callable[[], Tenant]) -> Callable[[], str]:
    """Makes API keys of new tenants (their values)."""
    return lambda: new_tenant().key
