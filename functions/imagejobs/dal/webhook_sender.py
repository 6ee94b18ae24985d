"""Sending one webhook over HTTP(S), with the standard library only.

- The host is resolved here and every address it resolves to is checked against the target
  rules (models.webhook_targets), then the connection goes to that checked address (TLS still
  verifies the certificate for the host name), so a DNS answer that changes between the check
  and the connection cannot reach inside.
- The whole request (resolution, connection, TLS, sending, the status line and headers) gets
  one deadline: it runs in a thread that is cut off, its socket shut down, when time is up.
- Redirects are never followed (http.client does not), and the response body is not read.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from imagejobs.models.webhook_targets import ip_literal, is_forbidden_address
from imagejobs.models.webhooks import SendResult

Resolver = Callable[[str, int], list[str]]


def resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Retry-After as seconds: a number of seconds or an HTTP date; None when unusable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - now).total_seconds())


class HttpWebhookSender:
    def __init__(
        self,
        *,
        allow_private: bool,
        timeout_seconds: float = 10.0,
        resolver: Resolver = resolve,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self._allow_private = allow_private
        self._timeout = timeout_seconds
        self._resolve = resolver
        self._tls = tls or ssl.create_default_context()
        # Threads are reused across invocations; one per concurrent request is enough.
        self._threads = ThreadPoolExecutor(max_workers=4, thread_name_prefix="webhook")

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> SendResult:
        connection: dict[str, http.client.HTTPConnection] = {}
        future = self._threads.submit(self._post, url, body, headers, connection)
        try:
            return future.result(timeout=self._timeout)
        except FutureTimeout:
            _cut_off(connection.get("it"))
            return SendResult(error=f"timed out after {self._timeout:g} s")

    def _post(
        self,
        url: str,
        body: bytes,
        headers: Mapping[str, str],
        connection: dict[str, http.client.HTTPConnection],
    ) -> SendResult:
        parts = urlsplit(url)
        host = parts.hostname or ""
        https = parts.scheme.lower() == "https"
        port = parts.port or (443 if https else 80)
        try:
            addresses = self._resolve(host, port)
        except (OSError, UnicodeError):
            return SendResult(error="the host name did not resolve")
        if not addresses:
            return SendResult(error="the host name did not resolve")
        if not self._allow_private:
            for text in addresses:
                address = ip_literal(text.split("%", 1)[0])
                if address is None or is_forbidden_address(address):
                    return SendResult(error="the host resolves to a private or reserved address")
        target = addresses[0]

        def connect_to_checked_address(
            _address: tuple[str, int],
            timeout: float | None = None,
            source_address: tuple[str, int] | None = None,
        ) -> socket.socket:
            return socket.create_connection((target, port), timeout, source_address)

        conn: http.client.HTTPConnection
        if https:
            conn = http.client.HTTPSConnection(host, port, timeout=self._timeout, context=self._tls)
        else:
            conn = http.client.HTTPConnection(host, port, timeout=self._timeout)
        conn._create_connection = connect_to_checked_address  # type: ignore[attr-defined]
        connection["it"] = conn
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        try:
            conn.request("POST", path, body=body, headers=dict(headers))
            response = conn.getresponse()
            status = response.status
            retry_after = retry_after_seconds(response.getheader("Retry-After"), datetime.now(UTC))
        except ConnectionRefusedError:
            return SendResult(error="connection refused")
        except TimeoutError:
            return SendResult(error=f"timed out after {self._timeout:g} s")
        except ssl.SSLError:
            return SendResult(error="TLS handshake failed")
        except (OSError, http.client.HTTPException) as error:
            return SendResult(error=f"connection failed ({type(error).__name__})")
        finally:
            conn.close()
        return SendResult(status_code=status, retry_after_seconds=retry_after)


def _cut_off(conn: http.client.HTTPConnection | None) -> None:
    """Unblocks the thread still waiting on `conn`, from this one."""
    sock = getattr(conn, "sock", None) if conn is not None else None
    if sock is None:
        return
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    threading.Thread(target=sock.close, daemon=True).start()
