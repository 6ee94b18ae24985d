"""Webhooks through the real handlers on moto: submit's refusals and what it stores, the job's
view, the secret routes, the repository's outbox writes, the HTTP sender against real sockets on
loopback, and one whole delivery from the webhook queue's message to a verified request."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from standardwebhooks import Webhook

from imagejobs.dal.webhook_sender import HttpWebhookSender
from imagejobs.models.transitions import START, SUCCEED
from imagejobs.models.webhooks import (
    Delivery,
    DeliveryAttempt,
    DeliveryState,
    WebhookEvent,
    WebhookSubscription,
)
from tests.logic.test_webhooks import BAD_URLS
from tests.support.certificates import tls_pair
from tests.support.events import (
    FIXTURE_JOB_ID,
    TENANT,
    event_for_job,
    load_event,
    response_json,
)
from tests.support.functions import Function, LoadHandler
from tests.support.jobs import T0, move, store_job
from tests.support.moto_aws import MotoResources
from tests.support.webhook_receiver import (
    DRIP,
    HANG,
    free_port_nobody_listens_on,
    webhook_receiver,
)


def submit_with(submit: Function, **fields: Any) -> dict[str, Any]:
    event = load_event("api-post-jobs-webhook")
    body = {**json.loads(event["body"]), **fields}
    event["body"] = json.dumps({k: v for k, v in body.items() if v is not None})
    return submit.invoke(event)


def test_every_bad_webhook_url_is_a_422_naming_the_field(
    submit: Function, resources: MotoResources
) -> None:
    # Given the default deployment (no private targets)
    # When each bad URL is submitted
    for url, _why in [*BAD_URLS, ("https://hooks.example.com/" + "x" * 2048, "long")]:
        response = submit_with(submit, webhook=url)

        # Then it is a 422 naming `webhook`, and no job was recorded
        assert response["statusCode"] == 422, url
        assert [d["field"] for d in response_json(response)["detail"]] == ["webhook"], url
    assert resources.queued_messages() == []


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"webhook_events_filter": ["started", "finished"]}, "webhook_events_filter"),
        ({"webhook_events_filter": []}, "webhook_events_filter"),
        ({"webhook_events_filter": "completed"}, "webhook_events_filter"),
        ({"webhook": None, "webhook_events_filter": ["completed"]}, "webhook_events_filter"),
        ({"webhook": 42}, "webhook"),
    ],
)
def test_bad_event_filters_are_422s_naming_the_field(
    submit: Function, fields: dict[str, Any], field: str
) -> None:
    response = submit_with(submit, **fields)
    assert response["statusCode"] == 422
    assert [d["field"] for d in response_json(response)["detail"]] == [field]


def test_a_webhook_is_stored_and_echoed_by_the_jobs_view(
    submit: Function, status: Function, resources: MotoResources
) -> None:
    # Given a job submitted with a webhook and both events
    created = response_json(submit.invoke("api-post-jobs-webhook"))

    # When it is read back
    event = event_for_job("api-get-job", created["job_id"])
    shown = response_json(status.invoke(event))

    # Then both answers carry the webhook, its events, and no deliveries yet
    for body in (created, shown):
        assert body["webhook"] == "https://hooks.example.com/imagejobs"
        assert body["webhook_events_filter"] == ["started", "completed"]
        assert body["webhook_deliveries"] == []
    item = resources.stored_job(created["job_id"])
    assert item["webhook_url"] == {"S": "https://hooks.example.com/imagejobs"}


def test_the_default_filter_is_completed(submit: Function) -> None:
    body = response_json(submit_with(submit, webhook_events_filter=None))
    assert body["webhook_events_filter"] == ["completed"]


def test_the_generate_image_drop_in_takes_a_webhook_and_keeps_its_answer(
    submit: Function, resources: MotoResources
) -> None:
    event = load_event("api-post-generate-image")
    event["body"] = json.dumps({"prompt": "a cat", "webhook": "https://hooks.example.com/x"})
    body = response_json(submit.invoke(event))
    assert set(body) == {"message", "job_id"}
    item = resources.stored_job(body["job_id"])
    assert item["webhook_url"] == {"S": "https://hooks.example.com/x"}
    assert "ignored_parameters" not in item


def test_the_secret_is_made_on_first_read_kept_and_rotated_per_tenant(
    load_handler: LoadHandler,
) -> None:
    # Given the secret function
    secrets = load_handler("WebhookSecretFunction")

    def call(name: str, tenant: str = TENANT) -> dict[str, Any]:
        event = load_event(name)
        event["requestContext"]["identity"]["apiKeyId"] = tenant
        code, body = secrets.call(event)
        assert code == 200
        return body  # type: ignore[no-any-return]

    # When tenant A reads it twice, tenant B once, and A rotates
    first = call("api-get-webhook-secret")
    again = call("api-get-webhook-secret")
    other = call("api-get-webhook-secret", "tenant-b-key-id")
    rotated = call("api-post-webhook-secret-rotate")
    after = call("api-get-webhook-secret")

    # Then A's secret is stable until rotated, B's is its own, and the rotation has a grace
    assert first["secret"].startswith("whsec_")
    assert first == again
    assert other["secret"] != first["secret"]
    assert rotated["secret"] not in (first["secret"], other["secret"])
    assert rotated["previous_valid_until"] is not None
    assert after == rotated


def test_the_repository_writes_the_outbox_with_the_transition_once(
    resources: MotoResources,
) -> None:
    # Given a queued job on the real table
    jobs = resources.jobs
    events = (WebhookEvent.STARTED, WebhookEvent.COMPLETED)
    subscription = WebhookSubscription(url="https://hooks.example.com/in", events=events)
    store_job(jobs, FIXTURE_JOB_ID, TENANT, changes={"webhook": subscription})
    first = Delivery.new(FIXTURE_JOB_ID, WebhookEvent.STARTED, T0)

    # When it is started twice, each start recording the started event's delivery
    move(jobs, FIXTURE_JOB_ID, START, T0)
    job = move(jobs, FIXTURE_JOB_ID, START, T0 + timedelta(seconds=5))

    # Then the first one stays, and marks and attempts change only their own fields
    assert job.deliveries == (first,)
    jobs.mark_dispatched(FIXTURE_JOB_ID, WebhookEvent.STARTED)
    attempt = DeliveryAttempt(attempts=1, state=DeliveryState.PENDING, last_status_code=500)
    assert jobs.record_attempt(FIXTURE_JOB_ID, WebhookEvent.STARTED, attempt)
    assert not jobs.record_attempt(FIXTURE_JOB_ID, WebhookEvent.STARTED, attempt)
    stored = jobs.get(FIXTURE_JOB_ID)
    assert stored is not None
    assert stored.deliveries == (
        first.model_copy(update={"dispatched": True, "attempts": 1, "last_status_code": 500}),
    )
    # And a terminal transition adds the completed one beside it
    done = move(jobs, FIXTURE_JOB_ID, SUCCEED, T0 + timedelta(seconds=9), images=())
    assert [d.event for d in done.deliveries] == [WebhookEvent.STARTED, WebhookEvent.COMPLETED]


# --- the HTTP sender on real sockets --------------------------------------------------------


def test_the_sender_reports_status_codes_and_never_follows_a_redirect() -> None:
    with webhook_receiver([302, 500, 204]) as receiver:
        receiver.extra_headers["Location"] = receiver.url + "elsewhere"
        sender = HttpWebhookSender(allow_private=True, timeout_seconds=5)
        codes = [sender.post(receiver.url, b"{}", {}).status_code for _ in range(3)]
        assert codes == [302, 500, 204]
        assert [r.path for r in receiver.received] == ["/", "/", "/"]


def test_the_sender_reads_retry_after() -> None:
    with webhook_receiver([429]) as receiver:
        receiver.extra_headers["Retry-After"] = "7"
        result = HttpWebhookSender(allow_private=True).post(receiver.url, b"{}", {})
    assert (result.status_code, result.retry_after_seconds) == (429, 7)


@pytest.mark.parametrize("answer", [HANG, DRIP], ids=["never-answers", "drips-its-answer"])
def test_a_slow_receiver_is_cut_off_at_the_whole_request_timeout(answer: int) -> None:
    import time

    # Given a receiver that never answers, or sends its status line and headers a byte at a
    # time (each byte well within any per-read timeout, the whole far beyond the sender's)
    with webhook_receiver([answer]) as receiver:
        # When the sender posts to it with a whole-request timeout of 0.5 s
        started = time.monotonic()
        result = HttpWebhookSender(allow_private=True, timeout_seconds=0.5).post(
            receiver.url, b"{}", {}
        )
        elapsed = time.monotonic() - started

    # Then the attempt ends at that timeout, as a timeout
    assert (result.status_code, result.error) == (None, "timed out after 0.5 s")
    assert elapsed < 3


def test_tls_goes_to_the_checked_address_and_verifies_the_host_name() -> None:
    # Given an HTTPS receiver on loopback with a certificate for hooks.example.com only, and
    # names that the resolver maps to its address
    server_tls, client_tls = tls_pair("hooks.example.com")
    with webhook_receiver([200], tls=server_tls) as receiver:
        port = int(receiver.url.rsplit(":", 1)[1].strip("/"))
        sender = HttpWebhookSender(
            allow_private=True, resolver=lambda host, p: ["127.0.0.1"], tls=client_tls
        )

        # When the sender posts to the certificate's name, and to another name
        named = sender.post(f"https://hooks.example.com:{port}/hook", b"{}", {})
        other = sender.post(f"https://other.example.com:{port}/hook", b"{}", {})

    # Then the first is delivered to that address in that name, the second fails TLS unsent
    assert named.status_code == 200
    assert [r.headers["Host"] for r in receiver.received] == [f"hooks.example.com:{port}"]
    assert (other.status_code, other.error) == (None, "TLS handshake failed")


def test_a_receiver_that_is_down_is_a_refused_connection() -> None:
    port = free_port_nobody_listens_on()
    result = HttpWebhookSender(allow_private=True).post(f"http://127.0.0.1:{port}/", b"{}", {})
    assert (result.status_code, result.error) == (None, "connection refused")


@pytest.mark.parametrize(
    "addresses",
    [["127.0.0.1"], ["10.0.0.7"], ["169.254.169.254"], ["93.184.216.34", "fd00::1"], ["::1"]],
)
def test_a_name_that_resolves_inward_is_refused_before_connecting(addresses: list[str]) -> None:
    # Given a public-looking name whose DNS answer points inside (a receiver listens there)
    with webhook_receiver() as receiver:
        port = int(receiver.url.rsplit(":", 1)[1].strip("/"))
        sender = HttpWebhookSender(allow_private=False, resolver=lambda host, p: addresses)

        # When the sender is asked to post to it
        result = sender.post(f"https://hooks.example.com:{port}/", b"{}", {})

    # Then nothing was sent
    assert result.error == "the host resolves to a private or reserved address"
    assert receiver.received == []


def test_the_sender_connects_to_the_address_it_checked() -> None:
    # Given a name the resolver maps to the receiver's loopback address (private targets allowed)
    with webhook_receiver([200]) as receiver:
        port = int(receiver.url.rsplit(":", 1)[1].strip("/"))
        sender = HttpWebhookSender(allow_private=True, resolver=lambda host, p: ["127.0.0.1"])
        result = sender.post(f"http://hooks.example.com:{port}/hook?x=1", b"{}", {})
    assert result.status_code == 200
    assert receiver.received[0].path == "/hook?x=1"
    assert receiver.received[0].headers["Host"] == f"hooks.example.com:{port}"


# --- a whole delivery -----------------------------------------------------------------------


def test_the_delivery_function_sends_a_signed_body_matching_the_jobs_view(
    load_handler: LoadHandler, resources: MotoResources
) -> None:
    with webhook_receiver([200]) as receiver:
        # Given a finished job whose completed event is queued, for a loopback receiver
        jobs = resources.jobs
        store_job(jobs, FIXTURE_JOB_ID, TENANT)
        item = resources.dynamodb
        item.update_item(
            TableName=resources.table_name,
            Key={"job_id": {"S": FIXTURE_JOB_ID}},
            UpdateExpression="SET webhook_url = :url, webhook_events = :events",
            ExpressionAttributeValues={
                ":url": {"S": receiver.url},
                ":events": {"L": [{"S": "completed"}]},
            },
        )
        move(jobs, FIXTURE_JOB_ID, START, T0)
        move(jobs, FIXTURE_JOB_ID, SUCCEED, T0, images=())
        delivery = load_handler("WebhookDeliveryFunction", WEBHOOK_ALLOW_PRIVATE_TARGETS="true")

        # When the delivery function gets the event's message
        response = delivery.invoke("sqs-webhook")

        # Then the receiver got one request that verifies with the tenant's secret
        assert response == {"batchItemFailures": []}
        [request] = receiver.received
    secret = delivery.module.ports.secrets.get(TENANT).current
    payload = Webhook(secret).verify(request.body, request.headers)
    # And its data is the tenant's view of the job, now delivered (the deliveries, and the
    # cost that counts their attempts, as of before this one)
    status = load_handler("StatusFunction")
    shown = response_json(status.invoke("api-get-job"))
    assert payload["type"] == "job.completed"
    assert datetime.fromisoformat(payload["timestamp"]) == T0
    changed = {"webhook_deliveries", "cost_usd"}
    assert {k: v for k, v in payload["data"].items() if k not in changed} == {
        k: v for k, v in shown.items() if k not in changed
    }
    [recorded] = shown["webhook_deliveries"]
    assert (recorded["state"], recorded["attempts"], recorded["last_status_code"]) == (
        "delivered",
        1,
        200,
    )
    assert recorded["webhook_id"] == request.headers["webhook-id"]
