"""Webhooks on the in-memory ports: URL rules, the address guard, the outbox the worker fills
and re-sends, signing (checked with standardwebhooks' own verifier), the retry decisions, and
the tenants' secrets."""

from __future__ import annotations

import base64
import ipaddress
import json
from datetime import timedelta

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from imagejobs.clock import utc_now
from imagejobs.exceptions import EnqueueFailedError, InvalidParameterError, PermanentEngineError
from imagejobs.logic.webhooks.delivery import (
    DeliveryOutcome,
    DeliveryPolicy,
    DeliveryPorts,
    Verdict,
    classify,
    deliver,
    retry_delay,
    signature_headers,
)
from imagejobs.logic.webhooks.secrets import SECRET_PREFIX, rotate, tenant_secrets
from imagejobs.models.webhook_targets import check_webhook_url, ip_literal, is_forbidden_address
from imagejobs.models.webhooks import (
    DeliveryState,
    SendResult,
    WebhookEvent,
    WebhookMessage,
    WebhookSubscription,
    webhook_id,
)
from tests.support.in_memory import (
    InMemoryImageStore,
    InMemorySecretStore,
    InMemoryWebhookQueue,
    ScriptedSender,
)
from tests.support.jobs import T0
from tests.support.worker import WORKER_JOB_ID, ScriptedEngine, WorkerWorld

URL = "https://hooks.example.com/imagejobs?token=abc"
BOTH = (WebhookEvent.STARTED, WebhookEvent.COMPLETED)
SCHEDULE = (5, 300, 1800)

# --- URL rules at submit --------------------------------------------------------------------

BAD_URLS = [
    ("http://hooks.example.com/", "https"),
    ("ftp://hooks.example.com/", "https"),
    ("hooks.example.com/path", "https"),
    ("https://user:pass@hooks.example.com/", "user info"),
    ("https://user@hooks.example.com/", "user info"),
    ("https:///path-without-host", "host"),
    ("https://hooks.example.com:99999/", "URL"),
    ("https://hooks.example.com/a b", "spaces"),
    ("https://127.0.0.1/", "private"),
    ("https://10.1.2.3/", "private"),
    ("https://172.16.0.1/", "private"),
    ("https://192.168.1.1/", "private"),
    ("https://169.254.169.254/latest/meta-data/", "private"),
    ("https://100.64.0.1/", "private"),
    ("https://0.0.0.0/", "private"),
    ("https://2130706433/", "private"),  # 127.0.0.1 as one number
    ("https://0x7f.1/", "private"),
    ("https://[::1]/", "private"),
    ("https://[fd00::1]/", "private"),
    ("https://[fd00:ec2::254]/", "private"),  # the IPv6 metadata service
    ("https://[fe80::1]/", "private"),
    ("https://[::ffff:169.254.169.254]/", "private"),
    ("https://[64:ff9b::a9fe:a9fe]/", "private"),
    ("https://[ff02::1]/", "private"),
]


@pytest.mark.parametrize(("url", "says"), BAD_URLS)
def test_a_bad_webhook_url_is_refused_naming_the_field(url: str, says: str) -> None:
    # Given a deployment that does not allow private targets
    # When the URL is checked
    with pytest.raises(InvalidParameterError) as refused:
        check_webhook_url(url, allow_private=False)

    # Then the refusal names the webhook field and says why
    assert refused.value.field == "webhook"
    assert says in refused.value.message


@pytest.mark.parametrize(
    "url", [URL, "https://93.184.216.34/hook", "https://[2606:4700::1111]/", "HTTPS://Example.com"]
)
def test_a_public_https_url_is_accepted(url: str) -> None:
    check_webhook_url(url, allow_private=False)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080/hook", "http://[::1]/", "https://10.0.0.1/"]
)
def test_a_deployment_that_allows_private_targets_takes_plain_http_on_loopback(url: str) -> None:
    check_webhook_url(url, allow_private=True)


def test_user_info_is_refused_even_where_private_targets_are_allowed() -> None:
    with pytest.raises(InvalidParameterError):
        check_webhook_url("http://me:pw@127.0.0.1/", allow_private=True)


# --- the address guard ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.255.255.254",
        "10.0.0.1",
        "172.31.255.255",
        "192.168.0.1",
        "169.254.169.254",
        "169.254.0.1",
        "100.64.0.1",
        "0.0.0.0",  # noqa: S104 - an address the guard refuses, not a bind
        "255.255.255.255",
        "224.0.0.1",
        "192.0.2.1",
        "::1",
        "::",
        "fd00::1",
        "fc00::1",
        "fe80::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "64:ff9b::7f00:1",
        "2001:db8::1",
    ],
)
def test_private_loopback_link_local_and_reserved_addresses_are_forbidden(address: str) -> None:
    assert is_forbidden_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address", ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8"]
)
def test_public_addresses_are_allowed(address: str) -> None:
    assert not is_forbidden_address(ipaddress.ip_address(address))


def test_numeric_and_octal_ipv4_spellings_are_read_as_the_address_they_resolve_to() -> None:
    assert ip_literal("2130706433") == ipaddress.ip_address("127.0.0.1")
    assert ip_literal("0177.0.0.1") == ipaddress.ip_address("127.0.0.1")
    assert ip_literal("hooks.example.com") is None


# --- the outbox -----------------------------------------------------------------------------


def webhook_job(world: WorkerWorld, events: tuple[WebhookEvent, ...] = BOTH) -> None:
    job = world.add_job()
    world.jobs.jobs[job.job_id] = job.model_copy(
        update={"webhook": WebhookSubscription(url=URL, events=events)}
    )


def test_a_job_that_asked_for_both_events_dispatches_started_then_completed(
    world: WorkerWorld,
) -> None:
    # Given a job whose webhook wants both events
    webhook_job(world)

    # When the worker renders it
    world.run(ScriptedEngine())

    # Then both events are on the webhook queue, in order, and marked dispatched on the job
    sent = [message for message, _ in world.webhooks.take()]
    assert [(m.job_id, m.event, m.attempt) for m in sent] == [
        (WORKER_JOB_ID, WebhookEvent.STARTED, 1),
        (WORKER_JOB_ID, WebhookEvent.COMPLETED, 1),
    ]
    deliveries = world.job().deliveries
    assert [(d.event, d.dispatched, d.state) for d in deliveries] == [
        (WebhookEvent.STARTED, True, DeliveryState.PENDING),
        (WebhookEvent.COMPLETED, True, DeliveryState.PENDING),
    ]
    assert deliveries[0].webhook_id != deliveries[1].webhook_id


def test_the_default_filter_sends_only_completed_and_a_job_without_webhook_sends_nothing(
    world: WorkerWorld,
) -> None:
    webhook_job(world, events=(WebhookEvent.COMPLETED,))
    world.run(ScriptedEngine())
    assert [m.event for m, _ in world.webhooks.take()] == [WebhookEvent.COMPLETED]


def test_a_failed_job_sends_completed(world: WorkerWorld) -> None:
    webhook_job(world, events=(WebhookEvent.COMPLETED,))
    world.run(ScriptedEngine(error=PermanentEngineError("refused")))
    assert world.job().status == "failed"
    assert [m.event for m, _ in world.webhooks.take()] == [WebhookEvent.COMPLETED]


def test_an_event_whose_dispatch_failed_after_the_state_change_is_sent_on_redelivery(
    world: WorkerWorld,
) -> None:
    # Given a job rendered while the webhook queue is down (the worker "dies" after the change)
    webhook_job(world)
    world.webhooks.unavailable = True
    with pytest.raises(EnqueueFailedError):
        world.run(ScriptedEngine())
    assert world.job().status == "succeeded"
    assert all(not d.dispatched for d in world.job().deliveries)

    # When the job's message is received again, with the queue back
    world.webhooks.unavailable = False
    engine = ScriptedEngine()
    world.run(engine, receive_count=2)

    # Then nothing is rendered again, and both events go out, with their first ids
    assert engine.calls == []
    sent = [m.event for m, _ in world.webhooks.take()]
    assert sent == [WebhookEvent.STARTED, WebhookEvent.COMPLETED]
    assert [d.webhook_id for d in world.job().deliveries] == [
        webhook_id(WORKER_JOB_ID, WebhookEvent.STARTED),
        webhook_id(WORKER_JOB_ID, WebhookEvent.COMPLETED),
    ]
    # And a further redelivery sends nothing more
    world.run(ScriptedEngine(), receive_count=3)
    assert world.webhooks.take() == []


def test_a_repeated_start_keeps_the_first_started_event(world: WorkerWorld) -> None:
    # Given a job started once, whose render then failed transiently
    webhook_job(world)
    with pytest.raises(RuntimeError):
        world.run(ScriptedEngine(error=RuntimeError("flaky")))
    first = world.job().delivery(WebhookEvent.STARTED)
    # (its started event went out although the render failed)
    assert [m.event for m, _ in world.webhooks.take()] == [WebhookEvent.STARTED]

    # When it is started again and succeeds
    world.run(ScriptedEngine(), receive_count=2)

    # Then the started event is the first one (same time, same id), not sent again
    assert world.job().delivery(WebhookEvent.STARTED) == first
    assert [m.event for m, _ in world.webhooks.take()] == [WebhookEvent.COMPLETED]


# --- signing --------------------------------------------------------------------------------


def test_signatures_verify_with_the_standardwebhooks_verifier() -> None:
    # Given a body signed for a secret
    secret = tenant_secrets("tenant-a", store=InMemorySecretStore(), now=T0).current
    body = json.dumps({"type": "job.completed"})
    now = utc_now()
    headers = signature_headers("msg_1", now, body, [secret])

    # Then the package's own verifier accepts it, and refuses a changed body or another secret
    assert Webhook(secret).verify(body, headers) == {"type": "job.completed"}
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body + " ", headers)
    other = tenant_secrets("tenant-b", store=InMemorySecretStore(), now=T0).current
    with pytest.raises(WebhookVerificationError):
        Webhook(other).verify(body, headers)
    assert headers["webhook-id"] == "msg_1"
    assert headers["webhook-timestamp"] == str(int(now.timestamp()))


def test_during_the_grace_period_both_secrets_sign_and_either_verifies() -> None:
    # Given a tenant that rotated its secret
    store = InMemorySecretStore()
    old = tenant_secrets("tenant-a", store=store, now=T0).current
    rotated = rotate("tenant-a", store=store, now=T0, grace=timedelta(hours=24))
    body = "{}"

    # When a delivery is signed within the grace period, and after it
    within = rotated.signing_secrets(T0 + timedelta(hours=23))
    after = rotated.signing_secrets(T0 + timedelta(hours=24, seconds=1))
    headers = signature_headers("msg_1", utc_now(), body, within)

    # Then it carries two signatures, each verifying for one secret; afterwards only the new
    assert within == (rotated.current, old)
    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(body, headers)
    Webhook(rotated.current).verify(body, headers)
    assert after == (rotated.current,)


def test_a_secret_is_made_on_first_use_once_and_is_long_enough() -> None:
    store = InMemorySecretStore()
    first = tenant_secrets("tenant-a", store=store, now=T0)
    again = tenant_secrets("tenant-a", store=store, now=T0 + timedelta(days=1))
    assert first == again
    assert first.current.startswith(SECRET_PREFIX)
    assert len(base64.b64decode(first.current.removeprefix(SECRET_PREFIX))) >= 24
    assert first.current not in repr(first)
    assert tenant_secrets("tenant-b", store=store, now=T0).current != first.current


# --- retry classification -------------------------------------------------------------------


# Each kind of answer a receiver can give, and what the delivery does next.
VERDICTS = {
    **dict.fromkeys([200, 204, 299], Verdict.DELIVERED),
    **dict.fromkeys([301, 302, 307, 400, 401, 404, 429, 500, 503], Verdict.RETRY),
    410: Verdict.STOP,
    "timed out after 10 s": Verdict.RETRY,
    "connection refused": Verdict.RETRY,
    "the host resolves to a private or reserved address": Verdict.RETRY,
}


@pytest.mark.parametrize(
    ("result", "verdict"),
    [
        (SendResult(status_code=a) if isinstance(a, int) else SendResult(error=a), verdict)
        for a, verdict in VERDICTS.items()
    ],
    ids=[str(answer) for answer in VERDICTS],
)
def test_every_kind_of_answer_is_classified(result: SendResult, verdict: Verdict) -> None:
    assert classify(result) is verdict


def test_retries_follow_the_schedule_with_jitter_then_stop() -> None:
    failure = SendResult(status_code=500)
    assert retry_delay(1, failure, SCHEDULE, rng=lambda a, b: 1.0) == 5
    assert retry_delay(2, failure, SCHEDULE, rng=lambda a, b: b) == pytest.approx(330)
    assert retry_delay(3, failure, SCHEDULE, rng=lambda a, b: a) == pytest.approx(1620)
    assert retry_delay(4, failure, SCHEDULE) is None


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_is_honoured_on_429_and_503_only(status: int) -> None:
    asked = SendResult(status_code=status, retry_after_seconds=120)
    assert retry_delay(1, asked, SCHEDULE) == 120
    # Within the schedule's longest wait
    assert retry_delay(1, asked.model_copy(update={"retry_after_seconds": 10**9}), SCHEDULE) == 1800
    other = SendResult(status_code=500, retry_after_seconds=120)
    assert retry_delay(1, other, SCHEDULE, rng=lambda a, b: 1.0) == 5


# --- one delivery attempt -------------------------------------------------------------------


class DeliveryWorld:
    def __init__(self, world: WorkerWorld, results: list[SendResult]) -> None:
        self.world = world
        self.sender = ScriptedSender(results=results)
        self.queue = InMemoryWebhookQueue()
        self.secrets = InMemorySecretStore()
        self.ports = DeliveryPorts(
            jobs=world.jobs,
            secrets=self.secrets,
            sender=self.sender,
            queue=self.queue,
            images=InMemoryImageStore(),
        )

    def deliver(self, message: WebhookMessage) -> DeliveryOutcome:
        policy = DeliveryPolicy(schedule=SCHEDULE, url_expiry_seconds=60, rng=lambda a, b: 1.0)
        return deliver(message, self.ports, policy, now=utc_now())

    def run_until_done(self, first: WebhookMessage) -> list[DeliveryOutcome]:
        """Delivers `first` and every retry it queues, ignoring the delays."""
        outcomes = [self.deliver(first)]
        while self.queue.sent:
            (message, _delay), *rest = self.queue.sent
            self.queue.sent = rest
            # As if the whole wait had passed.
            outcomes.append(self.deliver(message.model_copy(update={"not_before": None})))
        return outcomes


def rendered(world: WorkerWorld) -> WebhookMessage:
    webhook_job(world, events=(WebhookEvent.COMPLETED,))
    world.run(ScriptedEngine())
    [(message, _)] = world.webhooks.take()
    return message


def test_a_receiver_failing_twice_gets_the_same_id_three_times_with_growing_waits(
    world: WorkerWorld,
) -> None:
    # Given a completed job, and a receiver that answers 500, 500, then 200
    message = rendered(world)
    delivery = DeliveryWorld(
        world, [SendResult(status_code=500)] * 2 + [SendResult(status_code=200)]
    )

    # When the first attempt fails
    assert delivery.deliver(message) is DeliveryOutcome.RETRYING
    # Then the retry is queued after the schedule's first wait
    [(retry, delay)] = delivery.queue.take()
    assert (retry.attempt, delay) == (2, 5)

    outcomes = [DeliveryOutcome.RETRYING, *delivery.run_until_done(retry)]

    # Then it is delivered on the third attempt, with one webhook-id throughout
    assert outcomes == [
        DeliveryOutcome.RETRYING,
        DeliveryOutcome.RETRYING,
        DeliveryOutcome.DELIVERED,
    ]
    ids = {headers["webhook-id"] for _, _, headers in delivery.sender.requests}
    assert ids == {webhook_id(WORKER_JOB_ID, WebhookEvent.COMPLETED)}
    recorded = world.job().delivery(WebhookEvent.COMPLETED)
    assert recorded is not None
    assert (recorded.state, recorded.attempts, recorded.last_status_code) == (
        DeliveryState.DELIVERED,
        3,
        200,
    )


def test_a_body_is_the_tenant_view_of_the_job_and_verifies(world: WorkerWorld) -> None:
    message = rendered(world)
    delivery = DeliveryWorld(world, [SendResult(status_code=204)])
    delivery.deliver(message)
    [(url, body, headers)] = delivery.sender.requests
    secret = delivery.secrets.items[world.job().tenant].current
    payload = Webhook(secret).verify(body, headers)
    assert url == URL
    assert payload["type"] == "job.completed"
    assert payload["data"]["job_id"] == WORKER_JOB_ID
    assert payload["data"]["status"] == "succeeded"
    assert [image["url"].startswith("memory://") for image in payload["data"]["images"]] == [
        True,
        True,
    ]
    assert secret not in json.dumps(world.job().model_dump(mode="json"))


def test_a_receiver_that_never_succeeds_is_given_up_after_the_last_retry(
    world: WorkerWorld,
) -> None:
    message = rendered(world)
    delivery = DeliveryWorld(world, [SendResult(error="timed out after 10 s")])
    outcomes = delivery.run_until_done(message)
    assert outcomes == [DeliveryOutcome.RETRYING] * 3 + [DeliveryOutcome.GIVEN_UP]
    recorded = world.job().delivery(WebhookEvent.COMPLETED)
    assert recorded is not None
    assert (recorded.state, recorded.attempts, recorded.last_error) == (
        DeliveryState.GIVEN_UP,
        4,
        "timed out after 10 s",
    )
    assert world.job().status == "succeeded"


def test_410_gives_up_at_once_and_stops_the_jobs_other_event(world: WorkerWorld) -> None:
    # Given a job whose webhook wants both events, and a receiver answering 410 Gone
    webhook_job(world)
    world.run(ScriptedEngine())
    started, completed = (m for m, _ in world.webhooks.take())
    delivery = DeliveryWorld(world, [SendResult(status_code=410)])

    # When the started event gets 410, then the completed event comes
    assert delivery.deliver(started) is DeliveryOutcome.GIVEN_UP
    assert delivery.deliver(completed) is DeliveryOutcome.GIVEN_UP

    # Then nothing is retried and the completed event was never sent
    assert delivery.queue.sent == []
    assert len(delivery.sender.requests) == 1


def test_a_duplicate_message_of_an_attempt_already_made_sends_nothing(world: WorkerWorld) -> None:
    message = rendered(world)
    delivery = DeliveryWorld(world, [SendResult(status_code=500)])
    delivery.deliver(message)
    assert delivery.deliver(message) is DeliveryOutcome.SKIPPED
    assert len(delivery.sender.requests) == 1


def test_a_wait_longer_than_sqs_allows_is_chained(world: WorkerWorld) -> None:
    # Given a failed attempt whose next wait is 30 minutes
    message = rendered(world).model_copy(update={"attempt": 3})
    delivery = DeliveryWorld(world, [SendResult(status_code=500)])
    delivery.deliver(message)
    [(retry, delay)] = delivery.queue.take()
    assert delay == 900
    assert retry.not_before is not None

    # When it comes back early, it is queued again for what is left, not sent
    assert delivery.deliver(retry) is DeliveryOutcome.WAITING
    [(again, delay_left)] = delivery.queue.take()
    assert again == retry
    assert 800 < delay_left <= 900
    assert len(delivery.sender.requests) == 1
