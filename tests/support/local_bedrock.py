"""The Bedrock stand-in the local stack's functions call (`make up` starts it; StackInfo's
`bedrock_endpoint_url`), driven over its control endpoint as an e2e test or the bench drives
it: told to throttle, filter, fail or retire a model, and asked what it was sent. The deployed
SweepFunction, invoked with its scheduled event, is what reads a lifecycle it was told."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from imagejobs_dev.stack_info import StackInfo, client
from tests.support.events import load_event
from tests.support.http import call


@dataclass(frozen=True)
class LocalBedrock:
    url: str

    @classmethod
    def of(cls, deployed: StackInfo) -> LocalBedrock | None:
        """The stack's stand-in, if its functions are pointed at one that answers."""
        url = deployed.bedrock_endpoint_url
        if url is None:
            return None
        try:
            health = call("GET", f"{url}/_standin/health", None, timeout=5)
        except OSError:
            return None
        return cls(url) if health.status == 200 else None

    def configure(self, document: dict[str, Any]) -> dict[str, Any]:
        response = call("POST", f"{self.url}/_standin/config", document, timeout=10)
        assert response.status == 200, response.body
        return response.json()  # type: ignore[no-any-return]

    def reset(self) -> None:
        """Back to the start: every model Active, no throttle or fault, the log cleared."""
        response = call("POST", f"{self.url}/_standin/reset", {}, timeout=10)
        assert response.status == 200, response.body

    def requests(self) -> dict[str, Any]:
        return call("GET", f"{self.url}/_standin/requests", None, timeout=10).json()  # type: ignore[no-any-return]

    def invocations(self) -> list[dict[str, Any]]:
        """The InvokeModel calls it logged (the last 100), oldest first."""
        return [r for r in self.requests()["requests"] if r["operation"] == "InvokeModel"]

    def counts(self, model_id: str) -> dict[str, int]:
        """InvokeModel answers for the model since the last reset, by status, and "total"."""
        return self.requests()["counts"].get(f"InvokeModel {model_id}", {})  # type: ignore[no-any-return]


def run_sweeper(deployed: StackInfo) -> dict[str, int]:
    """The deployed SweepFunction, invoked as its schedule invokes it; its report."""
    response = client("lambda", deployed.endpoint_url).invoke(
        FunctionName=deployed.sweep_function, Payload=json.dumps(load_event("schedule-sweep"))
    )
    payload = response["Payload"].read()
    assert "FunctionError" not in response, payload
    return json.loads(payload)  # type: ignore[no-any-return]
