"""A real HTTP webhook receiver on loopback, for the tests: it records every request it gets
(when, headers, body) and answers what the test scripts, per request, in order.

An answer is a status code, `HANG` (hold the connection open without answering: the sender's
timeout must cut it off), or a callable given the request number that returns either.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HANG = -1
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
            self.send_response(status)
            for name, value in receiver.extra_headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    return Handler


@contextmanager
def webhook_receiver(answers: list[Answer] | None = None, then: Answer = 200) -> Iterator[Receiver]:
    """A receiver at `http://127.0.0.1:<free port>/`, stopped on exit."""
    receiver = Receiver(url="", answers=list(answers or []), then=then)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/"
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
