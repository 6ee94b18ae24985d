"""HTTP for the SDK: one urllib3 pool, JSON in and out, retries, and errors made typed.

Retries (urllib3's `Retry`): connection errors, read errors and answers 429 and 503, with
exponential backoff, and the `Retry-After` the API sends honoured (capped at `backoff_max`, so
no retry waits unbounded). Every request the SDK sends is safe to repeat: reads, a create
(it always carries an Idempotency-Key) and a cancel (the job ends canceled either way).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import urllib3
from urllib3.exceptions import HTTPError
from urllib3.util.retry import Retry

from imagejobs_client.errors import ConnectionFailed, error_for

RETRIED_STATUSES = frozenset({429, 503})


class _Retry(Retry):
    def get_retry_after(self, response: urllib3.BaseHTTPResponse) -> float | None:
        retry_after = super().get_retry_after(response)
        return None if retry_after is None else min(retry_after, self.backoff_max)


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    payload: Any


class Transport:
    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        *,
        timeout: float,
        max_retries: int,
        backoff_factor: float,
        backoff_max: float,
        ca_bundle: str | None = None,
        user_agent: str = "imagejobs-client",
    ) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self._api_key = api_key
        self._timeout = timeout
        self._user_agent = user_agent
        self.retry = _Retry(
            total=max_retries,
            connect=max_retries,
            read=max_retries,
            status=max_retries,
            other=0,
            allowed_methods=frozenset({"GET", "POST"}),
            status_forcelist=RETRIED_STATUSES,
            backoff_factor=backoff_factor,
            backoff_max=backoff_max,
            backoff_jitter=backoff_factor / 2,
            respect_retry_after_header=True,
            raise_on_status=False,  # the last answer is returned, and becomes a typed error
            raise_on_redirect=False,
        )
        self._pool = urllib3.PoolManager(ca_certs=ca_bundle, retries=self.retry)

    def request(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        query: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        read_timeout: float | None = None,
    ) -> Answer:
        sent = {"Accept": "application/json", "User-Agent": self._user_agent, **(headers or {})}
        if self._api_key:
            sent["x-api-key"] = self._api_key
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        response = self._send(
            method,
            self.base_url + path.lstrip("/"),
            body=data,
            fields=query,
            headers=sent,
            # A waiting request may take longer than the client's timeout, never less.
            timeout=urllib3.Timeout(connect=10, read=max(read_timeout or 0, self._timeout)),
        )
        payload = _json(response.data)
        answer_headers = {name.lower(): value for name, value in response.headers.items()}
        if response.status >= 400:
            retry_after = answer_headers.get("retry-after")
            seconds = self.retry.parse_retry_after(retry_after) if retry_after else None
            raise error_for(response.status, payload, seconds)
        return Answer(response.status, answer_headers, payload)

    def download(self, url: str) -> bytes:
        """GETs a presigned URL. The API key is never sent to where the images live."""
        response = self._send(
            "GET", url, headers={"User-Agent": self._user_agent}, timeout=self._timeout
        )
        if response.status >= 400:
            raise error_for(response.status, None, None)
        return response.data

    def _send(self, method: str, url: str, **options: Any) -> urllib3.BaseHTTPResponse:
        try:
            return self._pool.request(method, url, **options)
        except HTTPError as error:
            raise ConnectionFailed(f"{method} {url.split('?')[0]}: {error}") from error

    def close(self) -> None:
        self._pool.clear()


def _json(data: bytes) -> Any:
    try:
        return json.loads(data) if data else None
    except ValueError:
        return None
