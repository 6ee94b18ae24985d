"""The events in events/*.json, as the tests feed them to handlers, and what handlers answer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

EVENTS = Path(__file__).resolve().parents[2] / "events"

FIXTURE_JOB_ID = "3f1c9a5e-7b2d-4e8f-9a61-2c5d8e0b7f14"
# The API key id the api-* fixtures carry (tests/support/make_events.py).
TENANT = "tenant-a-key-id"


def load_event(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / f"{name}.json").read_text())  # type: ignore[no-any-return]


def event_for_job(name: str, job_id: str) -> dict[str, Any]:
    """A fixture event, pointed at another job than the one it names."""
    text = (EVENTS / f"{name}.json").read_text().replace(FIXTURE_JOB_ID, job_id)
    return json.loads(text)  # type: ignore[no-any-return]


def response_json(response: dict[str, Any]) -> Any:
    return json.loads(response["body"])


def with_headers(event: dict[str, Any], **headers: str) -> dict[str, Any]:
    """The event with these request headers (`Idempotency_Key=` for `Idempotency-Key`), in both
    of API Gateway's maps, as a client sending them gives the handler."""
    for name, value in headers.items():
        name = name.replace("_", "-")
        event["headers"][name] = value
        event["multiValueHeaders"][name] = [value]
    return event


def with_key(fixture: str, key: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """A fixture sent with an Idempotency-Key, and with another JSON body if given."""
    event = with_headers(load_event(fixture), Idempotency_Key=key)
    if body is not None:
        event["body"] = json.dumps(body)
    return event
