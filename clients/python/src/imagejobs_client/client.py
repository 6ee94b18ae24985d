"""`Client(api_url, api_key)`, its `jobs` and its `models`: the blocking client."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

from typing_extensions import Unpack

from imagejobs_client import _jobs, _models, _uploads
from imagejobs_client._http import SyncTransport
from imagejobs_client._transport import MAX_SERVER_WAIT, ClientOptions, Settings
from imagejobs_client.catalogue import Model
from imagejobs_client.images import FileSource
from imagejobs_client.job_request import JobOptions
from imagejobs_client.models import Job, JobStatus


class Client:
    """The imagejobs API at `api_url` (the stage's URL, e.g. `https://…/v1/`).

    Options: `ca_bundle` trusts a private CA (LocalStack's certificate); verification is never
    off. `timeout` (30 s) bounds each request. Connection errors, 429 and 503 are retried
    `max_retries` (4) times with exponential backoff (`backoff_factor` (0.5) * 2^n s, at most
    `backoff_max` (20) s), honouring `Retry-After`. `AsyncClient` takes the same."""

    def __init__(
        self, api_url: str, api_key: str | None = None, **options: Unpack[ClientOptions]
    ) -> None:
        self._transport = SyncTransport(Settings(api_url, api_key, **options))
        self.jobs = Jobs(self._transport)
        self.models = Models(self._transport)
        self.uploads = Uploads(self._transport)

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class Jobs:
    def __init__(self, transport: SyncTransport) -> None:
        self._transport = transport

    def create(
        self,
        prompt: str | None = None,
        *,
        wait: float | bool | None = None,
        idempotency_key: str | None = None,
        cancel_after: str | float | timedelta | None = None,
        **options: Unpack[JobOptions],
    ) -> Job:
        """Submits a job: `prompt` and the options of `JobRequest` (width=, seed=, style=, …).

        An edit names its `task` and takes `image=` (and `mask=`, `style_image=`): a file
        (bytes, a `Path`, a binary file), which is uploaded first; a job's image
        (`job.images[0]`); an upload id; or a data: URL (`imagejobs_client.images`).
        `NotFound` naming the field if an upload or job named is not yours (or expired).

        With `wait` (seconds), returns once it has ended or `wait` s have passed, whichever is
        first (check `job.is_terminal`); up to 25 s is one request, and `wait=True` waits until
        it ends (at most 10 minutes).

        Every create sends an Idempotency-Key (a new UUID unless given), so a retry after a
        lost answer returns the same job instead of making a second one. `cancel_after` ("90s",
        "5m", "1h30m", or seconds) is a deadline: a job not ended by then is canceled, with
        `error.type` "deadline_exceeded" (the `Cancel-After` header)."""
        return self._transport.run(
            _jobs.create(
                self._transport,
                prompt,
                options,
                wait,
                _jobs.create_headers(idempotency_key, cancel_after),
            )
        )

    def get(self, job_id: str, wait: float | None = None) -> Job:
        """The job; with `wait` (1 to 25 s) a long poll that answers as soon as it has ended."""
        return self._transport.run(_jobs.get(self._transport, job_id, wait))

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
        return self._transport.run(
            _jobs.wait_for(self._transport, job_id, timeout, poll, on_update)
        )

    def cancel(self, job_id: str) -> Job:
        """Cancels a queued job at once, a running one shortly after (`cancel_requested`).

        `Conflict` if the job had already ended; a retried cancel that finds the job canceled
        (by its own first attempt) returns it."""
        return self._transport.run(_jobs.cancel(self._transport, job_id))

    def list(self, status: JobStatus | None = None, *, page_size: int = 20) -> Iterator[Job]:
        """Your jobs, newest first, across every page (one request per `page_size` jobs)."""
        cursor = None
        while True:
            page = self._transport.run(_jobs.page(self._transport, status, page_size, cursor))
            yield from page.jobs
            if (cursor := page.next_cursor) is None:
                return


class Models:
    def __init__(self, transport: SyncTransport) -> None:
        self._transport = transport

    def list(self) -> list[Model]:
        """The models this deployment offers (`GET /models`), the default among them: what
        each takes (tasks, aspect ratios, limits), costs and whether it can be used."""
        return self._transport.run(_models.list_models(self._transport))


class Uploads:
    def __init__(self, transport: SyncTransport) -> None:
        self._transport = transport

    def create(self, file: FileSource) -> str:
        """Uploads a PNG, JPEG or WebP file (bytes, a path or a binary file) straight to S3 with
        a presigned POST (`POST /uploads`), and returns its upload id: pass it as `image=` (or
        `mask=`, `style_image=`) before it expires (the deployment's UploadRetentionDays).

        A `ValueError` before anything is sent for bytes that are not such an image or are
        over the deployment's limit; `UploadFailed` if S3 refuses the file."""
        return self._transport.run(_uploads.upload(self._transport, file))
