"""The worker's logic against moto-backed DynamoDB and S3, with engines that fail on purpose
(tests/support/worker.py). tests/logic runs the same logic on the in-memory ports."""

import pytest

from imagejobs.exceptions import PermanentEngineError, TransientEngineError
from imagejobs.logic.worker import JobOutcome, image_key
from imagejobs.models.domain import JobError, JobStatus
from imagejobs.models.transitions import CANCEL_QUEUED, FAIL, REQUEST_CANCEL, START
from tests.support.jobs import move
from tests.support.moto_aws import MotoResources
from tests.support.worker import WORKER_JOB_ID as JOB_ID
from tests.support.worker import ScriptedEngine, WorkerWorld


def test_a_queued_job_is_rendered_stored_and_succeeds(world: WorkerWorld) -> None:
    # Given a queued job for two WebP images
    world.add_job(num_images=2, image_format="webp")

    # When the worker processes its message
    outcome = world.run(ScriptedEngine())

    # Then both images are in S3 under deterministic keys with the right content type
    assert outcome is JobOutcome.SUCCEEDED
    keys = [image_key(JOB_ID, n, "webp") for n in range(2)]
    assert world.object_keys() == keys
    assert world.objects.read(keys[0]).content_type == "image/webp"
    # And the job records them, with one seed per image, and its timeline
    job = world.job()
    assert job.status is JobStatus.SUCCEEDED
    assert [(i.key, i.seed) for i in job.images] == [(keys[0], 7), (keys[1], 8)]
    assert job.attempts == 1
    assert job.started_at is not None
    assert job.finished_at is not None
    assert job.started_at < job.finished_at


def test_a_job_keeps_the_model_and_engine_it_was_submitted_for(world: WorkerWorld) -> None:
    # Given a job submitted for the built-in renderer
    world.add_job(engine="pillow", model="pillow")

    # When a worker whose engine names itself otherwise processes its message
    world.run(ScriptedEngine(engine_id="something-else"))

    # Then the job still names the model and engine it was submitted for: a job's model is
    # fixed at submit, and its engine is that model's
    job = world.job()
    assert (job.parameters.model, job.engine_id) == ("pillow", "pillow")


def test_a_message_received_again_for_a_finished_job_does_nothing(world: WorkerWorld) -> None:
    # Given a job that already succeeded
    world.add_job()
    world.run(ScriptedEngine())
    finished = world.job()

    # When its message is received again
    engine = ScriptedEngine()
    outcome = world.run(engine, receive_count=2)

    # Then nothing is rendered or changed
    assert outcome is JobOutcome.SKIPPED
    assert engine.calls == []
    assert world.job() == finished


def test_a_message_for_an_unknown_job_is_dropped(
    world: WorkerWorld, resources: MotoResources
) -> None:
    # Given no job with the message's id
    engine = ScriptedEngine()

    # When the message is processed
    outcome = world.run(engine, job_id="00000000-0000-4000-8000-00000000abcd")

    # Then it is acknowledged without rendering or creating anything
    assert outcome is JobOutcome.SKIPPED
    assert engine.calls == []
    assert len(resources.job_items()) == 0


def test_a_permanent_engine_error_fails_the_job_at_once(world: WorkerWorld) -> None:
    # Given a job the engine refuses for good
    world.add_job()
    engine = ScriptedEngine(error=PermanentEngineError("width: beyond what the engine draws"))

    # When it is processed on its first receive
    outcome = world.run(engine, receive_count=1)

    # Then the job is failed with the reason, with no retry
    assert outcome is JobOutcome.FAILED
    job = world.job()
    assert job.status is JobStatus.FAILED
    assert job.error == JobError(
        type="render_failed", message="width: beyond what the engine draws"
    )
    assert world.object_keys() == []


def test_a_transient_error_is_left_to_sqs_to_retry(world: WorkerWorld) -> None:
    # Given an engine that is throttled
    world.add_job()
    engine = ScriptedEngine(error=TransientEngineError("throttled"))

    # When the job is processed before its last receive
    # Then the error propagates, so the message is reported as a batch item failure
    with pytest.raises(TransientEngineError):
        world.run(engine, receive_count=1, max_receive_count=3)
    job = world.job()
    assert job.status is JobStatus.RUNNING
    assert job.attempts == 1


def test_the_last_receive_fails_the_job_instead_of_leaving_it_running(world: WorkerWorld) -> None:
    # Given a job whose rendering keeps failing, on its last allowed receive
    world.add_job()
    engine = ScriptedEngine(error=TransientEngineError("throttled"))
    with pytest.raises(TransientEngineError):
        world.run(engine, receive_count=1)

    # When the last receive fails too
    outcome = world.run(engine, receive_count=3, max_receive_count=3)

    # Then the job ends failed, saying how often it was tried
    assert outcome is JobOutcome.FAILED
    job = world.job()
    assert job.status is JobStatus.FAILED
    assert job.error is not None
    assert job.error.type == "retries_exhausted"
    assert "3 receives of its message (2 attempts)" in job.error.message
    # And the engine's own account of the last failure, written for the job's tenant
    assert job.error.message.endswith("last error: throttled")
    assert job.attempts == 2


def test_a_retry_after_a_crash_overwrites_instead_of_adding(world: WorkerWorld) -> None:
    # Given an attempt that wrote its images and crashed before recording success
    world.add_job(num_images=2)
    move(world.jobs, JOB_ID, START, world.clock.now())
    world.images.put(image_key(JOB_ID, 0, "webp"), b"partial", "image/webp")

    # When the message is received again
    outcome = world.run(ScriptedEngine(), receive_count=2)

    # Then the job succeeds with exactly its own images, rewritten
    assert outcome is JobOutcome.SUCCEEDED
    assert world.object_keys() == [image_key(JOB_ID, n, "webp") for n in range(2)]
    assert world.stored(world.object_keys()[0]) == b"image 0"
    assert world.job().attempts == 2


def test_a_result_for_a_job_finished_meanwhile_is_dropped(world: WorkerWorld) -> None:
    # Given a job that another receive fails while this one renders
    world.add_job()

    def finish_elsewhere() -> None:
        error = JobError(type="Other", message="finished elsewhere")
        move(world.jobs, JOB_ID, FAIL, world.clock.now(), error=error)

    # When this receive finishes rendering
    outcome = world.run(ScriptedEngine(on_render=finish_elsewhere))

    # Then it does not overwrite the terminal state
    assert outcome is JobOutcome.SKIPPED
    job = world.job()
    assert job.status is JobStatus.FAILED
    assert job.images == ()


def test_a_cancel_during_render_drops_the_result_and_its_objects(world: WorkerWorld) -> None:
    # Given a running job whose tenant cancels it while the engine renders
    world.add_job(num_images=2)
    engine = ScriptedEngine(
        on_render=lambda: move(world.jobs, JOB_ID, REQUEST_CANCEL, world.clock.now())
    )

    # When the worker finishes rendering
    outcome = world.run(engine)

    # Then the job ends canceled and nothing it wrote is left in the bucket
    assert outcome is JobOutcome.CANCELED
    assert world.job().status is JobStatus.CANCELED
    assert world.job().images == ()
    assert world.object_keys() == []


def test_a_canceled_job_is_never_rendered(world: WorkerWorld) -> None:
    # Given a queued job canceled before the worker got to it
    world.add_job()
    move(world.jobs, JOB_ID, CANCEL_QUEUED, world.clock.now())
    engine = ScriptedEngine()

    # When its message arrives
    outcome = world.run(engine)

    # Then nothing is rendered and the job stays canceled
    assert outcome is JobOutcome.SKIPPED
    assert engine.calls == []
    assert world.job().status is JobStatus.CANCELED


def test_a_repeat_receive_after_a_cancel_request_finishes_the_cancel(world: WorkerWorld) -> None:
    # Given a job that was running, then asked to cancel, and whose worker died
    world.add_job()
    move(world.jobs, JOB_ID, START, world.clock.now())
    move(world.jobs, JOB_ID, REQUEST_CANCEL, world.clock.now())
    engine = ScriptedEngine()

    # When its message is received again
    outcome = world.run(engine, receive_count=2)

    # Then it is canceled without rendering again
    assert outcome is JobOutcome.CANCELED
    assert engine.calls == []
    assert world.job().status is JobStatus.CANCELED
