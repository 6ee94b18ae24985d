"""The SDK's `imagejobs_client.webhooks.verify`, against what the service's signer produces.

The module is loaded from its file: it is meant to be dropped into the SDK and needs nothing of
it (clients/python/src/imagejobs_client/webhooks.py)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from types import ModuleType

import pytest

from imagejobs.clock import utc_now
from imagejobs.logic.webhooks.delivery import signature_headers
from imagejobs.logic.webhooks.secrets import new_secret
from tests.support.modules import load_module

MODULE = Path(__file__).resolve().parents[2] / "clients/python/src/imagejobs_client/webhooks.py"


@pytest.fixture(scope="module")
def sdk() -> ModuleType:
    return load_module("imagejobs_client_webhooks", MODULE)


BODY = '{"type":"job.completed","timestamp":"2026-12-01T00:00:00Z","data":{"job_id":"x"}}'


def test_a_signed_webhook_verifies_and_comes_back_parsed(sdk: ModuleType) -> None:
    # Given a body the service signed, with headers as a web framework hands them (any case)
    secret = new_secret()
    headers = {
        k.title(): v for k, v in signature_headers("msg_1", utc_now(), BODY, [secret]).items()
    }

    # Then verify returns the parsed body, from bytes or text
    assert sdk.verify(headers, BODY.encode(), secret)["data"] == {"job_id": "x"}
    assert sdk.verify(headers, BODY, secret)["type"] == "job.completed"


def test_a_tampered_body_a_wrong_secret_or_an_old_timestamp_is_refused(sdk: ModuleType) -> None:
    secret = new_secret()
    headers = signature_headers("msg_1", utc_now(), BODY, [secret])
    with pytest.raises(sdk.WebhookVerificationError):
        sdk.verify(headers, BODY.replace("x", "y"), secret)
    with pytest.raises(sdk.WebhookVerificationError):
        sdk.verify(headers, BODY, new_secret())
    old = signature_headers("msg_1", utc_now() - timedelta(minutes=6), BODY, [secret])
    with pytest.raises(sdk.WebhookVerificationError):
        sdk.verify(old, BODY, secret)
    with pytest.raises(sdk.WebhookVerificationError):
        sdk.verify({}, BODY, secret)


def test_during_a_rotation_either_secret_verifies_and_a_receiver_may_hold_both(
    sdk: ModuleType,
) -> None:
    # Given a delivery signed with the new and the old secret
    old, new = new_secret(), new_secret()
    headers = signature_headers("msg_1", utc_now(), BODY, [new, old])

    # Then a receiver with either one, or with both, accepts it; one with neither does not
    for held in (old, new, [new, old], [new_secret(), old]):
        assert sdk.verify(headers, BODY, held)["type"] == "job.completed"
    with pytest.raises(sdk.WebhookVerificationError):
        sdk.verify(headers, BODY, [new_secret()])
