"""The SDK's HTTP rules, written once for `Client` and `AsyncClient`, without I/O of their own.

An operation (`_jobs.py`) is a generator. It yields what it needs done: a `Send` (one HTTP
exchange) or a `Pause`; a driver (`_http.py`: httpx2's sync or async client) does it and sends
back the `Reply` or, if the API could not be reached, an `Unreachable`. Everything else (the
request's headers, the retries and their backoff, `Retry-After`, `Prefer: wait`, the typed
errors) happens here, in plain Python, so the two clients cannot behave differently.

Retries: connection and read errors (timeouts included) and the answers 429 and 503, up to
`max_retries` times, the first at once and then after `backoff_factor` * 2^n s (with jitter), or
after the `Retry-After` the API sent, never longer than `backoff_max`. Every request the SDK
sends is safe to repeat: reads, a create (it always carries an Idempotency-Key) and a cancel
(the job ends canceled either way).
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Generator
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Generic, TypedDict, TypeVar, cast

from imagejobs_client.errors import ConnectionFailed, error_for

if TYPE_CHECKING:
    from imagejobs_client.models import Job

RETRIED_STATUSES = frozenset({429, 503})
# `Prefer: wait=N` takes 1 to 25 s: API Gateway ends any request at 29 s.
MAX_SERVER_WAIT = 25
# A waiting request's read timeout: the wait, plus the time to start, work and answer.
ANSWER_MARGIN = 15.0
CONNECT_TIMEOUT = 10.0


class ClientOptions(TypedDict, total=False):
    """The keyword arguments of `Client(...)` and `AsyncClient(...)`; see `Settings`."""

    ca_bundle: str | None
    timeout: float
    max_retries: int
    backoff_factor: float
    backoff_max: float


@dataclass(frozen=True)
class Settings:
    """How a client reaches the API. `ca_bundle` trusts a private CA (LocalStack's
    certificate); verification is never off. `timeout` bounds each request, except that a
    long poll may take its wait plus a margin."""

    api_url: str
    api_key: str | None = None
    ca_bundle: str | None = None
    timeout: float = 30.0
    max_retries: int = 4
    backoff_factor: float = 0.5
    backoff_max: float = 20.0
    user_agent: str = "imagejobs-client"

    def pause_before_retry(self, failures: int, retry_after: float | None) -> float:
        """Seconds to wait before the next attempt, after `failures` failed ones in a row.

        The schedule urllib3's `Retry` follows (the SDK's transport before httpx2), so that
        moving to httpx2 changed nothing a caller sees."""
        if retry_after:  # a Retry-After of 0 means "no opinion": the backoff applies
            return min(retry_after, self.backoff_max)
        if failures <= 1:
            return 0.0
        jitter = random.random() * self.backoff_factor / 2  # noqa: S311 (spreads retries, no secret)
        return min(self.backoff_max, self.backoff_factor * 2.0 ** (failures - 1) + jitter)


@dataclass(frozen=True)
class FormFile:
    """A file sent as the last part of a multipart/form-data body."""

    name: str
    filename: str
    data: bytes
    content_type: str


@dataclass(frozen=True)
class Form:
    """A multipart/form-data body: the fields in order, then the file (as S3's POST wants)."""

    fields: dict[str, str]
    file: FormFile


@dataclass(frozen=True)
class Send:
    """One HTTP exchange for the driver to perform: a `body`, or a `form` to encode."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None = None
    query: dict[str, str] | None = None
    read_timeout: float = 30.0
    form: Form | None = None


@dataclass(frozen=True)
class Pause:
    seconds: float


@dataclass(frozen=True)
class Reply:
    """What came back: the status, the headers (names in lower case) and the body."""

    status: int
    headers: dict[str, str]
    content: bytes


@dataclass(frozen=True)
class Unreachable:
    """No answer: the connection failed, was closed, or timed out. `retryable` is False for a
    failure that another attempt cannot mend (e.g. a URL scheme the client cannot speak)."""

    reason: str
    retryable: bool = True


@dataclass(frozen=True)
class Answer:
    """A successful answer of the API: its status, headers and parsed JSON body."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    payload: Any = None


SendResult = Reply | Unreachable
Step = Send | Pause
T = TypeVar("T")
# What a driver runs: yields steps, is sent each `Send`'s result (None after a Pause).
Operation = Generator[Step, SendResult | None, T]


@dataclass(frozen=True)
class Done(Generic[T]):
    """An operation's result."""

    value: T


def advance(operation: Operation[T], outcome: SendResult | None) -> Step | Done[T]:
    """The operation's next step, given the outcome of its last; or `Done` with its result."""
    try:
        return operation.send(outcome)
    except StopIteration as done:
        return Done(cast(T, done.value))


class Transport:
    """The rules every request follows; `SyncTransport` and `AsyncTransport` add the I/O."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.base_url = settings.api_url.rstrip("/") + "/"

    # An HTTP request's parts, as every endpoint module names them; all but the first two are
    # keyword-only.
    def call(  # noqa: PLR0913
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        query: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        wait: float | None = None,
    ) -> Operation[Answer]:
        """One API call, retried by the rules; the answer, or the typed error. With `wait`
        (seconds) it asks the API to hold the answer until the resource has settled
        (`Prefer: wait`, 1 to 25 s) and gives the read that much longer."""
        sent = {"Accept": "application/json", "User-Agent": self.settings.user_agent}
        sent |= headers or {}
        read_timeout = self.settings.timeout
        if wait is not None:
            seconds = server_wait(wait)
            sent["Prefer"] = f"wait={seconds}"
            read_timeout = max(read_timeout, seconds + ANSWER_MARGIN)
        if self.settings.api_key:
            sent["x-api-key"] = self.settings.api_key
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        url = self.base_url + path.lstrip("/")
        reply = yield from self._exchange(Send(method, url, sent, data, query, read_timeout))
        payload = _json(reply.content)
        if reply.status >= 400:
            raise error_for(reply.status, payload, parse_retry_after(reply.headers))
        return Answer(reply.status, reply.headers, payload)

    def download(self, url: str) -> Operation[bytes]:
        """GETs a presigned URL. The API key is never sent to where the images live."""
        headers = {"User-Agent": self.settings.user_agent}
        reply = yield from self._exchange(
            Send("GET", url, headers, None, None, self.settings.timeout)
        )
        if reply.status >= 400:
            raise error_for(reply.status, None, None)
        return reply.content

    def post_form(self, url: str, form: Form) -> Operation[Reply]:
        """POSTs a multipart form (a presigned S3 POST); the API key is never sent there. The
        answer, whatever its status: the caller reads the error its way."""
        headers = {"User-Agent": self.settings.user_agent}
        return (
            yield from self._exchange(
                Send("POST", url, headers, None, None, self.settings.timeout, form)
            )
        )

    def attach(self, job: Job) -> Job:
        """The job, its images able to download themselves through this transport."""
        for image in job.images:
            image._transport = self
        return job

    def _exchange(self, send: Send) -> Generator[Step, SendResult | None, Reply]:
        failures = 0
        while True:
            outcome = yield send
            assert outcome is not None, "a driver answers every Send"
            if isinstance(outcome, Reply) and outcome.status not in RETRIED_STATUSES:
                return outcome
            failures += 1
            if isinstance(outcome, Unreachable) and (
                not outcome.retryable or failures > self.settings.max_retries
            ):
                raise ConnectionFailed(f"{send.method} {send.url.split('?')[0]}: {outcome.reason}")
            if failures > self.settings.max_retries:
                assert isinstance(outcome, Reply)
                return outcome  # the last answer, which `call` makes a typed error
            retry_after = parse_retry_after(outcome.headers) if isinstance(outcome, Reply) else None
            yield Pause(self.settings.pause_before_retry(failures, retry_after))


def server_wait(seconds: float) -> int:
    """What `Prefer: wait` can ask for: whole seconds, 1 to 25."""
    return max(1, min(MAX_SERVER_WAIT, math.floor(seconds)))


def parse_retry_after(headers: dict[str, str]) -> float | None:
    """`Retry-After` in seconds: a number of seconds or an HTTP date (RFC 9110, 10.2.3)."""
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


def _json(data: bytes) -> Any:
    try:
        return json.loads(data) if data else None
    except ValueError:
        return None
