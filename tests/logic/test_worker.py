"""The worker's state transitions on the in-memory ports: queued -> running -> succeeded,
failed or canceled, with every repeat receive SQS may make.
tests/integration/test_worker_logic.py runs the tests that need only a `world` again on moto."""

import dataclasses
from datetime import timedelta
from typing import Any

import pytest

from imagejobs.engines.base import InputImage
from imagejobs.exceptions import (
    ContentFilteredError,
    ModelUnavailableError,
    NotEnoughTimeError,
    PermanentEngineError,
    ThrottledError,
    TransientEngineError,
)
from imagejobs.logic.worker import (
    THROTTLE_GIVE_UP_AFTER,
    THROTTLE_MAX_WAIT_SECONDS,
    JobOutcome,
    image_key,
    process_receive,
)
from imagejobs.models.domain import GeneratedImage, JobError, JobStatus
from imagejobs.models.messages import JobMessage
from imagejobs.models.transitions import CANCEL_QUEUED, FAIL, REQUEST_CANCEL, START
from tests.support.in_memory import InMemoryJobQueue, StoredObject
from tests.support.jobs import T0, move
from tests.support.worker import RECEIPT, ScriptedEngine, WorkerWorld, receive
from tests.support.worker import WORKER_JOB_ID as JOB_ID

# The worker's RENDER_TIME_RESERVE_SECONDS for the built-in renderer is of this order.
RESERVE_S = 20


def receive_once(
    world: WorkerWorld, queue: InMemoryJobQueue, engine: ScriptedEngine, **received: Any
) -> JobOutcome:
    """One SQS receive of the job's message (`received` as `receive` takes it), with the time
    left checked first."""
    ports = dataclasses.replace(world.ports(engine), queue=queue)
    return process_receive(receive(**received), ports, time_reserve_seconds=RESERVE_S)


def test_a_queued_job_runs_and_succeeds_with_its_images(world: WorkerWorld) -> None:
    # Given a queued job for two WebP images, seed 7
    queued = world.add_job(num_images=2, image_format="webp", seed=7)
    engine = ScriptedEngine()

    # When its message is processed
    outcome = world.run(engine)

    # Then the engine was asked for exactly the job's parameters
    assert outcome is JobOutcome.SUCCEEDED
    [request] = engine.calls
    assert (request.width, request.height, request.seed, request.num_images) == (128, 96, 7, 2)
    # And each image is stored under its deterministic key with its content type
    keys = [image_key(JOB_ID, n, "webp") for n in range(2)]
    assert world.objects.read(keys[0]) == StoredObject(b"image 0", "image/webp")
    assert world.objects.read(keys[1]) == StoredObject(b"image 1", "image/webp")
    assert world.object_keys() == keys
    # And the job went queued -> running (tick 1) -> succeeded (tick 2), one seed per image
    assert world.job() == queued.model_copy(
        update={
            "status": JobStatus.SUCCEEDED,
            "attempts": 1,
            "images_rendered": 2,
            "started_at": T0 + timedelta(seconds=1),
            "updated_at": T0 + timedelta(seconds=2),
            "finished_at": T0 + timedelta(seconds=2),
            "images": tuple(
                GeneratedImage(
                    key=key, width=128, height=96, image_format="webp", seed=7 + n, size_bytes=7
                )
                for n, key in enumerate(keys)
            ),
        }
    )


def test_a_job_keeps_the_model_and_engine_it_was_submitted_for(world: WorkerWorld) -> None:
    # Given a job submitted for the built-in renderer
    world.add_job(engine="pillow", model="pillow")

    # When a worker whose engine names itself otherwise processes its message
    world.run(ScriptedEngine(engine_id="something-else"))

    # Then the job still names the model and engine it was submitted for: a job's model is
    # fixed at submit, and its engine is that model's
    job = world.job()
    assert (job.parameters.model, job.engine_id) == ("pillow", "pillow")


@pytest.mark.parametrize(
    ("finish", "status"),
    [
        ("succeed", JobStatus.SUCCEEDED),
        ("fail", JobStatus.FAILED),
        ("cancel", JobStatus.CANCELED),
    ],
)
def test_a_repeat_receive_for_a_finished_job_changes_nothing(
    world: WorkerWorld, finish: str, status: JobStatus
) -> None:
    # Given a job that already ended one way or another
    world.add_job(num_images=1)
    if finish == "succeed":
        world.run(ScriptedEngine())
    elif finish == "fail":
        world.run(ScriptedEngine(error=PermanentEngineError("no")))
    else:
        move(world.jobs, JOB_ID, CANCEL_QUEUED, world.clock.now())
    finished = world.job()
    objects = {key: world.objects.read(key) for key in world.object_keys()}

    # When its message is received again
    engine = ScriptedEngine()
    outcome = world.run(engine, receive_count=2)

    # Then it is acknowledged without rendering, and neither job nor images change
    assert finished.status is status
    assert outcome is JobOutcome.SKIPPED
    assert engine.calls == []
    assert world.job() == finished
    assert {key: world.objects.read(key) for key in world.object_keys()} == objects


def test_a_message_for_an_unknown_job_creates_nothing(world: WorkerWorld) -> None:
    # Given no job at all
    engine = ScriptedEngine()

    # When a message names one
    outcome = world.run(engine)

    # Then it is dropped: nothing rendered, stored or recorded
    assert outcome is JobOutcome.SKIPPED
    assert engine.calls == []
    assert world.jobs.get(JOB_ID) is None
    assert world.object_keys() == []


def test_a_crashed_attempt_received_again_runs_again_and_overwrites(
    world: WorkerWorld,
) -> None:
    # Given an attempt that wrote one image and crashed before recording anything
    world.add_job(num_images=2)
    first_start = world.clock.now()
    move(world.jobs, JOB_ID, START, first_start)
    world.images.put(image_key(JOB_ID, 0, "webp"), b"partial", "image/webp")

    # When the message is received again
    outcome = world.run(ScriptedEngine(), receive_count=2)

    # Then the job succeeds with its own two images, the partial one rewritten
    assert outcome is JobOutcome.SUCCEEDED
    assert world.object_keys() == [image_key(JOB_ID, n, "webp") for n in range(2)]
    assert world.stored(image_key(JOB_ID, 0, "webp")) == b"image 0"
    # And both attempts count, while the job keeps its first start time
    job = world.job()
    assert job.attempts == 2
    assert job.started_at == first_start


def test_a_cancel_during_the_render_drops_the_result(world: WorkerWorld) -> None:
    # Given a job whose tenant cancels it while the engine renders
    world.add_job(num_images=2)
    engine = ScriptedEngine(
        on_render=lambda: move(world.jobs, JOB_ID, REQUEST_CANCEL, world.clock.now())
    )

    # When the render finishes
    outcome = world.run(engine)

    # Then the job ends canceled with no images, and the bucket holds none of them
    assert outcome is JobOutcome.CANCELED
    job = world.job()
    assert (job.status, job.images, job.cancel_requested) == (JobStatus.CANCELED, (), True)
    assert job.finished_at is not None
    assert world.object_keys() == []


def test_a_repeat_receive_after_a_cancel_request_finishes_the_cancel(world: WorkerWorld) -> None:
    # Given a running job asked to cancel, whose worker died after writing an image
    world.add_job(num_images=2)
    move(world.jobs, JOB_ID, START, world.clock.now())
    move(world.jobs, JOB_ID, REQUEST_CANCEL, world.clock.now())
    world.images.put(image_key(JOB_ID, 1, "webp"), b"orphan", "image/webp")
    engine = ScriptedEngine()

    # When its message is received again
    outcome = world.run(engine, receive_count=2)

    # Then the cancel is finished without rendering, and the orphan is removed
    assert outcome is JobOutcome.CANCELED
    assert engine.calls == []
    assert world.job().status is JobStatus.CANCELED
    assert world.object_keys() == []


def test_a_job_canceled_while_queued_is_never_rendered(world: WorkerWorld) -> None:
    # Given a job canceled before the worker reached it
    world.add_job()
    canceled = move(world.jobs, JOB_ID, CANCEL_QUEUED, world.clock.now())
    engine = ScriptedEngine()

    # When its message arrives
    outcome = world.run(engine)

    # Then nothing is rendered and the job is as the cancel left it
    assert outcome is JobOutcome.SKIPPED
    assert engine.calls == []
    assert world.job() == canceled


def test_a_permanent_engine_error_fails_the_job_on_the_first_receive(world: WorkerWorld) -> None:
    # Given an engine that refuses the job for good
    world.add_job()
    engine = ScriptedEngine(error=PermanentEngineError("width: beyond what the engine draws"))

    # When the first receive is processed
    outcome = world.run(engine, receive_count=1, max_receive_count=3)

    # Then the job fails at once with the engine's reason, and nothing is stored
    assert outcome is JobOutcome.FAILED
    job = world.job()
    assert job.status is JobStatus.FAILED
    assert job.error == JobError(
        type="render_failed", message="width: beyond what the engine draws"
    )
    assert job.attempts == 1
    assert world.object_keys() == []


@pytest.mark.parametrize("error", [TransientEngineError("throttled"), RuntimeError("boom")])
def test_a_retryable_error_before_the_last_receive_is_left_to_sqs(
    world: WorkerWorld, error: Exception
) -> None:
    # Given an engine that fails for a reason a retry may cure (or one nobody foresaw)
    world.add_job()

    # When a receive before the last one is processed
    # Then the error propagates, so the message is reported as a batch item failure
    with pytest.raises(type(error)):
        world.run(ScriptedEngine(error=error), receive_count=2, max_receive_count=3)
    # And the job stays running for the next receive
    job = world.job()
    assert (job.status, job.attempts, job.error) == (JobStatus.RUNNING, 1, None)


def test_the_last_receive_fails_the_job_saying_why(world: WorkerWorld) -> None:
    # Given a job whose render kept failing, now on its last receive
    world.add_job()
    engine = ScriptedEngine(error=TransientEngineError("Bedrock answered ThrottlingException"))
    with pytest.raises(TransientEngineError):
        world.run(engine, receive_count=1, max_receive_count=3)

    # When the last receive fails too
    outcome = world.run(engine, receive_count=3, max_receive_count=3)

    # Then the job ends failed, counting receives and attempts, with the engine's words
    assert outcome is JobOutcome.FAILED
    assert world.job().error == JobError(
        type="retries_exhausted",
        message="gave up after 3 receives of its message (2 attempts);"
        " last error: Bedrock answered ThrottlingException",
    )


def test_an_unforeseen_error_is_named_by_its_type_only(world: WorkerWorld) -> None:
    # Given a render that fails with an error that is not the engine's own account
    world.add_job()
    engine = ScriptedEngine(error=RuntimeError("connection to 10.0.0.7 refused"))

    # When it happens on the last receive
    outcome = world.run(engine, receive_count=3, max_receive_count=3)

    # Then the job's tenant learns the type, not internals such as addresses
    assert outcome is JobOutcome.FAILED
    error = world.job().error
    assert error is not None
    assert (
        error.message
        == "gave up after 3 receives of its message (1 attempts); last error: RuntimeError"
    )


def test_a_job_finished_elsewhere_during_the_render_keeps_that_end(world: WorkerWorld) -> None:
    # Given a job that another receive fails while this one renders
    world.add_job()
    elsewhere = JobError(type="Other", message="finished elsewhere")
    engine = ScriptedEngine(
        on_render=lambda: move(world.jobs, JOB_ID, FAIL, world.clock.now(), error=elsewhere)
    )

    # When this render finishes
    outcome = world.run(engine)

    # Then its result is dropped and the other end stands
    assert outcome is JobOutcome.SKIPPED
    job = world.job()
    assert (job.status, job.error, job.images) == (JobStatus.FAILED, elsewhere, ())


def test_too_little_time_left_gives_the_message_back_at_once(
    world: WorkerWorld, queue: InMemoryJobQueue
) -> None:
    # Given a queued job and an invocation with less than the reserve left
    queued = world.add_job()
    engine = ScriptedEngine()

    # When the receive is handled
    # Then it is refused, visible again at once, and the job is untouched
    with pytest.raises(NotEnoughTimeError):
        receive_once(world, queue, engine, remaining_ms=RESERVE_S * 1000 - 1)
    assert queue.delays == [(RECEIPT, 0)]
    assert engine.calls == []
    assert world.job() == queued


def test_exactly_the_reserve_left_is_enough(world: WorkerWorld, queue: InMemoryJobQueue) -> None:
    # Given a queued job and an invocation with exactly the reserve left
    world.add_job()

    # When the receive is handled
    outcome = receive_once(world, queue, ScriptedEngine(), remaining_ms=RESERVE_S * 1000)

    # Then the job is rendered, and the message's visibility is left alone
    assert outcome is JobOutcome.SUCCEEDED
    assert queue.delays == []


@pytest.mark.parametrize(("receive_count", "delay_s"), [(1, 2), (2, 4), (4, 16), (9, 300)])
def test_a_retry_backs_off_exponentially_up_to_five_minutes(
    world: WorkerWorld, queue: InMemoryJobQueue, receive_count: int, delay_s: int
) -> None:
    # Given a job whose engine is throttled, on some receive before the last
    world.add_job()
    engine = ScriptedEngine(error=TransientEngineError("throttled"))

    # When the receive fails
    with pytest.raises(TransientEngineError):
        receive_once(world, queue, engine, receive_count=receive_count, max_receive_count=10)

    # Then the message comes back after the backoff for that receive
    assert queue.delays == [(RECEIPT, delay_s)]


def test_a_throttled_job_waits_with_a_message_of_its_own_and_uses_up_no_receive(
    world: WorkerWorld, queue: InMemoryJobQueue
) -> None:
    # Given a job on its last receive whose model's quota is spent
    world.add_job()
    engine = ScriptedEngine(errors=[ThrottledError("ThrottlingException: too many requests")])

    # When the worker gets its message
    outcome = receive_once(world, queue, engine, receive_count=3, max_receive_count=3)

    # Then the job is queued again, a new message is sent after a wait, and this receive is done
    assert outcome is JobOutcome.THROTTLED
    job = world.job()
    assert (job.status, job.throttled_waits, job.error) == (JobStatus.QUEUED, 1, None)
    assert job.first_throttled_at is not None
    assert queue.messages == [JobMessage(job_id=JOB_ID)]
    assert 1 <= queue.send_delays[0] <= THROTTLE_MAX_WAIT_SECONDS
    assert queue.delays == []
    # And the new message's first receive renders it
    outcome = receive_once(world, queue, engine, receive_count=1)
    assert outcome is JobOutcome.SUCCEEDED
    assert world.job().throttled_waits == 1


def test_a_job_throttled_for_an_hour_fails_saying_so(
    world: WorkerWorld, queue: InMemoryJobQueue
) -> None:
    # Given a job that was throttled once, and is still throttled an hour later
    world.add_job()
    engine = ScriptedEngine(errors=[ThrottledError("ThrottlingException")] * 2)
    receive_once(world, queue, engine)
    world.clock.start += THROTTLE_GIVE_UP_AFTER

    # When its next message is received
    outcome = receive_once(world, queue, engine)

    # Then it fails as throttled, and no further message is sent
    assert outcome is JobOutcome.FAILED
    job = world.job()
    assert job.status is JobStatus.FAILED
    assert job.error is not None
    assert job.error.type == "throttled"
    assert len(queue.messages) == 1


@pytest.mark.parametrize(
    ("error", "error_type", "words"),
    [
        (ContentFilteredError("m", "output image"), "content_filtered", "refused the output image"),
        (ContentFilteredError("m", "prompt"), "content_filtered", "refused the prompt"),
        (ModelUnavailableError("m", "past its end of life"), "model_unavailable", "end of life"),
        (PermanentEngineError("width: too wide"), "render_failed", "width: too wide"),
    ],
)
def test_a_refusal_fails_the_job_at_once_with_a_type_its_tenant_can_act_on(
    world: WorkerWorld, error: Exception, error_type: str, words: str
) -> None:
    # Given a job whose model refuses it for good
    world.add_job()

    # When its first receive is processed
    outcome = world.run(ScriptedEngine(error=error), receive_count=1)

    # Then it fails now, with a type that says why, and is not retried
    assert outcome is JobOutcome.FAILED
    job = world.job()
    assert job.error is not None
    assert job.error.type == error_type
    assert words in job.error.message


def test_the_engine_gets_the_bytes_of_the_image_the_job_takes_in(world: WorkerWorld) -> None:
    # Given an image-to-image job whose input was stored at submit
    image = InputImage(
        key="inputs/j/image.png", width=64, height=64, image_format="png", size_bytes=5
    )
    world.images.put(image.key, b"bytes", "image/png")
    world.add_job(task="image-to-image", image=image, strength=0.4, num_images=1)
    engine = ScriptedEngine()

    # When it is rendered
    world.run(engine)

    # Then the engine was given those bytes under the parameter's name
    assert engine.inputs == [{"image": b"bytes"}]
