"""WorkerFunction, replaying the SQS fixtures in events/ with the real Pillow renderer."""

import dataclasses
import io
from datetime import UTC, datetime

from PIL import Image

from imagejobs.exceptions import TransientEngineError
from tests.support.events import FIXTURE_JOB_ID, TENANT, load_event
from tests.support.functions import Function
from tests.support.http import poll
from tests.support.jobs import store_job
from tests.support.moto_aws import MotoResources

CREATED = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def queued_job(resources: MotoResources, **parameters: object) -> None:
    values: dict[str, object] = {
        "prompt": "a lighthouse on a cliff at sunset",
        "width": 96,
        "seed": 42,
        "num_images": 2,
        "image_format": "webp",
        **parameters,
    }
    store_job(resources.jobs, FIXTURE_JOB_ID, TENANT, created_at=CREATED, **values)


def test_a_job_message_renders_every_image_into_s3_and_succeeds(
    worker: Function, resources: MotoResources
) -> None:
    # Given a queued job for two 96x64 WebP images
    queued_job(resources)

    # When the worker receives the fixture's message for it
    response = worker.invoke("sqs-job")

    # Then no message failed, the job succeeded and both objects are real WebP images
    assert response == {"batchItemFailures": []}
    assert resources.stored_status(FIXTURE_JOB_ID) == "succeeded"
    for number in (0, 1):
        stored = resources.s3.get_object(
            Bucket=resources.bucket_name, Key=f"images/{FIXTURE_JOB_ID}/{number}.webp"
        )
        assert stored["ContentType"] == "image/webp"
        image = Image.open(io.BytesIO(stored["Body"].read()))
        assert (image.format, image.size) == ("WEBP", (96, 64))


def test_a_message_received_again_for_a_finished_job_changes_nothing(
    worker: Function, resources: MotoResources
) -> None:
    # Given a job the worker already finished
    queued_job(resources, num_images=1)
    worker.invoke("sqs-job")
    finished = resources.job_item(FIXTURE_JOB_ID)

    # When the same message is received again
    response = worker.invoke("sqs-job")

    # Then it is acknowledged and the item is untouched
    assert response == {"batchItemFailures": []}
    assert resources.job_item(FIXTURE_JOB_ID) == finished


def test_a_poison_message_fails_alone_and_the_good_one_is_processed(
    worker: Function, resources: MotoResources
) -> None:
    # Given a batch with an unparseable body next to a good message
    queued_job(resources, num_images=1)

    # When the worker processes the batch
    response = worker.invoke("sqs-poison")

    # Then only the poison message is reported, so SQS retries it and then dead-letters it
    failed_ids = [failure["itemIdentifier"] for failure in response["batchItemFailures"]]
    assert failed_ids == ["00000000-0000-4000-8000-000000000000"]
    assert resources.stored_status(FIXTURE_JOB_ID) == "succeeded"


def test_a_request_the_renderer_refuses_fails_the_job_without_a_retry(
    worker: Function, resources: MotoResources
) -> None:
    # Given a job larger than the renderer can draw
    queued_job(resources, width=5000, num_images=1)

    # When the worker receives its message
    response = worker.invoke("sqs-job")

    # Then the message is acknowledged and the job is failed with the renderer's reason
    assert response == {"batchItemFailures": []}
    status, error_type, message = resources.stored_strings(
        FIXTURE_JOB_ID, "status", "error_type", "error_message"
    )
    assert (status, error_type) == ("failed", "render_failed")
    assert "width" in message


class TransientlyFailingEngine:
    engine_id = "flaky"

    def __init__(self) -> None:
        self.calls = 0

    def render(self, request: object) -> list[object]:
        self.calls += 1
        raise TransientEngineError("engine throttled")


def received_fixture_message(resources: MotoResources) -> dict[str, object]:
    """The sqs-job fixture, carrying the receipt handle of a real message in the queue."""
    body = '{"job_id":"' + FIXTURE_JOB_ID + '"}'
    resources.sqs.send_message(QueueUrl=resources.queue_url, MessageBody=body)
    [message] = resources.sqs.receive_message(QueueUrl=resources.queue_url, VisibilityTimeout=720)[
        "Messages"
    ]
    event = load_event("sqs-job")
    event["Records"][0]["receiptHandle"] = message["ReceiptHandle"]
    return event


def visible_again_within(resources: MotoResources, seconds: float) -> bool:
    found = poll(
        lambda: resources.sqs.receive_message(QueueUrl=resources.queue_url, WaitTimeSeconds=0).get(
            "Messages", []
        ),
        lambda messages: bool(messages),
        seconds,
        "the message to become visible again",
    )
    return bool(found)


def test_a_transient_failure_is_reported_and_retried_after_a_short_backoff(
    worker: Function, resources: MotoResources
) -> None:
    # Given a queued job, its message received with the queue's 720 s visibility timeout,
    # and an engine that is throttled
    queued_job(resources, num_images=1)
    event = received_fixture_message(resources)
    worker.module.ports = dataclasses.replace(
        worker.module.ports, engine=TransientlyFailingEngine()
    )

    # When the worker processes it on its first receive
    response = worker.invoke(event)

    # Then it is a batch item failure, the job is still open, and SQS offers the message
    # again after seconds (the backoff), not after 720 s
    assert [f["itemIdentifier"] for f in response["batchItemFailures"]] == [
        event["Records"][0]["messageId"]
    ]
    assert resources.stored_status(FIXTURE_JOB_ID) == "running"
    assert visible_again_within(resources, 10)


def test_a_job_is_not_started_with_too_little_time_left(
    worker: Function, resources: MotoResources
) -> None:
    # Given a queued job and an invocation with one second left
    queued_job(resources, num_images=1)
    event = received_fixture_message(resources)
    engine = TransientlyFailingEngine()
    worker.module.ports = dataclasses.replace(worker.module.ports, engine=engine)
    short_of_time = worker.with_time_left(1000)

    # When the worker gets its message
    response = short_of_time.invoke(event)

    # Then it gives the message straight back without touching the job
    assert len(response["batchItemFailures"]) == 1
    assert engine.calls == 0
    assert resources.stored_status(FIXTURE_JOB_ID) == "queued"
    assert visible_again_within(resources, 5)
