"""Driving the Bedrock stand-in (imagejobs_dev.bedrock_standin) as its users do: real boto3
`bedrock-runtime` and `bedrock` clients pointed at it, and its control endpoint over HTTP."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from PIL import Image

from imagejobs_dev.bedrock_standin import BedrockStandIn
from tests.support.http import call

REGION = "us-east-1"
ACCESS_KEY = "AKIASTANDINSTABILITY"
SECRET_KEY = "stand-in/secret/known/only/to/these/tests"


def refusals(argnames: str, cases: list[tuple[Any, ...]]) -> pytest.MarkDecorator:
    """Parametrizes a test over refusal cases, each a name (the test id) and then `argnames`."""
    return pytest.mark.parametrize(argnames, [pytest.param(*c, id=name) for name, *c in cases])


def assert_refused(answer: Answer, field: str) -> None:
    """Bedrock's refusal of a body: 400 ValidationException, with a message naming the field."""
    assert (answer.status, answer.code) == (400, "ValidationException"), answer
    assert field in answer.message, answer.message


def encoded_image(
    width: int, height: int, fmt: str = "PNG", mode: str = "RGB", colour: Any = (40, 90, 160)
) -> str:
    """A base64 image of that size, format and mode, as a body carries one."""
    if mode == "RGBA" and not isinstance(colour, tuple | list):
        colour = (40, 90, 160, 0)
    elif mode == "RGBA" and len(colour) == 3:
        colour = (*colour, 128)
    buffer = io.BytesIO()
    Image.new(mode, (width, height), colour).save(buffer, format=fmt)
    return base64.b64encode(buffer.getvalue()).decode()


def decoded(encoded: str) -> Image.Image:
    picture = Image.open(io.BytesIO(base64.b64decode(encoded)))
    picture.load()
    return picture


@dataclass(frozen=True)
class Answer:
    """What a client got: the parsed 200 body, or the error's code, message and status."""

    status: int
    document: dict[str, Any]
    code: str | None = None
    message: str = ""

    @property
    def image(self) -> Image.Image:
        return decoded(self.document["images"][0])


@dataclass
class World:
    standin: BedrockStandIn
    runtime: Any  # botocore client for bedrock-runtime
    control_plane: Any  # botocore client for bedrock

    def invoke(self, model_id: str, body: Any, **kwargs: Any) -> Answer:
        payload = body if isinstance(body, bytes | str) else json.dumps(body)
        try:
            response = self.runtime.invoke_model(modelId=model_id, body=payload, **kwargs)
        except ClientError as error:
            return _error(error)
        return Answer(200, json.loads(response["body"].read()))

    def foundation_model(self, model_id: str) -> Answer:
        try:
            response = self.control_plane.get_foundation_model(modelIdentifier=model_id)
        except ClientError as error:
            return _error(error)
        return Answer(200, response["modelDetails"])

    def control(self, method: str, path: str, document: Any = None) -> tuple[int, Any]:
        """A call to /_standin/*, over HTTP as a test or a make target makes it."""
        response = call(method, f"{self.standin.url}{path}", document, timeout=10)
        return response.status, response.json()

    def configure(self, document: dict[str, Any]) -> Any:
        status, answer = self.control("POST", "/_standin/config", document)
        assert status == 200, answer
        return answer

    def requests(self) -> dict[str, Any]:
        return self.control("GET", "/_standin/requests")[1]  # type: ignore[no-any-return]


def _error(error: ClientError) -> Answer:
    response: Any = error.response
    return Answer(
        response["ResponseMetadata"]["HTTPStatusCode"],
        response,
        response["Error"]["Code"],
        response["Error"]["Message"],
    )


def clients(
    url: str,
    access_key: str = ACCESS_KEY,
    secret_key: str = SECRET_KEY,
    region: str = REGION,
    **config: Any,
) -> Any:
    """bedrock-runtime and bedrock clients pointed at `url`, with no retries (a test sees every
    answer) and a fresh session (no ambient credentials or endpoint)."""
    session = boto3.Session(
        aws_access_key_id=access_key, aws_secret_access_key=secret_key, region_name=region
    )
    settings = Config(retries={"total_max_attempts": 1}, **{"read_timeout": 30, **config})
    return (
        session.client("bedrock-runtime", endpoint_url=url, config=settings),
        session.client("bedrock", endpoint_url=url, config=settings),
    )


@contextmanager
def standin_in(region: str) -> Iterator[World]:
    """A stand-in of its own in `region`, with a bedrock-runtime client there."""
    with BedrockStandIn(region=region, credentials={ACCESS_KEY: SECRET_KEY}) as server:
        runtime, _ = clients(server.url, region=region)
        yield World(server, runtime, None)
