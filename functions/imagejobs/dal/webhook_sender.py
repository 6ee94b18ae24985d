"""Sending one webhook over HTTP(S), with the standard library only.

- The host is resolved when the connection opens, and every address it resolves to is checked
  against the target rules (models.webhook_targets); the socket then goes to the first of those
  checked addresses, while the Host header and TLS (which verifies the certificate) keep the
  host's name. So a DNS answer that changes between the check and the connection cannot reach
  inside. This is `_CheckedConnection.connect`: http.client's documented step that opens the
  connection, overridden in a subclass.
- The whole request (resolution, connection, TLS, sending, the status line and headers) gets
  one deadline. A socket timeout bounds each read, not their sum, so a receiver that drips a
  byte at a time would outlast it (urllib3's `Timeout` documents the same limit:
  https://urllib3.readthedocs.io/en/stable/reference/urllib3.util.html#urllib3.util.Timeout),
  and getaddrinfo takes no timeout at all. So the request runs in a thread of its own, and when
  time is up this one shuts its socket down and answers "timed out".
- Redirects are never followed (http.client does not), and the response body is not read.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import NamedTuple
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


class _Refused(Exception):
    """Nothing was sent: `reason` says why, in our words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Target(NamedTuple):
    host: str
    port: int
    https: bool
    path: str  # with the query

    @classmethod
    def of(cls, url: str) -> _Target:
        parts = urlsplit(url)
        https = parts.scheme.lower() == "https"
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return cls(parts.hostname or "", parts.port or (443 if https else 80), https, path)


class _CheckedConnection(http.client.HTTPConnection):
    """A connection in the target host's name to an address of it that the rules admit."""

    def __init__(self, target: _Target, sender: HttpWebhookSender) -> None:
        super().__init__(target.host, target.port, timeout=sender.timeout_seconds)
        self._target = target
        self._sender = sender
        self._socket: socket.socket | None = None

    def connect(self) -> None:
        host, port = self._target.host, self._target.port
        address = self._sender.checked_address(host, port)
        sock = socket.create_connection((address, port), self._sender.timeout_seconds)
        self._socket = sock
        if self._target.https:
            sock = self._sender.tls.wrap_socket(
                sock, server_hostname=host, do_handshake_on_connect=False
            )
            self._socket = sock  # so that the handshake too can be cut off
            sock.do_handshake()
        self.sock = sock

    def post(self, body: bytes, headers: Mapping[str, str]) -> SendResult:
        """POSTs `body` and reads the status line and headers; errors in our words."""
        try:
            self.request("POST", self._target.path, body=body, headers=dict(headers))
            response = self.getresponse()
            retry_after = retry_after_seconds(response.getheader("Retry-After"), datetime.now(UTC))
            return SendResult(status_code=response.status, retry_after_seconds=retry_after)
        except _Refused as refused:
            return SendResult(error=refused.reason)
        except ConnectionRefusedError:
            return SendResult(error="connection refused")
        except TimeoutError:
            return SendResult(error=self._sender.timed_out)
        except ssl.SSLError:
            return SendResult(error="TLS handshake failed")
        except (OSError, http.client.HTTPException) as error:
            return SendResult(error=f"connection failed ({type(error).__name__})")
        finally:
            self.close()

    def cut_off(self) -> None:
        """Unblocks the thread still waiting on this connection, from another one."""
        if self._socket is not None:
            with contextlib.suppress(OSError):
                self._socket.shutdown(socket.SHUT_RDWR)


class HttpWebhookSender:
    def __init__(
        self,
        *,
        allow_private: bool,
        timeout_seconds: float = 10.0,
        resolver: Resolver = resolve,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.allow_private = allow_private
        self.timeout_seconds = timeout_seconds
        self.resolve = resolver
        self.tls = tls or ssl.create_default_context()

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> SendResult:
        connection = _CheckedConnection(_Target.of(url), self)
        answers: list[SendResult] = []
        exchange = threading.Thread(
            target=lambda: answers.append(connection.post(body, headers)),
            name="webhook",
            daemon=True,
        )
        exchange.start()
        exchange.join(self.timeout_seconds)
        if answers:
            return answers[0]
        connection.cut_off()
        return SendResult(error=self.timed_out)

    @property
    def timed_out(self) -> str:
        return f"timed out after {self.timeout_seconds:g} s"

    def checked_address(self, host: str, port: int) -> str:
        """The address to connect to: the first of `host`'s, once every one passed the rules."""
        try:
            addresses = self.resolve(host, port)
        except (OSError, UnicodeError):
            addresses = []
        if not addresses:
            raise _Refused("the host name did not resolve")
        if not self.allow_private:
            for text in addresses:
                address = ip_literal(text.split("%", 1)[0])
                if address is None or is_forbidden_address(address):
                    raise _Refused("the host resolves to a private or reserved address")
        return addresses[0]
