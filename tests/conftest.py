"""Session fixtures shared by the LocalStack and end-to-end tests, and the `localstack` marker.

Every test that needs LocalStack carries the marker (tests/e2e's by their folder, the others
by a module mark or by asking for the `localstack` fixture), so that `make test` can run them
in one pytest process, in order, on one LocalStack and one deployed stack, while the tiers that
need none run beside them on pytest-xdist's workers (`-m "not localstack"`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics.provider.cold_start import reset_cold_start_flag

from imagejobs_dev import bedrock_local
from imagejobs_dev.localstack import LocalStack, ensure_running, stop
from tests.support.figures import SESSION_FIGURES

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def localstack() -> Iterator[LocalStack]:
    """A running LocalStack (the emulator): the one named by LOCALSTACK_ENDPOINT, ours, or one
    started now. tests/e2e deploys the CloudFormation stack on it (the `deployed` fixture).

    Only a LocalStack this session started is stopped at its end, with the Bedrock stand-in
    that the session's `make up` started beside it.
    """
    running = ensure_running(ROOT)
    yield running
    if running.started_here:
        bedrock_local.forget(ROOT)
        stop(ROOT)


@pytest.fixture(autouse=True)
def _powertools_metrics_reset() -> None:
    """Every test starts with no metrics, no default dimensions and a cold start. Powertools
    keeps metrics in memory across `Metrics` instances until a handler flushes them, and its
    cold-start flag once per process; this is its own advice for tests ("Clearing metrics",
    https://docs.powertools.aws.dev/lambda/python/latest/core/metrics/#testing-your-code)."""
    metrics = Metrics()
    metrics.clear_metrics()
    metrics.clear_default_dimensions()
    reset_cold_start_flag()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(ROOT / "tests" / "e2e"):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.localstack)
        elif "localstack" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.localstack)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Prints the figures tests recorded with `record_property`: the fault campaign's, the
    fuzz tests' request counts and status histograms."""
    for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get(
        "failed", []
    ):
        for name, value in getattr(report, "user_properties", []):
            terminalreporter.write_line(f"{name}: {value}")
    for line in terminalreporter.config.stash.get(SESSION_FIGURES, []):
        terminalreporter.write_line(line)
