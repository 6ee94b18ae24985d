"""A Lambda function as the integration tier calls it: its handler module, cold-started with the
environment template.yaml gives it (tests.support.moto_aws.cold_start), and the context every
invocation of it gets."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Protocol

from tests.support.events import load_event, response_json
from tests.support.lambda_context import FakeLambdaContext


@dataclass(frozen=True)
class Function:
    # The handler module, for what a test reaches in it: its ports, logger or settings.
    module: ModuleType
    context: FakeLambdaContext = field(default_factory=FakeLambdaContext)

    def invoke(self, event: dict[str, Any] | str) -> dict[str, Any]:
        """The handler's answer to an event, or to the events/*.json fixture of that name."""
        if isinstance(event, str):
            event = load_event(event)
        response: dict[str, Any] = self.module.handler(event, self.context)
        return response

    def call(self, event: dict[str, Any] | str) -> tuple[int, Any]:
        """An API route's answer to the event: its status code and its JSON body."""
        response = self.invoke(event)
        return response["statusCode"], response_json(response)

    def answer(self, event: dict[str, Any] | str) -> tuple[int, dict[str, str], Any]:
        """An API route's answer with its headers (names in lower case): status, headers, body."""
        response = self.invoke(event)
        headers = {k.lower(): v[0] for k, v in response.get("multiValueHeaders", {}).items()}
        headers |= {k.lower(): v for k, v in (response.get("headers") or {}).items()}
        return response["statusCode"], headers, response_json(response)

    def with_time_left(self, milliseconds: int) -> Function:
        """The same cold-started function, invoked with only this much of its timeout left."""
        return dataclasses.replace(self, context=FakeLambdaContext(remaining_ms=milliseconds))


class LoadHandler(Protocol):
    """The `load_handler` fixture: cold-starts a function by its logical id in template.yaml,
    with environment variables overriding the template's."""

    def __call__(self, logical_id: str, **overrides: str) -> Function: ...
