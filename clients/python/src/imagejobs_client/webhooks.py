"""Verifying the service's webhooks (Standard Webhooks signatures), for receivers.

    from imagejobs_client.webhooks import verify, WebhookVerificationError

    event = verify(request.headers, request.body, secret)   # the parsed body, or raises
    if event["type"] == "job.completed": ...

`secret` is the tenant's `whsec_...` from `GET /webhooks/secret`; while switching after a
rotation, pass both the new and the old one. Verification is the `standardwebhooks` package's
own: the signature over `{webhook-id}.{webhook-timestamp}.{body}`, and a timestamp within five
minutes of now (so a captured request cannot be replayed later). Use the raw body as received,
before any JSON parsing. Drop duplicates by `headers["webhook-id"]`: a retry carries the same id.

Self-contained (it needs only `standardwebhooks`), so it can be used without the rest of the SDK.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError

__all__ = ["WebhookVerificationError", "verify"]


def verify(headers: Mapping[str, str], body: bytes | str, secret: str | Iterable[str]) -> Any:
    """The webhook's parsed JSON body if its signature verifies for `secret` (or for any one
    of several secrets); raises `WebhookVerificationError` otherwise, or when headers are
    missing or its timestamp is too old or too new."""
    secrets = [secret] if isinstance(secret, str) else list(secret)
    if not secrets:
        raise ValueError("give at least one secret")
    plain = {str(name).lower(): str(value) for name, value in headers.items()}
    error: WebhookVerificationError | None = None
    for candidate in secrets:
        try:
            return Webhook(candidate).verify(body, plain)
        except WebhookVerificationError as refused:
            error = refused
    assert error is not None
    raise error
