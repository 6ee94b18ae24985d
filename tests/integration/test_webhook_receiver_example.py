"""The webhook receiver example in docs/webhooks.md, run as written against deliveries the
service signs.

The example is read from the page (the one Python block that calls `verify`), so an edit
that breaks it fails here; only its secret and its last line (`serve_forever` on port 8000)
are swapped for a test secret and a server on a free loopback port."""

from __future__ import annotations

import json
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import HTTPServer
from pathlib import Path
from typing import Any

import pytest

from imagejobs.clock import utc_now
from imagejobs.logic.webhooks.delivery import signature_headers
from imagejobs.logic.webhooks.secrets import new_secret

WEBHOOKS_PAGE = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"
SERVE_LINE = 'HTTPServer(("", 8000), Hook).serve_forever()'


def example_receiver() -> str:
    blocks = re.findall(r"```python\n(.*?)```", WEBHOOKS_PAGE.read_text(encoding="utf-8"), re.S)
    (example,) = [block for block in blocks if "verify(self.headers" in block]
    assert SERVE_LINE in example, "the example's last line changed: update this test's swap"
    return example


@pytest.fixture
def receiver() -> Iterator[tuple[str, str]]:
    """The example's handler on a free port: (its URL, its secret)."""
    secret = new_secret()
    source = example_receiver().replace('"whsec_..."', repr(secret)).replace(SERVE_LINE, "")
    namespace: dict[str, Any] = {}
    exec(compile(source, str(WEBHOOKS_PAGE), "exec"), namespace)  # noqa: S102 - our own docs
    server = HTTPServer(("127.0.0.1", 0), namespace["Hook"])
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", secret
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def post(url: str, body: str, headers: dict[str, str]) -> int:
    # The receiver listens on loopback, over http (S310: a URL of this test's own).
    request = urllib.request.Request(url, body.encode(), headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as refused:
        return refused.code


BODY = json.dumps(
    {
        "type": "job.completed",
        "timestamp": "2026-12-01T00:00:00Z",
        "data": {"job_id": "j1", "status": "succeeded"},
    }
)


def test_the_example_receiver_handles_a_signed_event_once_and_refuses_a_forged_one(
    receiver: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the documented receiver and an event signed as the delivery function signs it
    url, secret = receiver
    signed = signature_headers("msg_1", utc_now(), BODY, [secret])
    forged = signature_headers("msg_2", utc_now(), BODY, [new_secret()])

    # When the event arrives twice (a retry) and a forged one once
    statuses = [post(url, BODY, signed), post(url, BODY, signed), post(url, BODY, forged)]

    # Then both copies are acknowledged, the forgery refused, and the event handled once
    assert statuses == [204, 204, 400]
    printed = [line for line in capsys.readouterr().out.splitlines() if line]
    assert printed == ["job.completed j1 succeeded"]
