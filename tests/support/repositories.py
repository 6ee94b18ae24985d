"""The two job repositories a contract test holds to the same answers: the in-memory one of
the logic tests, and DynamoDB's on moto."""

from __future__ import annotations

import boto3
import pytest

from imagejobs.dal.jobs_table import DynamoJobRepository
from imagejobs.ports import JobRepository
from tests.support.in_memory import InMemoryJobRepository

KINDS = ["in-memory", "dynamodb"]


def repository(request: pytest.FixtureRequest) -> JobRepository:
    """The repository a fixture parametrized by KINDS stands for (moto's `resources` made)."""
    if request.param == "in-memory":
        return InMemoryJobRepository()
    resources = request.getfixturevalue("resources")
    return DynamoJobRepository(resources.table_name, boto3.client("dynamodb"))
