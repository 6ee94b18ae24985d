"""The two drivers of the SDK's operations: httpx2's `Client` and `AsyncClient`.

They only do what an operation yields: send a request (`Send`) or wait (`Pause`). The rules
(headers, retries, errors) are `Transport`'s, in `_transport.py`, shared by both. httpx2 is
the Pydantic team's maintained continuation of httpx (docs/decisions, "SDK transport").

Cancelling the task that awaits an `AsyncTransport.run` cancels the request in flight: httpx2
closes its connection (it cannot be reused half-read), and the operation is closed too.
"""

from __future__ import annotations

import ssl
import time
from contextlib import closing
from typing import Any

import anyio
import httpx2

from imagejobs_client._transport import (
    CONNECT_TIMEOUT,
    Done,
    Operation,
    Pause,
    Reply,
    Send,
    SendResult,
    Settings,
    T,
    Transport,
    Unreachable,
    advance,
)

# Worth another attempt: the connection failed or broke, or the answer did not come in time.
_TRANSIENT = (httpx2.NetworkError, httpx2.TimeoutException, httpx2.RemoteProtocolError)


def _trust(settings: Settings) -> ssl.SSLContext:
    """The system's trust store, or a private CA's bundle; never unverified."""
    return ssl.create_default_context(cafile=settings.ca_bundle)


def _timeout(settings: Settings, read: float | None = None) -> httpx2.Timeout:
    """No limit on the wait for a pooled connection: each request in flight ends within its
    own timeout, so one frees up in time."""
    read = settings.timeout if read is None else read
    return httpx2.Timeout(settings.timeout, connect=CONNECT_TIMEOUT, read=read, pool=None)


def _request(send: Send, settings: Settings) -> dict[str, Any]:
    """`Send` as the arguments of httpx2's `request`. A form is encoded by httpx2: its fields
    first, in order, then the file, with a Content-Length (S3's POST takes no chunked body)."""
    arguments: dict[str, Any] = {
        "method": send.method,
        "url": send.url,
        "headers": send.headers,
        "content": send.body,
        "params": send.query,
        "timeout": _timeout(settings, send.read_timeout),
    }
    if send.form is not None:
        file = send.form.file
        arguments["data"] = send.form.fields
        arguments["files"] = {file.name: (file.filename, file.data, file.content_type)}
    return arguments


def _reply(response: httpx2.Response) -> Reply:
    headers = {name.lower(): value for name, value in response.headers.items()}
    return Reply(response.status_code, headers, response.content)


def _unreachable(error: httpx2.TransportError) -> Unreachable:
    return Unreachable(f"{type(error).__name__}: {error}", isinstance(error, _TRANSIENT))


class SyncTransport(Transport):
    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        # trust_env off, as before httpx2: no proxies or certificates taken from the environment.
        self._http = httpx2.Client(
            verify=_trust(settings), trust_env=False, timeout=_timeout(settings)
        )

    def run(self, operation: Operation[T]) -> T:
        with closing(operation):
            outcome: SendResult | None = None
            while not isinstance(step := advance(operation, outcome), Done):
                if isinstance(step, Pause):
                    time.sleep(step.seconds)
                    outcome = None
                else:
                    outcome = self._send(step)
            return step.value

    def _send(self, send: Send) -> SendResult:
        try:
            response = self._http.request(**_request(send, self.settings))
        except httpx2.TransportError as error:
            return _unreachable(error)
        return _reply(response)

    def close(self) -> None:
        self._http.close()


class AsyncTransport(Transport):
    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        # trust_env off, as before httpx2: no proxies or certificates taken from the environment.
        self._http = httpx2.AsyncClient(
            verify=_trust(settings), trust_env=False, timeout=_timeout(settings)
        )

    async def run(self, operation: Operation[T]) -> T:
        with closing(operation):
            outcome: SendResult | None = None
            while not isinstance(step := advance(operation, outcome), Done):
                if isinstance(step, Pause):
                    await anyio.sleep(step.seconds)
                    outcome = None
                else:
                    outcome = await self._send(step)
            return step.value

    async def _send(self, send: Send) -> SendResult:
        try:
            response = await self._http.request(**_request(send, self.settings))
        except httpx2.TransportError as error:
            return _unreachable(error)
        return _reply(response)

    async def close(self) -> None:
        await self._http.aclose()
