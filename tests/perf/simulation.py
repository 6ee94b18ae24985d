"""A discrete-event model of a burst of jobs through the deployed service: where it waits, how
long it takes to drain, and whether anything fails (it must not).

    python -m tests.perf.simulation [--jobs 10000] [--tenants 1 100]

What is modelled, and the assumption behind each (docs/cost-and-scale.md prints them with the
results; a figure marked "assumed" was not measured here nor read at its source):

- Clients: each tenant submits its share of the burst as fast as the API lets it. API Gateway's
  usage plan gives each key a token bucket (ThrottleRateLimit 20/s, ThrottleBurstLimit 40);
  the account's Regional throttle is 10,000 requests/s (AWS's default quota). A throttled
  request is retried after 1 s; status reads are left out (a client with webhooks or
  `Prefer: wait` makes few).
- The tenant cap: at MaxOpenJobsPerTenant (100) open jobs, a submit is a 429 with Retry-After
  (OPEN_JOBS_RETRY_AFTER_SECONDS); the client retries then.
- The queue: one standard queue, first in first out once visible (SQS is "best effort"
  ordered; close enough at this grain); a throttled job's new message is delayed as the worker
  delays it (logic.worker.throttle_delay_seconds: full jitter up to 2^waits s, at most 60 s).
- The worker: at most WorkerMaxConcurrency (10) invocations, each a batch of up to BatchSize
  (4) messages taken in turn; a job holds its invocation for the model's latency per call (its
  images' calls run at once) plus the measured per-job overhead; a receive takes the event
  source mapping's pickup delay first.
- The model: Bedrock's on-demand requests-per-minute quota per model and Region, as a token
  bucket refilled evenly; a call over it is a ThrottlingException, and the job waits its turn
  again (its throttled waits). The quota's default for Stability's models could not be read
  at its source (docs/bedrock-sources.md): the figure is assumed, and the doc shows how the results
  scale with it.
- Failures: a job fails only if it stays throttled an hour (THROTTLE_GIVE_UP_AFTER), or the
  queue's message retention (4 days) passes; both are counted.

Standard library only, deterministic for a seed; `make test` runs it small (test_bench.py).
"""

from __future__ import annotations

import argparse
import heapq
import itertools
import json
import random
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from imagejobs.handlers.http_errors import OPEN_JOBS_RETRY_AFTER_SECONDS
from imagejobs.logic.worker import THROTTLE_GIVE_UP_AFTER, THROTTLE_MAX_WAIT_SECONDS
from tests.perf.stats import summary


@dataclass(frozen=True)
class Assumptions:
    """Every number the model runs on; `source` says where each comes from."""

    key_rate_per_s: float = 20.0  # template ThrottleRateLimit
    key_burst: int = 40  # template ThrottleBurstLimit
    account_rate_per_s: float = 10_000.0  # API Gateway's Regional default (AWS quota)
    open_jobs_per_tenant: int = 100  # template MaxOpenJobsPerTenant
    worker_concurrency: int = 10  # template WorkerMaxConcurrency
    batch_size: int = 4  # template, WorkerFunction's SQS event
    images_per_job: int = 1
    # Seconds per model call: assumed (AWS publishes no latency); the Bedrock stand-in's.
    model_latency_s: float = 8.0
    # Requests per minute per model and Region: assumed (not readable at its source).
    model_quota_per_min: float = 60.0
    # The worker's own time per job besides the model (reads, writes, the upload): measured
    # on LocalStack by `make bench` (its load stage); the pickup delay of a receive.
    job_overhead_s: float = 0.15
    pickup_s: float = 0.05
    retry_after_s: float = float(OPEN_JOBS_RETRY_AFTER_SECONDS)
    throttled_retry_s: float = 1.0


@dataclass
class _Job:
    id: int
    tenant: int
    submitted: float = 0.0
    started: float | None = None
    ended: float | None = None
    waits: int = 0
    first_throttled: float | None = None
    failed: bool = False


@dataclass
class Result:
    jobs: int
    tenants: int
    drain_s: float
    submitted_by_s: float
    queue_age_s: dict[str, float]
    refused_at_cap: int
    throttled_by_api: int
    throttled_waits: int
    failed: int
    assumptions: dict[str, Any] = field(default_factory=dict)


class _Bucket:
    """A token bucket: `rate` tokens a second, at most `burst`."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst, self.tokens, self.at = rate, burst, burst, 0.0

    def take(self, now: float) -> bool:
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


def simulate(jobs: int, tenants: int, assume: Assumptions, seed: int = 7) -> Result:
    """A burst of `jobs` shared evenly by `tenants`, all wanting to submit at time 0."""
    burst = _Burst(jobs, tenants, assume, seed)
    burst.run()
    return burst.result()


class _Burst:
    """One burst's discrete-event loop: an event is (time, order, kind, payload), and each kind
    is a method."""

    def __init__(self, jobs: int, tenants: int, assume: Assumptions, seed: int) -> None:
        self.jobs, self.tenants, self.assume = jobs, tenants, assume
        self.rng = random.Random(seed)  # noqa: S311 (a simulation's draws, not secrets)
        self.events: list[tuple[float, int, str, Any]] = []
        self.order = itertools.count()
        self.keys = [_Bucket(assume.key_rate_per_s, assume.key_burst) for _ in range(tenants)]
        self.account = _Bucket(assume.account_rate_per_s, assume.account_rate_per_s)
        # A minute's requests may come at once (the quota is per minute).
        self.quota = _Bucket(assume.model_quota_per_min / 60, assume.model_quota_per_min)
        self.pending = [deque(range(t, jobs, tenants)) for t in range(tenants)]
        self.made = [_Job(n, n % tenants) for n in range(jobs)]
        self.open_jobs = [0] * tenants
        self.ready: deque[int] = deque()
        self.idle_workers = assume.worker_concurrency
        self.refused = self.throttled_api = 0
        self.last_submit = 0.0
        for tenant in range(tenants):
            self.at(0.0, "submit", tenant)

    def at(self, time: float, kind: str, payload: Any = None) -> None:
        heapq.heappush(self.events, (time, next(self.order), kind, payload))

    def run(self) -> None:
        handlers: dict[str, Callable[[float, Any], None]] = {
            "submit": self._submit,
            "visible": self._visible,
            "batch": lambda now, batch: self.at(now, "job", (list(batch), 0)),
            "job": self._job,
            "release": self._release,
        }
        while self.events:
            now, _, kind, payload = heapq.heappop(self.events)
            handlers[kind](now, payload)

    def _start_workers(self, now: float) -> None:
        while self.idle_workers and self.ready:
            size = min(self.assume.batch_size, len(self.ready))
            batch = [self.ready.popleft() for _ in range(size)]
            self.idle_workers -= 1
            self.at(now + self.assume.pickup_s, "batch", batch)

    def _submit(self, now: float, tenant: int) -> None:
        assume = self.assume
        if not self.pending[tenant]:
            return
        if not (self.keys[tenant].take(now) and self.account.take(now)):
            self.throttled_api += 1
            self.at(now + assume.throttled_retry_s, "submit", tenant)
            return
        if self.open_jobs[tenant] >= assume.open_jobs_per_tenant:
            self.refused += 1
            self.at(now + assume.retry_after_s, "submit", tenant)
            return
        job = self.made[self.pending[tenant].popleft()]
        job.submitted = self.last_submit = now
        self.open_jobs[tenant] += 1
        self.ready.append(job.id)
        self._start_workers(now)
        self.at(now + 1 / assume.key_rate_per_s, "submit", tenant)

    def _visible(self, now: float, job_id: int) -> None:
        self.ready.append(job_id)
        self._start_workers(now)

    def _job(self, now: float, payload: tuple[list[int], int]) -> None:
        batch, index = payload
        if index == len(batch):
            self.idle_workers += 1
            self._start_workers(now)
            return
        job = self.made[batch[index]]
        done = now + self._receive(job, now)
        if job.ended is not None or job.failed:
            self.at(done, "release", job.tenant)
        self.at(done, "job", (batch, index + 1))

    def _release(self, now: float, tenant: int) -> None:
        self.open_jobs[tenant] -= 1

    def _receive(self, job: _Job, now: float) -> float:
        """One receive of the job's message: the seconds it holds the worker."""
        assume = self.assume
        if job.started is None:
            job.started = now
        if all(self.quota.take(now) for _ in range(assume.images_per_job)):
            job.ended = now + assume.model_latency_s + assume.job_overhead_s
            return assume.model_latency_s + assume.job_overhead_s
        # Throttled: the job waits with a message of its own, or fails past the bound.
        job.first_throttled = job.first_throttled if job.first_throttled is not None else now
        if now - job.first_throttled >= THROTTLE_GIVE_UP_AFTER.total_seconds():
            job.failed = True
            return assume.job_overhead_s
        job.waits += 1
        ceiling = min(THROTTLE_MAX_WAIT_SECONDS, 2 ** min(job.waits, 10))
        self.at(now + max(1.0, self.rng.uniform(0, ceiling)), "visible", job.id)
        return assume.job_overhead_s

    def result(self) -> Result:
        made = self.made
        ended = [job.ended for job in made if job.ended is not None]
        ages = [job.started - job.submitted for job in made if job.started is not None]
        return Result(
            jobs=self.jobs,
            tenants=self.tenants,
            drain_s=max(ended, default=0.0),
            submitted_by_s=self.last_submit,
            queue_age_s=summary(ages, 90, 100) if ages else {},
            refused_at_cap=self.refused,
            throttled_by_api=self.throttled_api,
            throttled_waits=sum(job.waits for job in made),
            # Failed for their throttled waits, or never ended (none should be).
            failed=sum(job.failed or job.ended is None for job in made),
            assumptions=asdict(self.assume),
        )


def scenarios(jobs: int) -> list[dict[str, Any]]:
    """The doc's scenarios: one tenant and 100, with the template's defaults; then 100 with
    the worker's concurrency sized to the model's quota (quota x latency / 60, per image)."""
    defaults = Assumptions()
    sized = max(
        1,
        int(defaults.model_quota_per_min * defaults.model_latency_s / 60 / defaults.images_per_job),
    )
    runs = [
        ("defaults", 1, defaults),
        ("defaults", 100, defaults),
        (f"worker concurrency {sized}", 100, replace(defaults, worker_concurrency=sized)),
    ]
    return [
        {"label": label, **asdict(simulate(jobs, tenants, assume))}
        for label, tenants, assume in runs
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--tenants", type=int, nargs="+", default=[1, 100])
    args = parser.parse_args()
    for tenants in args.tenants:
        print(json.dumps(asdict(simulate(args.jobs, tenants, Assumptions())), indent=2))
    print(json.dumps(scenarios(args.jobs), indent=2))


if __name__ == "__main__":
    main()
