"""`Client(api_url, api_key)` and its `jobs`."""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from imagejobs_client._http import Answer, Transport
from imagejobs_client.errors import Conflict, WaitTimeout
from imagejobs_client.models import (
    ImageFormat,
    Job,
    JobList,
    JobRequest,
    JobStatus,
    Style,
    WebhookEvent,
)

# `Prefer: wait=N` takes 1 to 25 s: API Gateway ends any request at 29 s.
MAX_SERVER_WAIT = 25
# A waiting request's read timeout: the wait, plus the time to start, work and answer.
ANSWER_MARGIN = 15.0
# How many times a create retries while the API still processes the same Idempotency-Key.
IN_PROGRESS_RETRIES = 5


class Client:
    """The imagejobs API at `api_url` (the stage's URL, e.g. `https://…/v1/`).

    `ca_bundle` trusts a private CA (LocalStack's certificate); verification is never off.
    Connection errors, 429 and 503 are retried `max_retries` times with exponential backoff
    (`backoff_factor` * 2^n s, at most `backoff_max`), honouring `Retry-After`."""

    def __init__(
        self,
        api_url: str,
        api_key: str | None = None,
        *,
        ca_bundle: str | None = None,
        timeout: float = 30.0,
        max_retries: int = 4,
        backoff_factor: float = 0.5,
        backoff_max: float = 20.0,
    ) -> None:
        self._transport = Transport(
            api_url,
            api_key,
            timeout=timeout,
            max_retries=max_retries,
            backoff_factor=backoff_factor,
            backoff_max=backoff_max,
            ca_bundle=ca_bundle,
        )
        self.jobs = Jobs(self._transport)

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class Jobs:
    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def create(
        self,
        prompt: str,
        *,
        negative_prompt: str | None = None,
        width: int | None = None,
        height: int | None = None,
        seed: int | None = None,
        num_images: int | None = None,
        image_format: ImageFormat | None = None,
        quality: int | None = None,
        style: Style | None = None,
        guidance: float | None = None,
        webhook: str | None = None,
        webhook_events_filter: list[WebhookEvent] | None = None,
        wait: float | None = None,
        idempotency_key: str | None = None,
    ) -> Job:
        """Submits a job. With `wait`, returns once it has ended or `wait` s have passed,
        whichever is first (check `job.is_terminal`); up to 25 s is one request.

        Every create sends an Idempotency-Key (a new UUID unless given), so a retry after a
        lost answer returns the same job instead of making a second one."""
        request = JobRequest(
            prompt=prompt,
            negative_prompt=negative_prompt,
            width=width,
            height=height,
            seed=seed,
            num_images=num_images,
            image_format=image_format,
            quality=quality,
            style=style,
            guidance=guidance,
            webhook=webhook,
            webhook_events_filter=webhook_events_filter,
        )
        started = time.monotonic()
        headers = {"Idempotency-Key": idempotency_key or str(uuid.uuid4())}
        read_timeout = None
        if wait is not None:
            headers["Prefer"] = f"wait={_server_wait(wait)}"
            read_timeout = _server_wait(wait) + ANSWER_MARGIN
        body = request.model_dump(mode="json", by_alias=True, exclude_none=True)
        for attempt in range(IN_PROGRESS_RETRIES + 1):
            try:
                answer = self._transport.request(
                    "POST", "jobs", body=body, headers=headers, read_timeout=read_timeout
                )
                job = self._job(answer)
                break
            except Conflict as error:
                # The same key is still being processed (our own earlier, lost attempt).
                if error.code != "request_in_progress" or attempt == IN_PROGRESS_RETRIES:
                    raise
                time.sleep(1.0 if error.retry_after is None else min(error.retry_after, 5.0))
        if wait is None or job.is_terminal:
            return job
        left = wait - (time.monotonic() - started)
        if left < 1:
            return job
        try:
            return self.wait(job.job_id, left)
        except WaitTimeout as timed_out:
            return timed_out.job

    def get(self, job_id: str, wait: float | None = None) -> Job:
        """The job; with `wait` (1 to 25 s) a long poll that answers as soon as it has ended."""
        return self._get(job_id, wait)[0]

    def wait(
        self,
        job_id: str,
        timeout: float,
        *,
        poll: float = MAX_SERVER_WAIT,
        on_update: Callable[[Job], None] | None = None,
    ) -> Job:
        """Returns the job once it has ended; raises `WaitTimeout` after `timeout` s.

        Long polls of at most `poll` s each, so there is no request loop. Against an API that
        does not honour `Prefer: wait` it falls back to polling with a growing pause."""
        deadline = time.monotonic() + timeout
        pause = 0.5
        while True:
            left = deadline - time.monotonic()
            job, waited = self._get(job_id, min(left, poll) if left >= 1 else None)
            if on_update is not None:
                on_update(job)
            if job.is_terminal:
                return job
            left = deadline - time.monotonic()
            if left <= 0:
                raise WaitTimeout(job, timeout)
            if not waited:
                time.sleep(min(pause, left))
                pause = min(pause * 1.5, 5.0)

    def cancel(self, job_id: str) -> Job:
        """Cancels a queued job at once, a running one shortly after (`cancel_requested`).

        `Conflict` if the job had already ended; a retried cancel that finds the job canceled
        (by its own first attempt) returns it."""
        try:
            return self._job(self._transport.request("POST", f"jobs/{job_id}/cancel"))
        except Conflict:
            job = self.get(job_id)
            if job.status == "canceled" or job.cancel_requested:
                return job
            raise

    def list(self, status: JobStatus | None = None, *, page_size: int = 20) -> Iterator[Job]:
        """Your jobs, newest first, across every page (one request per `page_size` jobs)."""
        query = {"limit": str(page_size), **({"status": status} if status else {})}
        while True:
            page = JobList.model_validate(
                self._transport.request("GET", "jobs", query=query).payload
            )
            for job in page.jobs:
                yield self._attach(job)
            if page.next_cursor is None:
                return
            query["cursor"] = page.next_cursor

    def _get(self, job_id: str, wait: float | None) -> tuple[Job, bool]:
        """The job, and whether the API long-polled for it."""
        headers: dict[str, Any] = {}
        read_timeout = None
        if wait is not None:
            seconds = _server_wait(wait)
            headers["Prefer"] = f"wait={seconds}"
            read_timeout = seconds + ANSWER_MARGIN
        answer = self._transport.request(
            "GET", f"jobs/{job_id}", headers=headers, read_timeout=read_timeout
        )
        return self._job(answer), "preference-applied" in answer.headers

    def _job(self, answer: Answer) -> Job:
        return self._attach(Job.model_validate(answer.payload))

    def _attach(self, job: Job) -> Job:
        for image in job.images:
            image._transport = self._transport
        return job


def _server_wait(seconds: float) -> int:
    """What `Prefer: wait` can ask for: whole seconds, 1 to 25."""
    return max(1, min(MAX_SERVER_WAIT, math.floor(seconds)))
