"""`AsyncClient` on the deployed stack: many jobs at once on one event loop."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable

from imagejobs_client import AsyncClient, Job
from imagejobs_dev.stack_info import StackInfo

CONCURRENT = 50


async def timed_create(client: AsyncClient, number: int) -> tuple[Job, float]:
    started = time.monotonic()
    job = await client.jobs.create(f"a lighthouse, study {number}", width=64, height=64, wait=True)
    return job, time.monotonic() - started


def test_fifty_concurrent_creates_with_wait_on_one_event_loop_all_finish(
    deployed: StackInfo,
    new_key: Callable[[], str],
    record_property: Callable[[str, object], None],
) -> None:
    # Given one AsyncClient, for a tenant of its own
    async def fifty() -> tuple[list[tuple[Job, float]], float]:
        async with AsyncClient(deployed.api_url, new_key()) as client:
            started = time.monotonic()
            # When 50 jobs are created at once, each waiting until it has ended
            done = await asyncio.gather(*(timed_create(client, n) for n in range(CONCURRENT)))
            return done, time.monotonic() - started

    done, wall = asyncio.run(fifty())

    # Then every one finished, each as its own job
    jobs = [job for job, _ in done]
    assert [job.status for job in jobs] == ["succeeded"] * CONCURRENT
    assert len({job.job_id for job in jobs}) == CONCURRENT
    seconds = sorted(elapsed for _, elapsed in done)
    # What the service spent: queued (created to started) and rendering (started to finished).
    queued = [(j.started_at - j.created_at).total_seconds() for j in jobs if j.started_at]
    rendering = [
        (j.finished_at - j.started_at).total_seconds()
        for j in jobs
        if j.started_at and j.finished_at
    ]
    figures = (
        f"{CONCURRENT} concurrent creates with wait=True on one event loop: all succeeded in"
        f" {wall:.1f} s; each took median {statistics.median(seconds):.1f} s,"
        f" p90 {seconds[int(0.9 * CONCURRENT) - 1]:.1f} s, max {seconds[-1]:.1f} s;"
        f" in the service, queued median {statistics.median(queued):.1f} s"
        f" (max {max(queued):.1f} s), rendering median {statistics.median(rendering):.2f} s"
    )
    print(figures)
    record_property("async_sdk_50_creates", figures)
