"""DeadLetterFunction, replaying events/sqs-dead-letter.json: nothing ends up stuck."""

from imagejobs.models.domain import JobStatus
from tests.support.events import FIXTURE_JOB_ID, TENANT
from tests.support.functions import Function
from tests.support.jobs import store_job
from tests.support.moto_aws import MotoResources


def test_an_unfinished_job_is_failed_and_poison_is_acknowledged(
    dead_letter: Function, resources: MotoResources
) -> None:
    # Given a job left running by a worker that died on its last receive, and a DLQ batch
    # with its message, an unparseable body and a message for an unknown job
    store_job(resources.jobs, FIXTURE_JOB_ID, TENANT, JobStatus.RUNNING)

    # When the dead-letter function processes the batch
    response = dead_letter.invoke("sqs-dead-letter")

    # Then every message is acknowledged and the job failed, saying how often it was tried
    assert response == {"batchItemFailures": []}
    failure = resources.stored_strings(FIXTURE_JOB_ID, "status", "error_type", "error_message")
    assert failure == (
        "failed",
        "dead_lettered",
        "the job could not be processed after 3 receives of its message",
    )
    # And the message for an unknown job created no half item
    assert len(resources.job_items()) == 1


def test_a_finished_job_is_left_as_it_is(dead_letter: Function, resources: MotoResources) -> None:
    # Given a job that succeeded although its message was dead-lettered
    store_job(resources.jobs, FIXTURE_JOB_ID, TENANT, JobStatus.SUCCEEDED)
    before = resources.job_item(FIXTURE_JOB_ID)

    # When the dead-letter function sees the message
    response = dead_letter.invoke("sqs-dead-letter")

    # Then nothing changes
    assert response == {"batchItemFailures": []}
    assert resources.job_item(FIXTURE_JOB_ID) == before
