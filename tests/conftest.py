"""Session fixtures shared by the LocalStack and end-to-end tests, and how the tiers are
marked and spread over pytest-xdist's workers (`make test` runs `pytest -n 3 --dist loadgroup`).

Every test that needs LocalStack (the `localstack` marker, or a fixture that starts it) goes
to one xdist group: one worker runs them all, in order, on one LocalStack and one deployed
stack, while the other workers run the tiers that need none. Without xdist nothing changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from imagejobs_dev.localstack import LocalStack, ensure_running, stop
from tests.support.figures import SESSION_FIGURES

ROOT = Path(__file__).resolve().parents[1]
LOCALSTACK_GROUP = "localstack"


@pytest.fixture(scope="session")
def localstack() -> Iterator[LocalStack]:
    """A running LocalStack (the emulator): the one named by LOCALSTACK_ENDPOINT, ours, or one
    started now. tests/e2e deploys the CloudFormation stack on it (the `deployed` fixture).

    Only a LocalStack this session started is stopped at its end.
    """
    running = ensure_running(ROOT)
    yield running
    if running.started_here:
        stop(ROOT)


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(ROOT / "tests" / "e2e"):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.localstack)
        elif "localstack" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.localstack)
        if item.get_closest_marker("localstack"):
            item.add_marker(pytest.mark.xdist_group(LOCALSTACK_GROUP))


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A worker hands the figures its tests left for the summary to the controller."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["session_figures"] = session.config.stash.get(SESSION_FIGURES, [])


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """The controller collects each worker's figures (pytest-xdist's hook)."""
    figures = getattr(node, "workeroutput", {}).get("session_figures", [])
    node.config.stash.setdefault(SESSION_FIGURES, []).extend(figures)


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
