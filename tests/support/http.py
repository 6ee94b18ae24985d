"""A tiny HTTP client for tests: real requests, no retries, every status returned."""

from __future__ import annotations

import json
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def call(  # noqa: PLR0913 - an HTTP request's parts, as urllib takes them
    method: str,
    url: str,
    body: bytes | str | dict[str, Any] | None = None,
    content_type: str | None = "application/json",
    context: ssl.SSLContext | None = None,
    timeout: float = 30,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    if isinstance(data, str):
        data = data.encode()
    sent = {**({"Content-Type": content_type} if content_type else {}), **(headers or {})}
    request = urllib.request.Request(url, data=data, method=method, headers=sent)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as response:  # noqa: S310
            return HttpResponse(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as error:
        return HttpResponse(error.code, dict(error.headers), error.read())


def poll[T](
    probe: Callable[[], T],
    done: Callable[[T], bool],
    timeout: float,
    what: str,
    interval: float = 0.25,
) -> T:
    """Calls `probe` until `done` says so, or fails after `timeout` seconds with the last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}: {value!r}")
        time.sleep(interval)
