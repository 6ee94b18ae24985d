"""The executor plugin gives every function the endpoints of services LocalStack does not serve
(imagejobs_localstack.endpoints): from the file `make up` writes, beneath the function's own
variables, and from the next invocation on when the file changes. On our LocalStack only."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from imagejobs_dev import bedrock_local
from imagejobs_dev.localstack import Layout, running_pid
from tests.localstack.test_host_mode import ROOT, invoke

pytestmark = pytest.mark.localstack

HANDLER = """
import os
import boto3

def handler(event, context):
    names = ("AWS_ENDPOINT_URL_BEDROCK", "AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "PATH", "OWN")
    return {
        "variables": {name: os.environ.get(name) for name in names},
        "bedrock": boto3.client("bedrock").meta.endpoint_url,
        "bedrock_runtime": boto3.client("bedrock-runtime").meta.endpoint_url,
        "dynamodb": boto3.client("dynamodb").meta.endpoint_url,
    }
"""


@pytest.fixture
def endpoints_file() -> Iterator[Callable[[dict[str, Any]], None]]:
    """Writes the file as `make up` would; what was there before is put back afterwards."""
    if running_pid(Layout(ROOT)) is None:
        pytest.skip("a LocalStack this tool did not start does not run our plugin")
    path = bedrock_local.environment_file(ROOT)
    before = path.read_bytes() if path.exists() else None

    def write(document: dict[str, Any]) -> None:
        path.write_text(json.dumps(document))

    yield write
    if before is None:
        path.unlink(missing_ok=True)
    else:
        path.write_bytes(before)


@pytest.fixture
def function(new_function: Callable[..., str]) -> str:
    # Its own AWS_ENDPOINT_URL_BEDROCK, to show that a function's own variable wins.
    own = {"OWN": "x", "AWS_ENDPOINT_URL_BEDROCK": "http://own:1"}
    return new_function(HANDLER, Environment={"Variables": own})


def test_functions_reach_bedrock_where_the_file_says_and_the_rest_at_localstack(
    aws: Callable[..., Any], function: str, endpoints_file: Callable[[dict[str, Any]], None]
) -> None:
    # Given the file pointing Bedrock's runtime somewhere, with a variable that is no endpoint
    endpoints_file(
        {
            "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": "http://127.0.0.1:4599",
            "AWS_ENDPOINT_URL_BEDROCK": "http://127.0.0.1:4599",
            "PATH": "/not/a/path",
        }
    )

    # When the function is invoked
    first = invoke(aws, function, {})

    # Then boto3's bedrock-runtime client reaches that URL and DynamoDB still LocalStack; the
    # function's own variable wins over the file's, and a variable that is no endpoint is
    # not taken
    assert first["error"] is None, first
    payload = first["payload"]
    assert payload["bedrock_runtime"] == "http://127.0.0.1:4599"
    assert payload["bedrock"] == "http://own:1"
    assert payload["dynamodb"].startswith("http://127.0.0.1:")
    assert payload["variables"]["PATH"] != "/not/a/path"
    assert payload["variables"]["OWN"] == "x"

    # When the file names another URL, then the next invocation reaches that one
    endpoints_file({"AWS_ENDPOINT_URL_BEDROCK_RUNTIME": "http://127.0.0.1:4600"})
    second = invoke(aws, function, {})["payload"]
    assert second["bedrock_runtime"] == "http://127.0.0.1:4600"

    # When the file is gone, then Bedrock is wherever boto3 would send it (LocalStack's URL)
    bedrock_local.environment_file(ROOT).unlink()
    third = invoke(aws, function, {})["payload"]
    assert third["variables"]["AWS_ENDPOINT_URL_BEDROCK_RUNTIME"] is None
    assert third["bedrock_runtime"] == third["dynamodb"]
