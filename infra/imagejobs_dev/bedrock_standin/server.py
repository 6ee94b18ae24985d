"""The HTTP side: one listening socket that answers as bedrock-runtime (InvokeModel), as the
bedrock control plane (GetFoundationModel), and on /_standin/* as the stand-in's own control
endpoint. `BedrockStandIn` runs it in a thread (`with BedrockStandIn(...) as standin:`);
`python -m imagejobs_dev.bedrock_standin` runs it as a process."""

from __future__ import annotations

import contextlib
import json
import re
import socket
import sys
import threading
import uuid
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

from imagejobs_dev.bedrock_standin.errors import ServiceError
from imagejobs_dev.bedrock_standin.operations import Operations, Reply, error_reply
from imagejobs_dev.bedrock_standin.signing import Verifier
from imagejobs_dev.bedrock_standin.state import ConfigError, State

_INVOKE = re.compile(r"/model/(?P<model>[^/?]+)/invoke")
_FOUNDATION_MODEL = re.compile(r"/foundation-models/(?P<model>[^/?]+)")
DEFAULT_CREDENTIALS = {"test": "test"}  # LocalStack's documented defaults, not secrets


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out or closed an idle keep-alive connection is not an error.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class BedrockStandIn:
    """The stand-in, listening on `address`, a (host, port) (port 0: one the OS picks; see
    `url`)."""

    def __init__(
        self,
        *,
        region: str = "us-east-1",
        credentials: Mapping[str, str] | None = None,
        any_key: bool = False,
        address: tuple[str, int] = ("127.0.0.1", 0),
        start: dict[str, Any] | None = None,
    ) -> None:
        self.state = State(region=region, start=start)
        self.verifier = Verifier(region, dict(credentials or DEFAULT_CREDENTIALS), any_key)
        self.operations = Operations(self.state)
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._server = _Server(address, self._handler_class())
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> BedrockStandIn:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.operations.released.set()  # delayed answers go out now
        self._server.shutdown()
        self._server.server_close()
        with self._lock:
            for connection in self._connections:  # idle keep-alive connections
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    # ---- in-process shortcuts to what /_standin/* offers over HTTP

    def configure(self, document: dict[str, Any]) -> None:
        self.state.configure(document)

    def requests(self) -> dict[str, Any]:
        return self.state.requests()

    # ---- serving

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as botocore's pool expects

            def setup(self) -> None:
                super().setup()
                with standin._lock:
                    standin._connections.add(self.connection)

            def do_GET(self) -> None:
                standin._serve(self)

            def do_POST(self) -> None:
                standin._serve(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length)
        headers = {name.lower(): value for name, value in handler.headers.items()}
        path = handler.path
        try:
            if path.startswith("/_standin/"):
                reply = self._control(handler.command, path, raw)
            else:
                reply = self._bedrock(handler.command, path, headers, raw)
        except ConnectionError:
            return
        self._send(handler, reply)

    def _bedrock(self, method: str, path: str, headers: dict[str, str], raw: bytes) -> Reply:
        invoke = _INVOKE.fullmatch(path) if method == "POST" else None
        describe = _FOUNDATION_MODEL.fullmatch(path) if method == "GET" else None
        if invoke is None and describe is None:
            return error_reply(ServiceError("UnknownOperationException", "Unknown operation."))
        if (rejection := self.verifier.check(method, path, headers, raw)) is not None:
            return error_reply(rejection)
        if invoke is not None:
            return self.operations.invoke(unquote(invoke["model"]), headers, raw)
        assert describe is not None
        return self.operations.get_foundation_model(unquote(describe["model"]))

    def _control(self, method: str, path: str, raw: bytes) -> Reply:
        route = (method, path.split("?", 1)[0])
        if route == ("GET", "/_standin/health"):
            return Reply(200, {"status": "ok", "region": self.state.region})
        if route == ("GET", "/_standin/config"):
            return Reply(200, self.state.describe())
        if route == ("GET", "/_standin/requests"):
            return Reply(200, self.state.requests())
        if route == ("POST", "/_standin/reset"):
            self.state.reset()
            return Reply(200, self.state.describe())
        if route == ("POST", "/_standin/config"):
            try:
                self.state.configure(json.loads(raw or b"{}"))
            except (ConfigError, ValueError) as error:
                return Reply(400, {"message": str(error)})
            return Reply(200, self.state.describe())
        return Reply(404, {"message": f"no {method} {path} here; see the module docstring"})

    def _send(self, handler: BaseHTTPRequestHandler, reply: Reply) -> None:
        payload = json.dumps(reply.document).encode()
        handler.send_response(reply.status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(payload)))
        handler.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        for name, value in reply.headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        with contextlib.suppress(ConnectionError):
            handler.wfile.write(payload)


def wait_until_stopped(standin: BedrockStandIn, stop: threading.Event) -> None:
    """Serves until `stop` is set (the process entry point sets it on SIGTERM/SIGINT)."""
    standin.start()
    while not stop.is_set():
        stop.wait(0.5)
    standin.stop()
