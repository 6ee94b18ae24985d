"""Logic tests: the business logic on the in-memory ports (tests/support/in_memory.py).

Nothing outside the process: no moto, no LocalStack. Each test runs in milliseconds; the
moto-backed tests in tests/integration check the same ports' real implementations.
"""

from __future__ import annotations

import pytest

from tests.support.in_memory import InMemoryImageStore, InMemoryJobQueue, InMemoryJobRepository
from tests.support.worker import WorkerWorld


@pytest.fixture
def jobs() -> InMemoryJobRepository:
    return InMemoryJobRepository()


@pytest.fixture
def queue() -> InMemoryJobQueue:
    return InMemoryJobQueue()


@pytest.fixture
def images() -> InMemoryImageStore:
    return InMemoryImageStore()


@pytest.fixture
def world(jobs: InMemoryJobRepository, images: InMemoryImageStore) -> WorkerWorld:
    return WorkerWorld(jobs, images, images)
