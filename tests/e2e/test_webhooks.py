"""Webhooks on the deployed stack: real jobs, the real delivery function, and a real HTTP
receiver on loopback started by each test (the localstack config allows private targets and
shrinks the retry schedule to 2 s and 8 s: samconfig.toml).

Figures (events expected, received, duplicates by webhook-id, lost) are recorded with
record_property and printed by the session.
"""

from __future__ import annotations

import itertools
import json
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest
from standardwebhooks import Webhook

from imagejobs_dev.stack_info import StackInfo
from tests.support.http import HttpResponse, call, poll
from tests.support.webhook_receiver import (
    HANG,
    Receiver,
    free_port_nobody_listens_on,
    webhook_receiver,
)

# Three attempts (samconfig.toml's schedule) of at most WebhookTimeoutSeconds (<= 10 s) each,
# plus pick-up latency on LocalStack's poller.
DELIVERY_TIMEOUT = 150


def api(
    deployed: StackInfo, method: str, path: str, body: Any = None, key: str | None = None
) -> HttpResponse:
    return call(
        method, deployed.api_url + path, body, headers={"x-api-key": key or deployed.api_key}
    )


def submit(
    deployed: StackInfo, url: str, events: list[str] | None = None, key: str | None = None
) -> str:
    body: dict[str, Any] = {
        "prompt": "a lighthouse at dusk",
        "width": 64,
        "height": 64,
        "webhook": url,
    }
    if events is not None:
        body["webhook_events_filter"] = events
    response = api(deployed, "POST", "jobs", body, key)
    assert response.status == 202, response.body
    return str(response.json()["job_id"])


def job(deployed: StackInfo, job_id: str, key: str | None = None) -> dict[str, Any]:
    response = api(deployed, "GET", f"jobs/{job_id}", key=key)
    assert response.status == 200, response.body
    return response.json()  # type: ignore[no-any-return]


def delivery_state(deployed: StackInfo, job_id: str, event: str) -> str | None:
    found = [d for d in job(deployed, job_id)["webhook_deliveries"] if d["event"] == event]
    return found[0]["state"] if found else None


def secret(deployed: StackInfo, key: str | None = None) -> str:
    response = api(deployed, "GET", "webhooks/secret", key=key)
    assert response.status == 200
    return str(response.json()["secret"])


def path_for(receiver: Receiver) -> tuple[str, str]:
    """A URL of its own per test (the receiver records the path)."""
    path = f"/{uuid.uuid4().hex}"
    return receiver.url.rstrip("/") + path, path


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with webhook_receiver() as running:
        yield running


def without_volatile(view: dict[str, Any]) -> dict[str, Any]:
    """A job view without what changes between two reads: deliveries (and the cost, which
    counts their attempts) and URL signatures."""
    images = [{**image, "url": image["url"].split("?")[0]} for image in view["images"]]
    changing = {"webhook_deliveries", "cost_usd"}
    return {**{k: v for k, v in view.items() if k not in changing}, "images": images}


def test_started_and_completed_arrive_in_order_signed_with_the_job_as_get_shows_it(
    deployed: StackInfo, receiver: Receiver, record_property: Callable[[str, Any], None]
) -> None:
    # Given a job that asks for both events
    url, path = path_for(receiver)
    tenant_secret = secret(deployed)
    job_id = submit(deployed, url, ["started", "completed"])

    # When it runs
    requests = poll(
        lambda: receiver.for_path(path), lambda r: len(r) >= 2, DELIVERY_TIMEOUT, "both events"
    )

    # Then both came, each verifying with the tenant's secret, started first by their
    # timestamps (the order they arrive in is not promised: docs/webhooks.md)
    verified = [Webhook(tenant_secret).verify(r.body, r.headers) for r in requests]
    payloads = sorted(verified, key=lambda p: datetime.fromisoformat(p["timestamp"]))
    assert [p["type"] for p in payloads] == ["job.started", "job.completed"]
    ids = [r.headers["webhook-id"] for r in requests]
    assert len(set(ids)) == 2
    # And the completed body is the job as its tenant reads it
    shown = job(deployed, job_id)
    assert shown["status"] == "succeeded"
    assert without_volatile(payloads[1]["data"]) == without_volatile(shown)
    assert payloads[0]["data"]["job_id"] == job_id
    # And the job shows both deliveries as delivered at the first attempt
    poll(
        lambda: [
            (d["event"], d["state"], d["attempts"])
            for d in job(deployed, job_id)["webhook_deliveries"]
        ],
        lambda found: found == [("started", "delivered", 1), ("completed", "delivered", 1)],
        30,
        "the deliveries recorded",
    )
    record_property(
        "webhook_events",
        {
            "expected": 2,
            "received": len(requests),
            "duplicates": len(ids) - len(set(ids)),
            "lost": 0,
        },
    )


def test_a_receiver_failing_twice_gets_the_event_three_times_with_one_id_and_growing_gaps(
    deployed: StackInfo, receiver: Receiver, record_property: Callable[[str, Any], None]
) -> None:
    # Given a receiver that answers 500 to the first two requests on its path
    url, path = path_for(receiver)
    answered: dict[str, int] = {}

    def fail_twice(_number: int) -> int:
        answered[path] = answered.get(path, 0) + 1
        return 500 if answered[path] <= 2 else 200

    receiver.then = fail_twice
    job_id = submit(deployed, url)

    # When the completed event is delivered
    requests = poll(
        lambda: receiver.for_path(path), lambda r: len(r) >= 3, DELIVERY_TIMEOUT, "three attempts"
    )

    # Then it came three times with the same webhook-id, each gap longer than the last
    assert len({r.headers["webhook-id"] for r in requests}) == 1
    gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(requests)]
    assert gaps[1] > gaps[0] >= 1.5, gaps
    poll(
        lambda: delivery_state(deployed, job_id, "completed"),
        lambda s: s == "delivered",
        30,
        "delivered",
    )
    found = job(deployed, job_id)["webhook_deliveries"][0]
    assert (found["attempts"], found["last_status_code"]) == (3, 200)
    record_property("webhook_retry_gaps_s", [round(g, 1) for g in gaps])


@pytest.mark.parametrize("kind", ["never answers", "is down"])
def test_a_dead_receiver_does_not_slow_the_job_and_the_delivery_is_given_up(
    deployed: StackInfo,
    receiver: Receiver,
    kind: str,
    record_property: Callable[[str, Any], None],
    stack_parameters: dict[str, str],
) -> None:
    # Given a receiver that holds every request open, or a port nobody listens on
    if kind == "never answers":
        url, _path = path_for(receiver)
        receiver.then = HANG
    else:
        url = f"http://127.0.0.1:{free_port_nobody_listens_on()}/hook"

    # When a job with that webhook runs
    started = time.monotonic()
    job_id = submit(deployed, url)
    finished = poll(
        lambda: job(deployed, job_id), lambda j: j["status"] == "succeeded", 60, "the job"
    )
    job_seconds = time.monotonic() - started

    # Then the job succeeded without waiting for the receiver (each attempt may take
    # WebhookTimeoutSeconds)
    assert finished["status"] == "succeeded"
    # And after the last retry its delivery is given up, the job still succeeded
    poll(
        lambda: delivery_state(deployed, job_id, "completed"),
        lambda s: s == "given_up",
        DELIVERY_TIMEOUT,
        "given up",
    )
    shown = job(deployed, job_id)
    [delivery] = shown["webhook_deliveries"]
    assert shown["status"] == "succeeded"
    assert delivery["attempts"] == 3
    timed_out = f"timed out after {stack_parameters['WebhookTimeoutSeconds']} s"
    assert delivery["last_error"] == (
        timed_out if kind == "never answers" else "connection refused"
    )
    record_property(
        f"job_seconds_with_receiver_that_{kind.replace(' ', '_')}", round(job_seconds, 1)
    )


def test_after_a_rotation_deliveries_carry_both_signatures(
    deployed: StackInfo, receiver: Receiver, new_key: Callable[[], str]
) -> None:
    # Given a tenant of its own that rotates its secret
    key = new_key()
    old = secret(deployed, key)
    rotated = api(deployed, "POST", "webhooks/secret/rotate", key=key)
    assert rotated.status == 200
    new = rotated.json()["secret"]
    assert new != old

    # When one of its jobs completes within the grace period
    url, path = path_for(receiver)
    submit(deployed, url, key=key)
    [request] = poll(
        lambda: receiver.for_path(path), lambda r: len(r) >= 1, DELIVERY_TIMEOUT, "the event"
    )

    # Then the request carries two signatures, and each secret verifies it
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(request.body, request.headers)
    Webhook(new).verify(request.body, request.headers)


def test_a_tenant_cannot_read_another_tenants_secret_or_deliveries(
    deployed: StackInfo, receiver: Receiver, new_key: Callable[[], str]
) -> None:
    # Given tenant A's job with a webhook, and a second tenant B
    url, path = path_for(receiver)
    job_id = submit(deployed, url)
    b = new_key()

    # Then B's secret is its own, and A's job (with its deliveries) is not found for B
    assert secret(deployed, b) != secret(deployed)
    assert api(deployed, "GET", f"jobs/{job_id}", key=b).status == 404
    listed = api(deployed, "GET", "jobs", key=b).json()["jobs"]
    assert job_id not in json.dumps(listed)
    # And A's body never carries a secret
    [request] = poll(
        lambda: receiver.for_path(path), lambda r: len(r) >= 1, DELIVERY_TIMEOUT, "the event"
    )
    assert b"whsec_" not in request.body
