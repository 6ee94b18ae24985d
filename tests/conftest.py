"""Session fixtures shared by the LocalStack and end-to-end tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from imagejobs_dev import localstack as local

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def localstack() -> Iterator[local.LocalStack]:
    """A running LocalStack: the one named by LOCALSTACK_ENDPOINT, ours, or one started now.

    Only a LocalStack this session started is stopped at its end.
    """
    stack = local.ensure_running(ROOT)
    yield stack
    if stack.started_here:
        local.stop(ROOT)
