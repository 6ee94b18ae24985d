"""Integration tier: the real handlers and logic, with AWS answered in-process by moto.

Resources come from template.yaml's own properties, each function's environment from its
own variables there, and handler modules are imported afresh for every test, as on a cold
start. The helpers behind these fixtures are in tests/support/.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from imagejobs.dal.image_store import S3ImageStore, s3_client
from imagejobs.dal.jobs_table import DynamoJobRepository
from imagejobs_dev.bedrock_standin import BedrockStandIn
from tests.support.bedrock_standin_world import ACCESS_KEY, REGION, SECRET_KEY, World, clients
from tests.support.functions import Function, LoadHandler
from tests.support.moto_aws import (
    BucketObjects,
    MotoResources,
    cold_start,
    create_moto_resources,
    share_service_models,
    use_moto_credentials,
)
from tests.support.worker import WorkerWorld


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    use_moto_credentials(monkeypatch)
    with mock_aws():
        share_service_models()
        yield


@pytest.fixture
def resources(aws: None) -> MotoResources:
    return create_moto_resources()


@pytest.fixture(autouse=True)
def _imagejobs_modules_restored() -> Iterator[None]:
    """A cold start re-imports the imagejobs package (tests.support.moto_aws.cold_start); after
    the test, the modules every other test imported are put back, so that no later test meets a
    second copy of a class (an exception raised from a fresh module is not the one it catches)."""
    before = {
        n: m for n, m in sys.modules.items() if n == "imagejobs" or n.startswith("imagejobs.")
    }
    yield
    for name in [n for n in sys.modules if n == "imagejobs" or n.startswith("imagejobs.")]:
        del sys.modules[name]
    sys.modules.update(before)


@pytest.fixture
def load_handler(resources: MotoResources, monkeypatch: pytest.MonkeyPatch) -> LoadHandler:
    """Cold-starts a function's handler module with the environment template.yaml gives it
    (and the overrides), as a Function to invoke."""

    def load(logical_id: str, **overrides: str) -> Function:
        return Function(cold_start(logical_id, resources, monkeypatch, **overrides))

    return load


@pytest.fixture
def world(resources: MotoResources) -> WorkerWorld:
    return WorkerWorld(
        DynamoJobRepository(resources.table_name, boto3.client("dynamodb")),
        S3ImageStore(resources.bucket_name, s3_client()),
        BucketObjects(resources.s3, resources.bucket_name),
    )


@pytest.fixture(scope="session")
def bedrock_standin_session() -> Iterator[World]:
    """The Bedrock stand-in for Stability's models (imagejobs_dev.bedrock_standin), in a thread,
    with real bedrock-runtime and bedrock clients (made once: a client costs its service model)."""
    with BedrockStandIn(region=REGION, credentials={ACCESS_KEY: SECRET_KEY}) as server:
        runtime, control_plane = clients(server.url)
        yield World(server, runtime, control_plane)


@pytest.fixture
def standin(bedrock_standin_session: World) -> World:
    """The session's stand-in, back in its start state."""
    bedrock_standin_session.standin.state.reset()
    return bedrock_standin_session


def _handler(name: str, logical_id: str) -> Any:
    """A fixture `name`: the function's handler, cold-started with the environment template.yaml
    gives it. A module that needs other settings defines its own fixture of that name."""

    def cold_started(load_handler: LoadHandler) -> Function:
        return load_handler(logical_id)

    return pytest.fixture(name=name)(cold_started)


submit = _handler("submit", "SubmitFunction")
status = _handler("status", "StatusFunction")
worker = _handler("worker", "WorkerFunction")
dead_letter = _handler("dead_letter", "DeadLetterFunction")
web = _handler("web", "WebFunction")
