"""End-to-end fixtures: the real template, deployed with the real SAM CLI to LocalStack.

The `localstack` fixture (tests/conftest.py) starts LocalStack unless one is running; this
module deploys once per session with the real `make up` (which finds that LocalStack), timed
as `make bench`'s developer loop times it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, expect, sync_playwright

from imagejobs_dev.localstack import LocalStack
from imagejobs_dev.stack_info import StackInfo, client
from tests.perf.bench_e2e import timed_up
from tests.support.browser import CHROMIUM, FLAGS, Tab
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


@pytest.fixture(scope="session")
def stack_parameters(deployed: StackInfo, aws: Any) -> dict[str, str]:
    """The deployed stack's template parameters, as CloudFormation resolved them (the local
    configuration's overrides in samconfig.toml included)."""
    [stack] = aws("cloudformation").describe_stacks(StackName=deployed.stack_name)["Stacks"]
    return {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}


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


# The browser tests' (test_web*.py): one chromium per module, a new tab per test.


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (make test does)")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),  # a new, empty user-data-dir
            executable_path=CHROMIUM,
            headless=True,
            args=FLAGS,
            viewport={"width": 1280, "height": 900},
        )
        yield context
        context.close()


@pytest.fixture
def tab(browser: BrowserContext, deployed: StackInfo) -> Iterator[Tab]:
    # A new tab has its own, empty sessionStorage: no key carries over between tests.
    page = browser.new_page()
    page.set_default_timeout(30_000)
    opened = Tab(page)
    response = page.goto(deployed.api_url)
    assert response is not None
    assert response.status == 200
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    yield opened
    page.close()
