"""End-to-end fixtures: the real template, deployed with the real SAM CLI to LocalStack.

The `localstack` fixture (tests/conftest.py) starts LocalStack unless one is running; this
module deploys once per session, exactly as `make up` does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from imagejobs_dev.localstack import LocalStack
from imagejobs_dev.stack import StackInfo, client, deploy

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def deployed(localstack: LocalStack) -> StackInfo:
    """The CloudFormation stack, deployed once per session on the session's LocalStack."""
    return deploy(ROOT, localstack)


@pytest.fixture(scope="session")
def aws(deployed: StackInfo) -> Any:
    """boto3 clients on the same LocalStack, for setting up faults and checking S3."""

    def aws_client(service: str) -> Any:
        return client(service, deployed.endpoint_url)

    return aws_client


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.localstack)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Prints the figures tests recorded with `record_property`, e.g. the fault campaign's."""
    for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get(
        "failed", []
    ):
        for name, value in getattr(report, "user_properties", []):
            terminalreporter.write_line(f"{name}: {value}")
