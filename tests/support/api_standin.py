"""A scripted local HTTP stand-in for the API, for the SDK's and the CLI's unit tests.

Each request is recorded (method, path, headers, body) and answered by the next scripted
answer for its route, the last one repeating; `DROP` closes the connection unanswered, as a
lost answer does. Jobs are the service's own `JobView`, so the bodies have the real shape.
It counts the connections clients hold open, and a delayed answer (a long poll) notices a
client that hangs up before it is sent.
"""

from __future__ import annotations

import json
import select
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.config import Config

from imagejobs.dal.image_store import S3ImageStore
from imagejobs.engines.catalogue import CATALOGUE
from imagejobs.logic.models import list_models
from imagejobs.logic.uploads import create_upload
from imagejobs.models.api import UploadView, job_view
from imagejobs.models.domain import GeneratedImage, JobError, JobStatus
from imagejobs.models.lifecycle import ModelLifecycle
from imagejobs.settings import ModelSettings
from tests.support.in_memory import InMemoryModelLifecycles
from tests.support.jobs import make_job

JOB_ID = "3f1c9a5e-7b2d-4e8f-9a61-2c5d8e0b7f14"
DROP = "drop"
# Where the stand-in takes presigned POSTs, as S3 would (path-style: /<bucket>).
BUCKET = "images"
UPLOADS = "POST /v1/uploads"
S3_POST = f"POST /{BUCKET}"


@dataclass(frozen=True)
class Scripted:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    # A slow server: seconds before the answer (e.g. a long poll).
    delay: float = 0.0


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    # The JSON body, parsed; None for any other.
    body: Any
    raw: bytes = b""

    def form(self) -> list[tuple[str, str | None, str | None, bytes]]:
        """A multipart/form-data body's parts in order: (name, filename, content type,
        value), read with the standard library's MIME parser."""
        envelope = f"Content-Type: {self.headers['content-type']}\r\n\r\n".encode()
        message = message_from_bytes(envelope + self.raw)
        assert message.is_multipart(), self.headers["content-type"]
        return [_part(part) for part in message.get_payload()]  # type: ignore[union-attr]


def _part(part: Message) -> tuple[str, str | None, str | None, bytes]:
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    kind = part.get("Content-Type")
    return part.get_param("name", header="content-disposition"), part.get_filename(), kind, payload  # type: ignore[return-value]


@dataclass
class StandIn:
    url: str = ""
    routes: dict[str, list[Scripted | str]] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    # Connections open now, and requests whose client hung up while the answer was delayed.
    open_connections: int = 0
    abandoned: list[Received] = field(default_factory=list)

    def script(self, route: str, *answers: Scripted | str) -> None:
        """`route` is "METHOD /path" (without the query)."""
        self.routes[route] = list(answers)

    def to(self, route: str) -> list[Received]:
        method, path = route.split(" ", 1)
        return [r for r in self.received if (r.method, r.path) == (method, path)]

    def _next(self, route: str) -> Scripted | str:
        answers = self.routes.get(route)
        if not answers:
            return Scripted(404, {"error": "not_found", "message": "No such resource"})
        return answers.pop(0) if len(answers) > 1 else answers[0]


def api_error(status: int, code: str, field: str | None = None, **headers: str) -> Scripted:
    """An error answer in the API's shape; with `field`, a validation error naming it."""
    detail = [{"loc": ["body", field], "field": field, "msg": "bad", "type": "value_error"}]
    body = {"error": code, "message": f"{code} happened", "detail": detail if field else []}
    return Scripted(status, body, headers)


def job_body(
    status: str = "queued", job_id: str = JOB_ID, image_url: str | None = None, **changes: Any
) -> dict[str, Any]:
    """A job as the API shows it; a succeeded one has one image at `image_url`."""
    state = JobStatus(status)
    fields: dict[str, Any] = dict(changes)
    urls: dict[str, str] = {}
    if state is JobStatus.SUCCEEDED:
        key = f"images/{job_id}/0.png"
        fields["images"] = (GeneratedImage(key=key, width=64, height=64, format="png", seed=1),)
        urls[key] = image_url or "http://images.invalid/0.png"
    if state is JobStatus.FAILED:
        fields["error"] = JobError(type="render_failed", message="the engine refused")
    job = make_job(job_id, "tenant", state, changes=fields)
    return job_view(job, urls, now=job.updated_at).model_dump(mode="json")


def two_pages_of_jobs(standin: StandIn) -> list[str]:
    """Scripts `GET /jobs` as two pages, two jobs and then one behind cursor c2; their ids."""
    ids = [str(uuid.uuid4()) for _ in range(3)]
    standin.script(
        "GET /v1/jobs",
        Scripted(200, {"jobs": [job_body(job_id=i) for i in ids[:2]], "next_cursor": "c2"}),
        Scripted(200, {"jobs": [job_body(job_id=ids[2])], "next_cursor": None}),
    )
    return ids


def assert_listed_succeeded_two_a_page(standin: StandIn) -> None:
    """The two `GET /jobs` of two_pages_of_jobs asked for succeeded jobs, two a page, and the
    second with the first's cursor."""
    first, second = standin.to("GET /v1/jobs")
    assert "status=succeeded" in first.query
    assert "limit=2" in first.query
    assert "cursor=c2" in second.query


def models_body(*lifecycles: ModelLifecycle, default: str = "pillow") -> dict[str, Any]:
    """`GET /models` as a deployment offering every model of the catalogue answers it (the
    service's own answer), with the lifecycles given."""
    settings = ModelSettings.model_validate(
        {"MODELS": ",".join(CATALOGUE), "DEFAULT_MODEL": default}
    )
    known = InMemoryModelLifecycles({lifecycle.model_id: lifecycle for lifecycle in lifecycles})
    return list_models(settings, known).model_dump(mode="json")


def upload_body(standin: StandIn, max_bytes: int = 20 * 1024 * 1024) -> dict[str, Any]:
    """`POST /uploads` as the service answers it: a real presigned POST (the service's own
    signer, boto3's), made for the stand-in's address, so the file comes back to it."""
    origin = standin.url.split("/v1/")[0]
    client = boto3.client(
        "s3",
        endpoint_url=origin,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # a signature nothing checks
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )
    upload = create_upload(
        "owner", signer=S3ImageStore(BUCKET, client), max_bytes=max_bytes, now=datetime.now(UTC)
    )
    return UploadView.model_validate(upload, from_attributes=True).model_dump(mode="json")


def take_uploads(standin: StandIn, max_bytes: int = 20 * 1024 * 1024) -> dict[str, Any]:
    """Scripts `POST /uploads` with the service's answer (`upload_body`) and S3's 204 for the
    file; returns the answer."""
    offered = upload_body(standin, max_bytes)
    standin.script(UPLOADS, Scripted(201, offered))
    standin.script(S3_POST, Scripted(204, raw=b""))
    return offered


def _hung_up_within(connection: socket.socket, seconds: float) -> bool:
    """Waits `seconds` for the answer's time, or until the client closes the connection."""
    readable, _, _ = select.select([connection], [], [], seconds)
    try:
        return bool(readable) and connection.recv(1, socket.MSG_PEEK) == b""
    except OSError:  # reset by the client
        return True


def _send(handler: BaseHTTPRequestHandler, answer: Scripted) -> None:
    payload = answer.raw if answer.raw is not None else json.dumps(answer.body).encode()
    try:
        handler.send_response(answer.status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(payload)))
        for name, value in answer.headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(payload)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the client gave up first (its timeout): what a slow server sees


@contextmanager
def running_standin() -> Iterator[StandIn]:
    standin = StandIn()

    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            with lock:
                standin.open_connections += 1

        def finish(self) -> None:
            with lock:
                standin.open_connections -= 1
            super().finish()

        def do_GET(self) -> None:
            self._handle()

        def do_POST(self) -> None:
            self._handle()

        def _handle(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            data = self.rfile.read(length) if length else b""
            headers = {name.lower(): value for name, value in self.headers.items()}
            is_json = headers.get("content-type", "").startswith("application/json")
            body = json.loads(data) if data and is_json else None
            received = Received(self.command, parts.path, parts.query, headers, body, data)
            standin.received.append(received)
            answer = standin._next(f"{self.command} {parts.path}")
            if answer == DROP:
                self.close_connection = True
                self.connection.shutdown(2)
                return
            assert isinstance(answer, Scripted)
            if answer.delay and _hung_up_within(self.connection, answer.delay):
                standin.abandoned.append(received)
                self.close_connection = True
                return
            _send(self, answer)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 128  # clients that open many connections at once

    server = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    standin.url = f"http://127.0.0.1:{server.server_port}/v1/"
    try:
        yield standin
    finally:
        server.shutdown()
        server.server_close()
