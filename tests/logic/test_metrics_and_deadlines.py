"""A job's metrics (where its time went) and its deadline (`Cancel-After`), on the in-memory
ports: recorded by the worker as it succeeds, fails or is canceled, partial while open; a job
past its deadline never starts if it is still queued, and leaves nothing behind if it was
running; the sweeper ends overdue queued jobs whose message is held back."""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from imagejobs.exceptions import PermanentEngineError, ThrottledError
from imagejobs.logic.sweeper import SweepReport, sweep
from imagejobs.logic.worker import JobOutcome, image_key
from imagejobs.models.domain import DEADLINE_EXCEEDED, JobMetrics, JobStatus
from imagejobs.models.transitions import CANCEL_QUEUED, START, Transition
from tests.logic.test_sweeper import job_id, settings
from tests.support.events import TENANT
from tests.support.in_memory import (
    InMemoryImageStore,
    InMemoryJobQueue,
    InMemoryJobRepository,
    InMemoryWebhookQueue,
)
from tests.support.jobs import T0, move, store_job
from tests.support.worker import WORKER_JOB_ID as JOB_ID
from tests.support.worker import ScriptedEngine, WorkerWorld

RENDER_SECONDS = 3.0


def slow_engine(world: WorkerWorld, **options: object) -> ScriptedEngine:
    """An engine whose render takes RENDER_SECONDS on the world's clock."""
    return ScriptedEngine(on_render=lambda: world.clock.sleep(RENDER_SECONDS), **options)  # type: ignore[arg-type]


def test_a_succeeded_job_tells_where_its_time_went(world: WorkerWorld) -> None:
    # Given a job for two images, and an engine that takes 3 s, 1.25 s an image by its own count
    world.add_job(num_images=2)
    engine = slow_engine(world, seconds_per_image=1.25)

    # When a 1024 MB worker renders it (the clock ticks a second per reading)
    assert world.run(engine, memory_mb=1024) is JobOutcome.SUCCEEDED

    # Then its metrics: queued from submit (T0) to start (T0+1 s), running to the end (T0+2 s)
    job = world.job()
    assert job.metrics(now=T0 + timedelta(hours=1)) == JobMetrics(
        queued_seconds=1.0,
        running_seconds=1.0,
        model_seconds=RENDER_SECONDS,
        model_seconds_per_image=[1.25, 1.25],
        total_seconds=2.0,
        attempts=1,
        throttled_waits=0,
    )
    # And the worker's Lambda time (the render's 3 s on its clock) billed at 1 GB
    assert job.lambda_gb_seconds == RENDER_SECONDS


def test_a_failed_job_keeps_the_model_time_it_spent(world: WorkerWorld) -> None:
    # Given a job whose model refuses it after 3 s
    world.add_job(num_images=1)
    engine = slow_engine(world, error=PermanentEngineError("refused"))

    # When it is processed
    assert world.run(engine) is JobOutcome.FAILED

    # Then the failed job's metrics count the model's time, and no image
    metrics = world.job().metrics(now=T0 + timedelta(hours=1))
    assert (metrics.model_seconds, metrics.model_seconds_per_image) == (RENDER_SECONDS, [])
    assert (metrics.queued_seconds, metrics.running_seconds, metrics.attempts) == (1.0, 1.0, 1)


def test_throttled_waits_are_counted_apart_from_attempts(world: WorkerWorld) -> None:
    # Given a job the model throttles once and then renders
    world.add_job(num_images=1)
    throttle = slow_engine(world, error=ThrottledError("quota"))
    assert world.run(throttle) is JobOutcome.THROTTLED

    # When its own message comes back and it renders
    assert world.run(slow_engine(world)) is JobOutcome.SUCCEEDED

    # Then it was started twice, waited once, and both calls' model time is counted
    metrics = world.job().metrics(now=T0 + timedelta(hours=1))
    assert (metrics.attempts, metrics.throttled_waits) == (2, 1)
    assert metrics.model_seconds == 2 * RENDER_SECONDS


@pytest.mark.parametrize(
    ("transition", "moved_after", "read_after", "expected"),
    [
        # Canceled 30 s after submit, read an hour later: 30 s queued, never ran
        (CANCEL_QUEUED, 30, 3600, (30.0, None, 30.0, 0)),
        # Started 5 s after submit, read at 12 s: partial, running for 7 s so far, 12 s in all
        (START, 5, 12, (5.0, 7.0, 12.0, 1)),
    ],
    ids=["canceled-while-queued", "open-runs-to-now"],
)
def test_a_job_s_metrics_split_its_time_up_to_its_end_or_now(
    jobs: InMemoryJobRepository,
    transition: Transition,
    moved_after: int,
    read_after: int,
    expected: tuple[float, float | None, float, int],
) -> None:
    # Given a job moved on some seconds after it was submitted
    store_job(jobs, JOB_ID, TENANT)
    job = move(jobs, JOB_ID, transition, T0 + timedelta(seconds=moved_after))

    # When its metrics are read later
    metrics = job.metrics(now=T0 + timedelta(seconds=read_after))

    # Then its time is split between queued and running, and no model time is counted
    spans = (metrics.queued_seconds, metrics.running_seconds, metrics.total_seconds)
    assert (*spans, metrics.attempts) == expected
    assert metrics.model_seconds == 0.0


def test_a_queued_job_past_its_deadline_never_starts(world: WorkerWorld) -> None:
    # Given a queued job whose deadline passed before its message was received
    world.add_job(num_images=2, changes={"deadline_at": T0})
    engine = ScriptedEngine()

    # When its message is received
    outcome = world.run(engine)

    # Then the engine was never called, and the job is canceled for its deadline
    assert outcome is JobOutcome.CANCELED
    assert engine.calls == []
    job = world.job()
    assert (job.status, job.attempts, job.started_at) == (JobStatus.CANCELED, 0, None)
    assert job.error is not None
    assert job.error.type == DEADLINE_EXCEEDED
    assert world.object_keys() == []


@dataclass
class RecordingImageStore(InMemoryImageStore):
    written: list[str] = field(default_factory=list)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.written.append(key)
        super().put(key, data, content_type)


def test_a_running_job_reaching_its_deadline_between_images_leaves_nothing(
    jobs: InMemoryJobRepository,
) -> None:
    # Given a job for three images due at T0+4 s; the clock ticks a second per reading: the
    # deadline is checked at T0+1 s, the job starts at T0+2 s, its first image is stored after
    # the check at T0+3 s, and the check before the second finds it due
    images = RecordingImageStore()
    world = WorkerWorld(jobs, images, images)
    world.add_job(num_images=3, changes={"deadline_at": T0 + timedelta(seconds=4)})
    engine = ScriptedEngine()

    # When it is rendered
    outcome = world.run(engine)

    # Then its first image was written, and removed again when the job ended canceled for its
    # deadline, with no image recorded
    assert outcome is JobOutcome.CANCELED
    assert len(engine.calls) == 1
    assert images.written == [image_key(JOB_ID, 0, "webp")]
    assert world.object_keys() == []
    job = world.job()
    assert (job.status, job.attempts, job.images) == (JobStatus.CANCELED, 1, ())
    assert job.error is not None
    assert job.error.type == DEADLINE_EXCEEDED


def test_a_deadline_not_reached_changes_nothing(world: WorkerWorld) -> None:
    # Given a job due in an hour
    world.add_job(num_images=2, changes={"deadline_at": T0 + timedelta(hours=1)})

    # When it is rendered
    outcome = world.run(ScriptedEngine())

    # Then it succeeds with both images
    assert outcome is JobOutcome.SUCCEEDED
    assert len(world.job().images) == 2


def test_the_sweeper_ends_overdue_queued_jobs_whose_message_is_held_back(
    jobs: InMemoryJobRepository, queue: InMemoryJobQueue
) -> None:
    # Given, a minute after T0: a queued job due 30 s after T0, one due in an hour, one with no
    # deadline, and a running one past its deadline (its worker sees it between images)
    now = T0 + timedelta(minutes=1)
    store_job(jobs, job_id(1), TENANT, changes={"deadline_at": T0 + timedelta(seconds=30)})
    store_job(jobs, job_id(2), TENANT, changes={"deadline_at": T0 + timedelta(hours=1)})
    store_job(jobs, job_id(3), TENANT)
    store_job(
        jobs,
        job_id(4),
        TENANT,
        JobStatus.RUNNING,
        changes={"deadline_at": T0 + timedelta(seconds=30)},
    )
    webhooks = InMemoryWebhookQueue()

    # When the sweeper runs, and again
    first = sweep(jobs=jobs, queue=queue, webhooks=webhooks, settings=settings(), now=now)
    second = sweep(jobs=jobs, queue=queue, webhooks=webhooks, settings=settings(), now=now)

    # Then only the overdue queued job ended, canceled for its deadline, once; nothing was sent
    assert (first, second) == (SweepReport(expired=1), SweepReport())
    statuses = {n: jobs.jobs[job_id(n)].status for n in range(1, 5)}
    assert statuses == {
        1: JobStatus.CANCELED,
        2: JobStatus.QUEUED,
        3: JobStatus.QUEUED,
        4: JobStatus.RUNNING,
    }
    error = jobs.jobs[job_id(1)].error
    assert error is not None
    assert error.type == DEADLINE_EXCEEDED
    assert queue.messages == []
