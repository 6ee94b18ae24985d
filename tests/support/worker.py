"""One harness for the worker's logic: a job, an engine that does what a test scripts, and a
clock. The same `WorkerWorld` runs on the in-memory ports (tests/logic) and on moto
(tests/integration).

Fault injection lives here, in test code: production code has no way to select these engines.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from imagejobs.engines.base import ImageEngine, Inputs, JobParameters, RenderedImage
from imagejobs.logic.worker import JobOutcome, Receive, WorkerPorts, process_job
from imagejobs.models.domain import Job
from imagejobs.ports import ImageStore, JobRepository
from tests.support.clock import TickingClock
from tests.support.events import TENANT
from tests.support.in_memory import InMemoryJobQueue, InMemoryWebhookQueue, StoredObject
from tests.support.jobs import NO_CAP, T0, make_job

WORKER_JOB_ID = "5b0e6f3a-1c2d-4e5f-8a9b-0c1d2e3f4a5b"
RECEIPT = "receipt-1"


class StoredObjects(Protocol):
    """Reads back what the image store holds (the in-memory store, or the moto bucket)."""

    def keys(self) -> list[str]: ...

    def read(self, key: str) -> StoredObject: ...


@dataclass
class ScriptedEngine:
    """Returns placeholder bytes per requested image, or raises what it was given."""

    error: Exception | None = None
    calls: list[JobParameters] = field(default_factory=list)
    inputs: list[Inputs] = field(default_factory=list)
    on_render: Callable[[], object] | None = None
    # Raised on the first `len(errors)` renders, one each, before any `error`.
    errors: list[Exception] = field(default_factory=list)
    engine_id: str = "scripted"
    # What the engine says each image took (a model call's own time).
    seconds_per_image: float | None = None

    def render(self, request: JobParameters, inputs: Inputs) -> list[RenderedImage]:
        self.calls.append(request)
        self.inputs.append(inputs)
        if self.errors:
            raise self.errors.pop(0)
        if self.on_render:
            self.on_render()
        if self.error:
            raise self.error
        return [
            RenderedImage(
                data=f"image {n}".encode(),
                width=request.width or 64,
                height=request.height or 64,
                image_format=request.image_format,
                seed=request.seed + n,
                seconds=self.seconds_per_image,
            )
            for n in range(request.num_images)
        ]


def receive(
    *,
    receive_count: int = 1,
    max_receive_count: int = 3,
    remaining_ms: int = 60_000,
    job_id: str = WORKER_JOB_ID,
    memory_mb: int = 1024,
) -> Receive:
    """One SQS receive of a job's message, as the worker's handler passes it on."""
    return Receive(
        job_id=job_id,
        receipt_handle=RECEIPT,
        receive_count=receive_count,
        max_receive_count=max_receive_count,
        remaining_ms=remaining_ms,
        memory_mb=memory_mb,
    )


@dataclass
class WorkerWorld:
    """The worker's logic against one set of ports: one job, a clock that ticks a second a call."""

    jobs: JobRepository
    images: ImageStore
    objects: StoredObjects
    clock: TickingClock = field(default_factory=TickingClock)
    queue: InMemoryJobQueue = field(default_factory=InMemoryJobQueue)
    webhooks: InMemoryWebhookQueue = field(default_factory=InMemoryWebhookQueue)

    def ports(self, engine: ImageEngine) -> WorkerPorts:
        return WorkerPorts(
            jobs=self.jobs,
            images=self.images,
            queue=self.queue,
            webhooks=self.webhooks,
            engine=engine,
            clock=self.clock,
        )

    def add_job(
        self, *, engine: str = "scripted", changes: dict[str, Any] | None = None, **parameters: Any
    ) -> Job:
        """A queued job, recorded under `engine`; `parameters` override JobParameters, and
        `changes` the job's other fields."""
        values: dict[str, Any] = {
            "prompt": "a lighthouse",
            "width": 128,
            "height": 96,
            "seed": 7,
            "num_images": 2,
            "image_format": "webp",
            **parameters,
        }
        job = make_job(
            WORKER_JOB_ID,
            TENANT,
            created_at=T0,
            changes={"engine_id": engine, **(changes or {})},
            **values,
        )
        self.jobs.create(job, open_limit=NO_CAP)
        return job

    def run(self, engine: ImageEngine, **received: Any) -> JobOutcome:
        """The job's message received once (`received` as `receive` takes it) and processed."""
        return process_job(receive(**received), self.ports(engine))

    def job(self) -> Job:
        job = self.jobs.get(WORKER_JOB_ID)
        assert job is not None
        return job

    def object_keys(self) -> list[str]:
        return self.objects.keys()

    def stored(self, key: str) -> bytes:
        return self.objects.read(key).data
