"""A real HTTP webhook receiver on loopback, for the tests: it records every request it gets
(when, headers, body) and answers what the test scripts, per request, in order.

An answer is a status code, `HANG` (hold the connection open without answering: the sender's
timeout must cut it off), `DRIP` (a 200 whose status line and headers come a byte at a time,
for far longer than any timeout: no single read waits long, the whole must still be cut off),
or a callable given the request number that returns one of those. With `tls`, the receiver
answers HTTPS.
"""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HANG = -1
DRIP = -2
DRIP_PAUSE_SECONDS = 0.05
Answer = int | Callable[[int], int]


@dataclass(frozen=True)
class Received:
    at: float  # time.monotonic()
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    answers: list[Answer] = field(default_factory=list)
    # Answer when the script has run out.
    then: Answer = 200
    extra_headers: dict[str, str] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop_hanging: threading.Event = field(default_factory=threading.Event)

    def answer_for(self, number: int) -> int:
        answer = self.answers[number] if number < len(self.answers) else self.then
        return answer(number) if callable(answer) else answer

    def for_path(self, path: str) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.path == path]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            with receiver.lock:
                number = len(receiver.received)
                receiver.received.append(
                    Received(time.monotonic(), self.path, dict(self.headers.items()), body)
                )
            status = receiver.answer_for(number)
            if status == HANG:
                receiver.stop_hanging.wait(30)
                return
            if status == DRIP:
                self._drip(b"HTTP/1.1 200 OK\r\nX-Drip: " + b"." * 600 + b"\r\n\r\n")
                return
            self.send_response(status)
            for name, value in receiver.extra_headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _drip(self, answer: bytes) -> None:
            for byte in answer:
                if receiver.stop_hanging.wait(DRIP_PAUSE_SECONDS):
                    return
                try:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                except OSError:  # the sender cut it off
                    return

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    return Handler


@contextmanager
def webhook_receiver(
    answers: list[Answer] | None = None, then: Answer = 200, tls: ssl.SSLContext | None = None
) -> Iterator[Receiver]:
    """A receiver at `http://127.0.0.1:<free port>/` (`https` with `tls`), stopped on exit."""
    receiver = Receiver(url="", answers=list(answers or []), then=then)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    server.daemon_threads = True
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    scheme = "https" if tls is not None else "http"
    receiver.url = f"{scheme}://127.0.0.1:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.stop_hanging.set()
        server.shutdown()
        server.server_close()


def free_port_nobody_listens_on() -> int:
    """A loopback port that refuses connections (bound, then released)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
