"""`AsyncClient(api_url, api_key)`, its `jobs` and `models`: `Client`, for an event loop.

The same methods, arguments, retries and errors as `Client` (the operations are shared:
`_jobs.py`), awaited. Cancelling a task cancels its request in flight and closes that
connection: a `wait` given up by its caller holds nothing open.

    async with AsyncClient(api_url, api_key) as client:
        job = await client.jobs.create("a red fox", wait=20)
        await job.images[0].adownload("fox.png")
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import timedelta

from typing_extensions import Unpack

from imagejobs_client import _jobs, _models, _uploads
from imagejobs_client._http import AsyncTransport
from imagejobs_client._transport import MAX_SERVER_WAIT, ClientOptions, Settings
from imagejobs_client.catalogue import Model
from imagejobs_client.images import FileSource
from imagejobs_client.job_request import JobOptions
from imagejobs_client.models import Job, JobStatus


class AsyncClient:
    """The imagejobs API at `api_url`; the options are `Client`'s."""

    def __init__(
        self, api_url: str, api_key: str | None = None, **options: Unpack[ClientOptions]
    ) -> None:
        self._transport = AsyncTransport(Settings(api_url, api_key, **options))
        self.jobs = AsyncJobs(self._transport)
        self.models = AsyncModels(self._transport)
        self.uploads = AsyncUploads(self._transport)

    async def close(self) -> None:
        await self._transport.close()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()


class AsyncJobs:
    """`Client.jobs`' methods, awaited; `list` is an async iterator."""

    def __init__(self, transport: AsyncTransport) -> None:
        self._transport = transport

    async def create(
        self,
        prompt: str | None = None,
        *,
        wait: float | bool | None = None,
        idempotency_key: str | None = None,
        cancel_after: str | float | timedelta | None = None,
        **options: Unpack[JobOptions],
    ) -> Job:
        """`Jobs.create`."""
        return await self._transport.run(
            _jobs.create(
                self._transport,
                prompt,
                options,
                wait,
                _jobs.create_headers(idempotency_key, cancel_after),
            )
        )

    async def get(self, job_id: str, wait: float | None = None) -> Job:
        """`Jobs.get`."""
        return await self._transport.run(_jobs.get(self._transport, job_id, wait))

    async def wait(
        self,
        job_id: str,
        timeout: float,
        *,
        poll: float = MAX_SERVER_WAIT,
        on_update: Callable[[Job], None] | None = None,
    ) -> Job:
        """`Jobs.wait`; cancel the task to stop waiting early."""
        return await self._transport.run(
            _jobs.wait_for(self._transport, job_id, timeout, poll, on_update)
        )

    async def cancel(self, job_id: str) -> Job:
        """`Jobs.cancel`."""
        return await self._transport.run(_jobs.cancel(self._transport, job_id))

    async def list(
        self, status: JobStatus | None = None, *, page_size: int = 20
    ) -> AsyncIterator[Job]:
        """`Jobs.list`: `async for job in client.jobs.list(): ...`."""
        cursor = None
        while True:
            page = await self._transport.run(_jobs.page(self._transport, status, page_size, cursor))
            for job in page.jobs:
                yield job
            if (cursor := page.next_cursor) is None:
                return


class AsyncModels:
    """`Client.models`' methods, awaited."""

    def __init__(self, transport: AsyncTransport) -> None:
        self._transport = transport

    async def list(self) -> list[Model]:
        """`Models.list`."""
        return await self._transport.run(_models.list_models(self._transport))


class AsyncUploads:
    """`Client.uploads`' methods, awaited."""

    def __init__(self, transport: AsyncTransport) -> None:
        self._transport = transport

    async def create(self, file: FileSource) -> str:
        """`Uploads.create` (a path or file is read before anything is sent, blocking)."""
        return await self._transport.run(_uploads.upload(self._transport, file))
